/* What the parts of the ingest (MQTT side, writer, replies) share. Not for use outside it. */
#ifndef PERCH_INGEST_INTERNAL_H
#define PERCH_INGEST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "ingest/cache.h"
#include "ingest/ingest.h"
#include "ingest/queue.h"
#include "store/feeds.h"
#include "util/thread.h"

struct mosquitto;

struct perch_ingest {
	struct mosquitto *mosq;
	struct ingest_queue queue;
	struct ingest_writer *writer;
	pthread_t net_thread, writer_thread;
	bool net_started, writer_started;
	int wake_fd;             /* eventfd: wakes the network thread (something to write, stop) */
	size_t max_value;

	atomic_bool connected;
	atomic_bool stopping;    /* perch_ingest_stop has begun */

	pthread_mutex_t lock;    /* guards connack */
	pthread_cond_t cond;
	int connack;             /* result of the first CONNACK; -1 before it */

	atomic_uint_fast64_t received, stored, rejected, batches, queued;
};

/* The writer: resolves feeds, writes batches, answers /get (writer.c, reply.c). */
struct ingest_writer {
	struct perch_ingest *ing;
	char *db_url;
	PGconn *conn;
	struct ingest_cache cache;
	struct ingest_batch *spare; /* the batch the queue gets back at the next take */
	size_t chunk;              /* most rows per transaction */
	/* scratch arrays kept between batches */
	struct perch_row *rows;
	struct row_key *keys;
	size_t rows_cap;
	struct perch_last_value *lv;
	bool *stale;
	struct perch_rollup *minute, *hour;
};

struct ingest_writer *ingest_writer_new(struct perch_ingest *ing, const char *db_url, int chunk,
		char *err, size_t errlen);
void ingest_writer_free(struct ingest_writer *w);
void *ingest_writer_main(void *arg);

/* The user (from the cache, or the database when unknown or due for a check). -1: database error. */
int ingest_writer_user(struct ingest_writer *w, const char *name, struct ingest_user **out);
/* Makes sure the writer's database connection works, reconnecting when it broke. */
int ingest_writer_connect(struct ingest_writer *w);

/* Answers a /get record (reply.c). -1 on a database error. */
int ingest_reply_get(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec);

/* The network thread (net.c). */
void ingest_set_callbacks(struct perch_ingest *ing);
void *ingest_net_main(void *arg);
/* Makes the network thread look at its queue of packets to write. */
void ingest_wake(struct perch_ingest *ing);

/* Parses one message and queues its records, or refuses it (parse.c; network thread). */
void ingest_take_message(struct perch_ingest *ing, const char *topic, const void *payload, size_t len);

/* Tells user about a refused message on {user}/errors ("PUBLISH <topic> <reason>"), counts it. */
void ingest_reject(struct perch_ingest *ing, const char *user, const char *topic, const char *reason);

/* Called first by every ingest thread: signals are for the daemon's main thread. */
#define ingest_block_signals() perch_thread_block_signals()

#define ingest_log(...) perch_log("ingest", __VA_ARGS__)

#endif
