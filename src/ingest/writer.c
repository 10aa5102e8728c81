/*
 * The writer thread: takes batches from the queue, finds (or creates) each record's feed
 * through the cache, and stores each chunk of up to ingest_batch rows in one transaction:
 * the feeds' last values (which also tells us about feeds deleted meanwhile), one binary COPY
 * into data, then the minute and hour rollups aggregated here in C. /get requests of a chunk
 * are answered after it is committed, so they see the values published before them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/internal.h"
#include "store/db.h"
#include "store/feeds.h"
#include "store/users.h"
#include "timefmt.h"

#define USER_CHECK_US (10 * INT64_C(1000000))  /* a user's state and limits are read again after this */
#define LIMIT_RETRY_US (2 * INT64_C(1000000))  /* a feed refused for the limit is not retried before */
#define STALE_RETRIES 3
#define SQL_RETRIES 3
#define GIVE_UP_CLOSING_US (10 * INT64_C(1000000)) /* when stopping with the database away */

/* Sort key of a row: the rows of one feed, oldest first; ties keep arrival order. */
struct row_key {
	int64_t feed_id;
	int64_t created_us;
	uint32_t row;
	uint32_t rec;
};

static void sleep_ms(int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static int ensure_scratch(struct ingest_writer *w);

struct ingest_writer *ingest_writer_new(struct perch_ingest *ing, const char *db_url, int chunk,
		char *err, size_t errlen)
{
	struct ingest_writer *w = calloc(1, sizeof(*w));

	if(!w || !(w->db_url = strdup(db_url))){
		free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->ing = ing;
	w->chunk = chunk > 0 ? (size_t)chunk : 1;
	w->spare = calloc(1, sizeof(*w->spare));
	if(!w->spare || ensure_scratch(w) != 0){
		ingest_writer_free(w);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->conn = perch_db_connect(db_url, err, errlen);
	if(!w->conn){
		ingest_writer_free(w);
		return NULL;
	}
	PQsetClientEncoding(w->conn, "UTF8");
	return w;
}

static void free_scratch(struct ingest_writer *w)
{
	free(w->rows);
	free(w->keys);
	free(w->lv);
	free(w->stale);
	free(w->minute);
	free(w->hour);
	w->rows = NULL;
	w->keys = NULL;
	w->lv = NULL;
	w->stale = NULL;
	w->minute = w->hour = NULL;
	w->rows_cap = 0;
}

void ingest_writer_free(struct ingest_writer *w)
{
	if(!w){
		return;
	}
	PQfinish(w->conn);
	ingest_cache_free(&w->cache);
	free_scratch(w);
	ingest_batch_free(w->spare);
	free(w->spare);
	free(w->db_url);
	free(w);
}

/* One chunk never has more rows, feeds or buckets than w->chunk: size the arrays once. */
static int ensure_scratch(struct ingest_writer *w)
{
	size_t n = w->chunk;

	if(w->rows_cap >= n){
		return 0;
	}
	free_scratch(w);
	w->rows = malloc(n * sizeof(*w->rows));
	w->keys = malloc(n * sizeof(*w->keys));
	w->lv = malloc(n * sizeof(*w->lv));
	w->stale = malloc(n * sizeof(*w->stale));
	w->minute = malloc(n * sizeof(*w->minute));
	w->hour = malloc(n * sizeof(*w->hour));
	if(!w->rows || !w->keys || !w->lv || !w->stale || !w->minute || !w->hour){
		free_scratch(w);
		return -1;
	}
	w->rows_cap = n;
	return 0;
}

int ingest_writer_connect(struct ingest_writer *w)
{
	char err[512];

	if(w->conn && PQstatus(w->conn) == CONNECTION_OK){
		return 0;
	}
	PQfinish(w->conn);
	w->conn = perch_db_connect(w->db_url, err, sizeof(err));
	if(!w->conn){
		ingest_log("%s", err);
		return -1;
	}
	PQsetClientEncoding(w->conn, "UTF8");
	ingest_log("reconnected to PostgreSQL");
	return 0;
}

int ingest_writer_user(struct ingest_writer *w, const char *name, struct ingest_user **out)
{
	int64_t now = perch_wall_us();
	struct ingest_user *u = ingest_cache_user(&w->cache, name);
	struct perch_user pu;
	char err[256];
	int rc;

	if(u && now - u->checked_us < USER_CHECK_US && now >= u->checked_us){
		*out = u;
		return 0;
	}
	rc = perch_user_get(w->conn, name, &pu, err, sizeof(err));
	if(rc < 0){
		ingest_log("looking up user %s: %s", name, err);
		return -1;
	}
	u = ingest_cache_put_user(&w->cache, name, rc == 0, rc == 0 && pu.disabled, rc == 0 ? pu.id : 0,
			rc == 0 ? pu.max_feeds : 0, now);
	if(!u){
		ingest_log("out of memory caching user %s", name);
		return -1;
	}
	*out = u;
	return 0;
}

static void reject_rec(struct ingest_writer *w, const struct ingest_batch *b, struct ingest_rec *rec,
		const char *reason)
{
	rec->state = REC_REJECTED;
	ingest_reject(w->ing, rec_str(b, rec->user), rec_str(b, rec->topic), reason);
}

/* Asks the database for the feed (creating it); caches the answer. */
static int create_feed(struct ingest_writer *w, const struct ingest_batch *b, struct ingest_rec *rec,
		struct ingest_user *u)
{
	const char *key = rec_str(b, rec->key);
	const char *topic = rec->flags & REC_FREEFORM ? rec_str(b, rec->topic) : NULL;
	char err[512];
	int64_t id = 0;
	int rc = perch_feed_find_or_create(w->conn, u->id, key, rec_str(b, rec->name), topic, true, &id,
			err, sizeof(err));

	if(rc < 0){
		ingest_log("feed %s/%s: %s", u->name, key, err);
		return -1;
	}
	/* a refusal is remembered a little while, so that a board flooding new keys over its
	 * limit does not cost a database round trip per message */
	if(!ingest_cache_put_feed(u, key, rc == 2 ? 0 : id, rc == 2 ? perch_wall_us() + LIMIT_RETRY_US : 0)){
		ingest_log("out of memory caching a feed");
		return -1;
	}
	if(rc == 2){
		snprintf(err, sizeof(err), "rejected, feed limit of %d reached", u->max_feeds);
		reject_rec(w, b, rec, err);
		return 0;
	}
	rec->feed_id = id;
	rec->state = REC_READY;
	return 0;
}

static int resolve_rec(struct ingest_writer *w, const struct ingest_batch *b, struct ingest_rec *rec)
{
	struct ingest_user *u;
	struct ingest_feed *f;
	char err[64];

	if(ingest_writer_user(w, rec_str(b, rec->user), &u) != 0){
		return -1;
	}
	if(!u->exists || u->disabled){
		reject_rec(w, b, rec, u->exists ? "rejected, the account is disabled" : "rejected, unknown user");
		return 0;
	}
	f = ingest_cache_feed(u, rec_str(b, rec->key));
	if(f && f->id != 0){
		rec->feed_id = f->id;
		rec->state = REC_READY;
		return 0;
	}
	if(f && perch_wall_us() < f->retry_us){
		snprintf(err, sizeof(err), "rejected, feed limit of %d reached", u->max_feeds);
		reject_rec(w, b, rec, err);
		return 0;
	}
	return create_feed(w, b, rec, u);
}

static int resolve_range(struct ingest_writer *w, struct ingest_batch *b, size_t from, size_t to)
{
	for(size_t i = from; i < to; i++){
		struct ingest_rec *rec = &b->recs[i];
		if(rec->state != REC_PENDING){
			continue;
		}
		if(rec->kind != REC_DATA){
			rec->state = REC_READY; /* answered after the commit */
			continue;
		}
		if(resolve_rec(w, b, rec) != 0){
			return -1;
		}
	}
	return 0;
}

/* Fills w->rows and w->keys with the chunk's storable records; returns how many. */
static size_t collect_rows(struct ingest_writer *w, const struct ingest_batch *b, size_t from, size_t to)
{
	size_t n = 0;

	for(size_t i = from; i < to; i++){
		const struct ingest_rec *rec = &b->recs[i];
		struct perch_row *r = &w->rows[n];
		if(rec->kind != REC_DATA || rec->state != REC_READY){
			continue;
		}
		r->feed_id = rec->feed_id;
		r->created_us = rec->created_us;
		r->value = rec_str(b, rec->value);
		r->value_len = rec->value_len;
		r->has_num = rec->flags & REC_HAS_NUM;
		r->has_lat = rec->flags & REC_HAS_LAT;
		r->has_lon = rec->flags & REC_HAS_LON;
		r->has_ele = rec->flags & REC_HAS_ELE;
		r->num = rec->num;
		r->lat = rec->lat;
		r->lon = rec->lon;
		r->ele = rec->ele;
		w->keys[n] = (struct row_key){ rec->feed_id, rec->created_us, (uint32_t)n, (uint32_t)i };
		n++;
	}
	return n;
}

static int cmp_key(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;
	if(x->feed_id != y->feed_id){
		return x->feed_id < y->feed_id ? -1 : 1;
	}
	if(x->created_us != y->created_us){
		return x->created_us < y->created_us ? -1 : 1;
	}
	return x->row < y->row ? -1 : x->row > y->row;
}

static void rollup_add(struct perch_rollup *r, const struct perch_row *row)
{
	r->count++;
	if(!row->has_num){
		return;
	}
	if(!r->has_num){
		r->has_num = true;
		r->sum = r->min = r->max = row->num;
		return;
	}
	r->sum += row->num;
	r->min = row->num < r->min ? row->num : r->min;
	r->max = row->num > r->max ? row->num : r->max;
}

/* Folds a minute aggregate into the hour aggregates (both sorted by feed, bucket). */
static void hour_add(struct perch_rollup *hour, size_t *nh, const struct perch_rollup *m)
{
	int64_t bucket = perch_rollup_bucket(PERCH_ROLLUP_HOUR, m->bucket_us);
	struct perch_rollup *h = *nh ? &hour[*nh - 1] : NULL;

	if(!h || h->feed_id != m->feed_id || h->bucket_us != bucket){
		h = &hour[(*nh)++];
		*h = (struct perch_rollup){ .feed_id = m->feed_id, .bucket_us = bucket };
	}
	h->count += m->count;
	if(!m->has_num){
		return;
	}
	if(!h->has_num){
		h->has_num = true;
		h->sum = m->sum;
		h->min = m->min;
		h->max = m->max;
		return;
	}
	h->sum += m->sum;
	h->min = m->min < h->min ? m->min : h->min;
	h->max = m->max > h->max ? m->max : h->max;
}

struct aggregate {
	size_t nlv, nmin, nhour;
};

/*
 * With the rows sorted by (feed, time): each feed's newest row becomes its last value, and
 * consecutive rows of one minute (then minutes of one hour) fold into one rollup entry.
 */
static void aggregate(struct ingest_writer *w, const struct ingest_batch *b, size_t n, struct aggregate *a)
{
	memset(a, 0, sizeof(*a));
	qsort(w->keys, n, sizeof(*w->keys), cmp_key);
	for(size_t i = 0; i < n; i++){
		const struct row_key *k = &w->keys[i];
		const struct perch_row *row = &w->rows[k->row];
		int64_t bucket = perch_rollup_bucket(PERCH_ROLLUP_MINUTE, k->created_us);
		struct perch_rollup *m = a->nmin ? &w->minute[a->nmin - 1] : NULL;

		if(i + 1 == n || w->keys[i + 1].feed_id != k->feed_id){
			const struct ingest_rec *rec = &b->recs[k->rec];
			w->lv[a->nlv++] = (struct perch_last_value){ k->feed_id, rec_str(b, rec->key), row->value,
					k->created_us };
		}
		if(!m || m->feed_id != k->feed_id || m->bucket_us != bucket){
			if(m){
				hour_add(w->hour, &a->nhour, m);
			}
			m = &w->minute[a->nmin++];
			*m = (struct perch_rollup){ .feed_id = k->feed_id, .bucket_us = bucket };
		}
		rollup_add(m, row);
	}
	if(a->nmin){
		hour_add(w->hour, &a->nhour, &w->minute[a->nmin - 1]);
	}
}

/* Feeds deleted or renamed since they were cached: forget them, resolve their records again. */
static void forget_stale(struct ingest_writer *w, struct ingest_batch *b, size_t from, size_t to, size_t nlv)
{
	for(size_t i = 0; i < nlv; i++){
		if(!w->stale[i]){
			continue;
		}
		for(size_t r = from; r < to; r++){
			struct ingest_rec *rec = &b->recs[r];
			if(rec->kind == REC_DATA && rec->state == REC_READY && rec->feed_id == w->lv[i].feed_id){
				struct ingest_user *u = ingest_cache_user(&w->cache, rec_str(b, rec->user));
				if(u){
					ingest_cache_drop_feed(u, rec_str(b, rec->key));
				}
				rec->state = REC_PENDING;
			}
		}
	}
}

static int exec_simple(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, 0, NULL);
	PQclear(res);
	return res ? 0 : -1;
}

/* The transaction, in the lock order of feeds.h. 0: stored; 1: stale feeds; -1: error. */
static int store_rows(struct ingest_writer *w, size_t n, const struct aggregate *a, char *err, size_t errlen)
{
	int stale;

	if(exec_simple(w->conn, "BEGIN", err, errlen) != 0){
		return -1;
	}
	stale = perch_feeds_set_last(w->conn, w->lv, a->nlv, w->stale, err, errlen);
	if(stale != 0){
		exec_simple(w->conn, "ROLLBACK", NULL, 0);
		return stale > 0 ? 1 : -1;
	}
	if(perch_data_copy(w->conn, w->rows, n, err, errlen) != 0
			|| perch_rollups_add(w->conn, PERCH_ROLLUP_MINUTE, w->minute, a->nmin, err, errlen) != 0
			|| perch_rollups_add(w->conn, PERCH_ROLLUP_HOUR, w->hour, a->nhour, err, errlen) != 0){
		exec_simple(w->conn, "ROLLBACK", NULL, 0);
		return -1;
	}
	return exec_simple(w->conn, "COMMIT", err, errlen);
}

/* One attempt at a chunk: 0 done, 1 try again now (stale feeds), -1 error. */
static int write_once(struct ingest_writer *w, struct ingest_batch *b, size_t from, size_t to)
{
	struct aggregate a;
	char err[512];
	size_t n;
	int rc;

	if(resolve_range(w, b, from, to) != 0){
		return -1;
	}
	n = collect_rows(w, b, from, to);
	if(n == 0){
		return 0;
	}
	aggregate(w, b, n, &a);
	rc = store_rows(w, n, &a, err, sizeof(err));
	if(rc == 1){
		forget_stale(w, b, from, to, a.nlv);
	}else if(rc < 0){
		ingest_log("writing %zu rows: %s", n, err);
	}else{
		atomic_fetch_add(&w->ing->stored, n);
		atomic_fetch_add(&w->ing->batches, 1);
	}
	return rc;
}

/*
 * After a failure: waits for the database to come back. Returns -1 to give up on the chunk:
 * after SQL_RETRIES errors on a working connection (the rows themselves are refused), or when
 * perch is stopping and the database has been away too long.
 */
static int recover(struct ingest_writer *w, int failures, int64_t first_failure_us)
{
	int delay = 100;

	if(w->conn && PQstatus(w->conn) == CONNECTION_OK){
		sleep_ms(50 * failures);
		return failures < SQL_RETRIES ? 0 : -1;
	}
	while(ingest_writer_connect(w) != 0){
		if(ingest_queue_closing(&w->ing->queue) && perch_wall_us() - first_failure_us > GIVE_UP_CLOSING_US){
			return -1;
		}
		sleep_ms(delay);
		delay = delay < 5000 ? delay * 2 : 5000;
	}
	return 0;
}

static void write_chunk(struct ingest_writer *w, struct ingest_batch *b, size_t from, size_t to)
{
	int stale_rounds = 0, failures = 0;
	int64_t first_failure = 0;

	for(;;){
		int rc = write_once(w, b, from, to);
		if(rc == 0){
			return;
		}
		if(rc == 1 && ++stale_rounds <= STALE_RETRIES){
			continue;
		}
		if(failures++ == 0){
			first_failure = perch_wall_us();
		}
		if(recover(w, failures, first_failure) != 0){
			ingest_log("gave up on %zu messages after repeated database errors", to - from);
			return;
		}
	}
}

static void answer_gets(struct ingest_writer *w, const struct ingest_batch *b, size_t from, size_t to)
{
	for(size_t i = from; i < to; i++){
		const struct ingest_rec *rec = &b->recs[i];
		if(rec->kind != REC_DATA && rec->state == REC_READY && ingest_reply_get(w, b, rec) != 0){
			ingest_writer_connect(w); /* a lost /get is not retried: the board can ask again */
		}
	}
}

static void process(struct ingest_writer *w, struct ingest_batch *b)
{
	for(size_t from = 0; from < b->n; from += w->chunk){
		size_t to = from + w->chunk < b->n ? from + w->chunk : b->n;
		write_chunk(w, b, from, to);
		answer_gets(w, b, from, to);
		atomic_fetch_sub(&w->ing->queued, to - from);
	}
}

void *ingest_writer_main(void *arg)
{
	struct ingest_writer *w = arg;
	struct ingest_batch *full;

	ingest_block_signals();
	/* the two batches trade places: the queue fills one while this thread writes the other */
	while((full = ingest_queue_take(&w->ing->queue, w->spare)) != NULL){
		process(w, full);
		ingest_batch_reset(full);
		w->spare = full;
	}
	return NULL;
}
