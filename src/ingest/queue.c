#include "ingest/queue.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Upper bounds of what waits in memory before the MQTT thread is held back. */
#define QUEUE_MIN_ROWS 65536
#define QUEUE_MAX_TEXT (64u * 1024 * 1024)

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static struct timespec mono_deadline(int64_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };
	return ts;
}

int ingest_queue_init(struct ingest_queue *q, int due_rows, int flush_ms)
{
	pthread_condattr_t attr;

	memset(q, 0, sizeof(*q));
	q->fill = calloc(1, sizeof(*q->fill));
	if(!q->fill){
		return -1;
	}
	q->due_rows = due_rows > 0 ? (size_t)due_rows : 1;
	q->flush_us = (int64_t)(flush_ms > 0 ? flush_ms : 1) * 1000;
	q->max_rows = q->due_rows * 8 > QUEUE_MIN_ROWS ? q->due_rows * 8 : QUEUE_MIN_ROWS;
	q->max_text = QUEUE_MAX_TEXT;
	pthread_mutex_init(&q->lock, NULL);
	/* deadlines are monotonic so that a wall-clock jump cannot stall or rush a flush */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&q->ready, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&q->room, NULL);
	return 0;
}

void ingest_queue_destroy(struct ingest_queue *q)
{
	ingest_batch_free(q->fill);
	free(q->fill);
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->ready);
	pthread_cond_destroy(&q->room);
}

void ingest_batch_reset(struct ingest_batch *b)
{
	b->n = 0;
	b->len = 0;
}

void ingest_batch_free(struct ingest_batch *b)
{
	if(b){
		free(b->recs);
		free(b->text);
		memset(b, 0, sizeof(*b));
	}
}

static int grow(struct ingest_batch *b, size_t text_more)
{
	if(b->n == b->cap){
		size_t cap = b->cap ? b->cap * 2 : 1024;
		struct ingest_rec *r = realloc(b->recs, cap * sizeof(*r));
		if(!r){
			return -1;
		}
		b->recs = r;
		b->cap = cap;
	}
	if(b->len + text_more > b->text_cap){
		size_t cap = b->text_cap ? b->text_cap : 65536;
		char *t;
		while(cap < b->len + text_more){
			cap *= 2;
		}
		t = realloc(b->text, cap);
		if(!t){
			return -1;
		}
		b->text = t;
		b->text_cap = cap;
	}
	return 0;
}

static uint32_t put_str(struct ingest_batch *b, const char *s, size_t len)
{
	uint32_t off = (uint32_t)b->len;
	memcpy(b->text + b->len, s, len);
	b->text[b->len + len] = '\0';
	b->len += len + 1;
	return off;
}

static int append(struct ingest_batch *b, const struct ingest_rec *rec, const struct ingest_strings *s)
{
	size_t lu = strlen(s->user), lk = strlen(s->key), ln = strlen(s->name), lt = strlen(s->topic);
	struct ingest_rec *r;

	if(grow(b, lu + lk + ln + lt + s->value_len + 5) != 0){
		return -1;
	}
	r = &b->recs[b->n++];
	*r = *rec;
	r->user = put_str(b, s->user, lu);
	r->key = put_str(b, s->key, lk);
	r->name = put_str(b, s->name, ln);
	r->topic = put_str(b, s->topic, lt);
	r->value = put_str(b, s->value ? s->value : "", s->value ? s->value_len : 0);
	r->value_len = (uint32_t)(s->value ? s->value_len : 0);
	r->state = REC_PENDING;
	r->feed_id = 0;
	return 0;
}

int ingest_queue_push(struct ingest_queue *q, const struct ingest_rec *rec, const struct ingest_strings *s)
{
	int rc;

	pthread_mutex_lock(&q->lock);
	while(!q->closing && (q->fill->n >= q->max_rows || q->fill->len >= q->max_text)){
		pthread_cond_wait(&q->room, &q->lock);
	}
	rc = append(q->fill, rec, s);
	if(rc == 0){
		/* wake the writer for the first record (its flush timer starts) and a full batch */
		if(q->fill->n == 1){
			q->first_us = mono_us();
			pthread_cond_signal(&q->ready);
		}else if(q->fill->n == q->due_rows){
			pthread_cond_signal(&q->ready);
		}
	}
	pthread_mutex_unlock(&q->lock);
	return rc;
}

/* Called with the lock held: is the filling batch due now? */
static bool due(const struct ingest_queue *q)
{
	if(q->fill->n == 0){
		return false;
	}
	return q->closing || q->fill->n >= q->due_rows || mono_us() >= q->first_us + q->flush_us;
}

struct ingest_batch *ingest_queue_take(struct ingest_queue *q, struct ingest_batch *empty)
{
	struct ingest_batch *full = NULL;

	pthread_mutex_lock(&q->lock);
	while(!due(q) && !(q->closing && q->fill->n == 0)){
		if(q->fill->n == 0){
			pthread_cond_wait(&q->ready, &q->lock);
		}else{
			struct timespec ts = mono_deadline(q->first_us + q->flush_us);
			int rc = pthread_cond_timedwait(&q->ready, &q->lock, &ts);
			(void)rc; /* ETIMEDOUT or a wake-up: due() decides */
		}
	}
	if(q->fill->n > 0){
		full = q->fill;
		q->fill = empty;
		pthread_cond_broadcast(&q->room);
	}
	pthread_mutex_unlock(&q->lock);
	return full;
}

void ingest_queue_close(struct ingest_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closing = true;
	pthread_cond_broadcast(&q->ready);
	pthread_cond_broadcast(&q->room);
	pthread_mutex_unlock(&q->lock);
}

bool ingest_queue_closing(struct ingest_queue *q)
{
	bool closing;
	pthread_mutex_lock(&q->lock);
	closing = q->closing;
	pthread_mutex_unlock(&q->lock);
	return closing;
}
