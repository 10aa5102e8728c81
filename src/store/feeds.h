/*
 * Feeds and their data points: finding and auto-creating feeds, writing values (one at a time
 * for the API, in batches for the ingest) with the feed's last value and the minute/hour
 * rollups kept up to date.
 *
 * Lock order, so that a single insert and a batch never deadlock: a transaction that writes
 * data first updates the feeds rows it touches, then inserts data, then the minute rollups,
 * then the hour rollups.
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
 *
 * A key "group.feed" also finds or creates the group "group" and puts the feed in it; a name
 * written "Group.Feed" then names both (a name without a dot names the feed only).
 * Runs in its own transaction, or inside the caller's when one is open.
 */
int perch_feed_find_or_create(PGconn *conn, int64_t user_id, const char *key, const char *name,
		const char *mqtt_topic, bool create, int64_t *feed_id, char *err, size_t errlen);

/*
 * Stores one value now (or at d->created_us when d->has_time): returns 0 with the new row's
 * id and time. Keeps last_value and the rollups current. -1 with err when the feed does not
 * exist or the database fails.
 */
int perch_data_insert(PGconn *conn, int64_t feed_id, const struct perch_datum *d, int64_t *id,
		int64_t *created_us, char *err, size_t errlen);

/* ---- batch writing (the ingest) ---- */

/* One data point of a batch; the strings belong to the caller. */
struct perch_row {
	int64_t feed_id;
	int64_t created_us;
	const char *value;   /* UTF-8, no NUL inside */
	size_t value_len;
	bool has_num, has_lat, has_lon, has_ele;
	double num, lat, lon, ele;
};

/*
 * Appends rows to data with one binary COPY, inside the caller's transaction if one is open.
 * Neither last_value nor the rollups are touched: see the two functions below.
 */
int perch_data_copy(PGconn *conn, const struct perch_row *rows, size_t n, char *err, size_t errlen);

/* A feed's newest value in a batch. */
struct perch_last_value {
	int64_t feed_id;
	const char *key;     /* the key the caller looked the feed up by */
	const char *value;
	int64_t at_us;
};

/*
 * Sets each feed's last value unless the stored one is newer, locking the feeds rows (call it
 * first in the transaction). stale[i] is set when feed i no longer exists under lv[i].key
 * (deleted or renamed since the caller looked it up); nothing is updated for it. Returns the
 * number of stale feeds, or -1 with err.
 */
int perch_feeds_set_last(PGconn *conn, const struct perch_last_value *lv, size_t n, bool *stale,
		char *err, size_t errlen);

enum perch_rollup_table {
	PERCH_ROLLUP_MINUTE,
	PERCH_ROLLUP_HOUR,
};

/* count counts every value; sum/min/max only the numeric ones (has_num false: none). */
struct perch_rollup {
	int64_t feed_id;
	int64_t bucket_us;
	int64_t count;
	bool has_num;
	double sum, min, max;
};

/* The start of the bucket (UTC minute or hour) that holds us. */
int64_t perch_rollup_bucket(enum perch_rollup_table table, int64_t us);

/*
 * Adds the aggregates to the rollup table. Each (feed_id, bucket_us) must appear once, and the
 * entries should be sorted by it (a stable lock order).
 */
int perch_rollups_add(PGconn *conn, enum perch_rollup_table table, const struct perch_rollup *r,
		size_t n, char *err, size_t errlen);

/* A time as PostgreSQL reads it: "2024-03-01 14:00:00.123456+00" (at least 40 bytes). */
void perch_pg_time(int64_t us, char *out, size_t outlen);

#endif
