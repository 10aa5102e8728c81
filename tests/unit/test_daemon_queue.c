/* The ingest's hand-over queue and its caches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ingest/cache.h"
#include "ingest/queue.h"

static void push_value(struct ingest_queue *q, const char *key, const char *value)
{
	struct ingest_rec rec = { .kind = REC_DATA, .created_us = 42 };
	struct ingest_strings s = { "alice", key, key, "alice/feeds/x", value, strlen(value) };
	assert_int_equal(ingest_queue_push(q, &rec, &s), 0);
}

/* Batches change owners in take: they live on the heap. */
static struct ingest_batch *new_batch(void)
{
	struct ingest_batch *b = calloc(1, sizeof(*b));
	assert_non_null(b);
	return b;
}

static void free_batch(struct ingest_batch *b)
{
	ingest_batch_free(b);
	free(b);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void keeps_records_and_strings(void **state)
{
	struct ingest_queue q;
	struct ingest_batch *spare = new_batch(), *b;

	(void)state;
	assert_int_equal(ingest_queue_init(&q, 3, 60000), 0);
	push_value(&q, "temp", "21.5");
	push_value(&q, "hum", "");
	push_value(&q, "wind", "a longer value, with \"quotes\"");
	b = ingest_queue_take(&q, spare); /* three rows are due at once */
	assert_non_null(b);
	assert_int_equal(b->n, 3);
	assert_string_equal(rec_str(b, b->recs[0].key), "temp");
	assert_string_equal(rec_str(b, b->recs[0].value), "21.5");
	assert_int_equal(b->recs[0].value_len, 4);
	assert_string_equal(rec_str(b, b->recs[1].value), "");
	assert_string_equal(rec_str(b, b->recs[2].value), "a longer value, with \"quotes\"");
	assert_string_equal(rec_str(b, b->recs[2].user), "alice");
	assert_int_equal(b->recs[2].state, REC_PENDING);
	assert_int_equal(b->recs[2].created_us, 42);
	assert_ptr_equal(q.fill, spare);
	free_batch(b);
	ingest_queue_destroy(&q); /* frees spare, now the queue's */
}

static void flushes_after_the_delay(void **state)
{
	struct ingest_queue q;
	struct ingest_batch *spare = new_batch(), *b;
	double t0;

	(void)state;
	assert_int_equal(ingest_queue_init(&q, 1000, 30), 0);
	push_value(&q, "temp", "1");
	t0 = now_s();
	b = ingest_queue_take(&q, spare);
	assert_non_null(b);
	assert_int_equal(b->n, 1);
	assert_true(now_s() - t0 < 1.0);
	free_batch(b);
	ingest_queue_destroy(&q);
}

static void drains_then_ends_when_closed(void **state)
{
	struct ingest_queue q;
	struct ingest_batch *a = new_batch(), *b;

	(void)state;
	assert_int_equal(ingest_queue_init(&q, 1000, 60000), 0);
	push_value(&q, "temp", "1");
	push_value(&q, "temp", "2");
	ingest_queue_close(&q);
	assert_true(ingest_queue_closing(&q));
	b = ingest_queue_take(&q, a);
	assert_non_null(b);
	assert_int_equal(b->n, 2);
	ingest_batch_reset(b);
	assert_null(ingest_queue_take(&q, b)); /* b stays with the caller */
	free_batch(b);
	ingest_queue_destroy(&q);
}

static void grows_past_initial_sizes(void **state)
{
	struct ingest_queue q;
	struct ingest_batch *spare = new_batch(), *b;
	char big[3000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ingest_queue_init(&q, 5000, 60000), 0);
	for(int i = 0; i < 5000; i++){
		push_value(&q, "k", i % 100 == 0 ? big : "v");
	}
	b = ingest_queue_take(&q, spare);
	assert_int_equal(b->n, 5000);
	assert_string_equal(rec_str(b, b->recs[4900].value), big);
	assert_string_equal(rec_str(b, b->recs[4999].value), "v");
	free_batch(b);
	ingest_queue_destroy(&q);
}

static void caches_users_and_feeds(void **state)
{
	struct ingest_cache c = { 0 };
	struct ingest_user *u;
	struct ingest_feed *f;

	(void)state;
	assert_null(ingest_cache_user(&c, "alice"));
	u = ingest_cache_put_user(&c, "alice", true, false, 7, 100, 1);
	assert_non_null(u);
	assert_ptr_equal(ingest_cache_user(&c, "alice"), u);
	assert_non_null(ingest_cache_put_feed(u, "temp", 11, 0));
	assert_non_null(ingest_cache_put_feed(u, "grp.hum", 12, 0));
	f = ingest_cache_feed(u, "grp.hum");
	assert_non_null(f);
	assert_int_equal(f->id, 12);
	ingest_cache_drop_feed(u, "grp.hum");
	assert_null(ingest_cache_feed(u, "grp.hum"));
	/* same id: feeds stay; another id (user made again): feeds go */
	assert_ptr_equal(ingest_cache_put_user(&c, "alice", true, true, 7, 100, 2), u);
	assert_non_null(ingest_cache_feed(u, "temp"));
	assert_true(u->disabled);
	ingest_cache_put_user(&c, "alice", true, false, 8, 100, 3);
	assert_null(ingest_cache_feed(u, "temp"));
	u = ingest_cache_put_user(&c, "ghost", false, false, 0, 0, 4);
	assert_false(u->exists);
	ingest_cache_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keeps_records_and_strings),
		cmocka_unit_test(flushes_after_the_delay),
		cmocka_unit_test(drains_then_ends_when_closed),
		cmocka_unit_test(grows_past_initial_sizes),
		cmocka_unit_test(caches_users_and_feeds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
