/*
 * Ingest: perch's own MQTT client (libmosquitto, MQTT v5, persistent session, QoS 1) that
 * receives everything published in users' namespaces, validates it, writes it in batches to
 * PostgreSQL, auto-creates feeds, answers /get, and reports problems on {user}/errors.
 * The same connection publishes perch's own messages (live values posted over REST, the time
 * topics); its subscription uses "no local", so those are never stored twice.
 */
#ifndef PERCH_INGEST_H
#define PERCH_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct perch_ingest;

/* Connects to the broker and the database and starts receiving. NULL with err on failure. */
struct perch_ingest *perch_ingest_start(const struct perch_config *cfg, char *err, size_t errlen);

/* Publishes on the broker as perch (thread-safe). Returns 0, or -1 when not connected. */
int perch_ingest_publish(struct perch_ingest *ing, const char *topic, const void *payload, size_t len,
		int qos, bool retain);

/* True while the MQTT connection is up (for /healthz). */
bool perch_ingest_connected(const struct perch_ingest *ing);

struct perch_ingest_stats {
	uint64_t received;   /* messages taken from the broker */
	uint64_t stored;     /* rows committed */
	uint64_t rejected;   /* messages refused with a notice on {user}/errors */
	uint64_t batches;
	uint64_t queued;     /* rows waiting to be written now */
};
void perch_ingest_stats(const struct perch_ingest *ing, struct perch_ingest_stats *out);

/* Stops receiving, writes every row already received, disconnects, frees. */
void perch_ingest_stop(struct perch_ingest *ing);

#endif
