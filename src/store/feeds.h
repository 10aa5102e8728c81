/*
 * Feeds and their data points: finding and auto-creating feeds, writing values (one at a time
 * for the API, in batches for the ingest) with the feed's last value and the minute/hour
 * rollups kept up to date.
 */
#ifndef PERCH_FEEDS_H
#define PERCH_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "payload.h"

/*
 * Finds the feed user_id/key, creating it (name = name, mqtt_topic may be NULL) when it does
 * not exist and create is true, within the user's feed limit. Returns 0 with *feed_id;
 * 1 when it does not exist (create false); 2 when the feed limit is reached; -1 on error.
 */
int perch_feed_find_or_create(PGconn *conn, int64_t user_id, const char *key, const char *name,
		const char *mqtt_topic, bool create, int64_t *feed_id, char *err, size_t errlen);

/*
 * Stores one value now (or at d->created_us when d->has_time): returns 0 with the new row's
 * id and time. Keeps last_value and the rollups current.
 */
int perch_data_insert(PGconn *conn, int64_t feed_id, const struct perch_datum *d, int64_t *id,
		int64_t *created_us, char *err, size_t errlen);

#endif
