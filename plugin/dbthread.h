/*
 * The plugin's PostgreSQL thread. It alone talks to the database, so the broker thread never
 * waits on it: it connects (retrying with backoff), LISTENs on perch_auth, loads a snapshot of
 * users and keys on start, on each notification and every reload_seconds, and writes keys'
 * last use. Everything it gives the broker thread (snapshots, log lines) waits under a mutex
 * until the broker thread takes it from its TICK callback.
 */
#ifndef PERCH_PLUGIN_DBTHREAD_H
#define PERCH_PLUGIN_DBTHREAD_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct perch_db;

/* Starts the thread. Returns NULL with a message in err when the thread cannot be started. */
struct perch_db *perch_db_start(const char *conninfo, int reload_seconds, char *err, size_t errlen);

/* Asks the thread to stop, joins it and frees everything it owned. NULL is ignored. */
void perch_db_stop(struct perch_db *db);

/* The newest snapshot not yet taken, or NULL. The caller owns it. */
struct perch_snapshot *perch_db_take_snapshot(struct perch_db *db);

/* Queues a key whose last_used_at the thread should set. Never blocks on the database. */
void perch_db_key_used(struct perch_db *db, int64_t key_id);

/* Hands the queued log lines to emit (level is a MOSQ_LOG_* value), outside the lock. */
void perch_db_drain_logs(struct perch_db *db, void (*emit)(int level, const char *line));

#endif
