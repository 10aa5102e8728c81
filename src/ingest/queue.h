/*
 * The hand-over from the MQTT thread, which only parses, to the writer thread, which talks to
 * PostgreSQL. Records and their strings are appended to one batch whose arrays are kept and
 * reused, so a steady flow of messages allocates nothing here. The writer swaps the filled
 * batch for an empty one when ingest_batch rows are waiting or the oldest has waited
 * ingest_flush_ms. When the writer falls behind, the MQTT thread waits for room: the broker
 * then holds the messages (the ingest's persistent QoS 1 session) instead of perch's memory.
 */
#ifndef PERCH_INGEST_QUEUE_H
#define PERCH_INGEST_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ingest_rec_kind {
	REC_DATA = 0,   /* a value to store */
	REC_GET_FEED,   /* .../get on a feed or free-form topic: re-send the last value */
	REC_GET_GROUP,  /* .../get on a group topic */
};

enum {
	REC_HAS_NUM = 1,
	REC_HAS_LAT = 2,
	REC_HAS_LON = 4,
	REC_HAS_ELE = 8,
	REC_FREEFORM = 16, /* came from a free-form topic: the feed remembers the topic */
};

enum ingest_rec_state {
	REC_PENDING = 0, /* the writer has not resolved its feed yet */
	REC_READY,       /* feed_id is known */
	REC_REJECTED,    /* the user was told why on {user}/errors */
};

struct ingest_rec {
	int64_t created_us;
	int64_t feed_id;   /* filled in by the writer */
	double num, lat, lon, ele;
	/* offsets of NUL-terminated strings in the batch's text */
	uint32_t user, key, name, topic, value;
	uint32_t value_len;
	uint8_t kind, format, flags, state;
};

struct ingest_batch {
	struct ingest_rec *recs;
	size_t n, cap;
	char *text;
	size_t len, text_cap;
};

static inline const char *rec_str(const struct ingest_batch *b, uint32_t off)
{
	return b->text + off;
}

/* The strings of a record as the MQTT thread has them. */
struct ingest_strings {
	const char *user, *key, *name, *topic, *value;
	size_t value_len;
};

struct ingest_queue {
	pthread_mutex_t lock;
	pthread_cond_t ready;   /* signalled when a batch may be due */
	pthread_cond_t room;    /* signalled when the writer took the batch */
	struct ingest_batch *fill;
	size_t due_rows;
	int64_t flush_us;
	size_t max_rows, max_text;
	int64_t first_us;       /* monotonic time of fill's first record */
	bool closing;
};

int ingest_queue_init(struct ingest_queue *q, int due_rows, int flush_ms);
/* Frees the batch being filled (struct and arrays). */
void ingest_queue_destroy(struct ingest_queue *q);

/* Copies rec and its strings in (waiting while the queue is full). -1: out of memory. */
int ingest_queue_push(struct ingest_queue *q, const struct ingest_rec *rec, const struct ingest_strings *s);

/*
 * Waits until a batch is due and returns it, leaving `empty` (heap-allocated, empty) in its
 * place: the two trade owners, the caller now owns the returned batch and the queue `empty`.
 * NULL once the queue is closed and drained (`empty` then stays the caller's).
 */
struct ingest_batch *ingest_queue_take(struct ingest_queue *q, struct ingest_batch *empty);

/* No more records will come: take returns what is left, then NULL. */
void ingest_queue_close(struct ingest_queue *q);
bool ingest_queue_closing(struct ingest_queue *q);

void ingest_batch_reset(struct ingest_batch *b);
/* Frees the arrays (not the struct). */
void ingest_batch_free(struct ingest_batch *b);

#endif
