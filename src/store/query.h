/*
 * The reads (and the few edits) the REST API makes on feeds and data points: feed lists and
 * lookups, feed updates and deletion, pages of data newest first, single points, and chart
 * aggregation (from the minute and hour rollups for long ranges). Writing new points goes
 * through store/feeds.h, which keeps last_value and the rollups current.
 *
 * Every function returns 0, 1 where "not found" (or another outcome) is stated, or -1 with a
 * message in err; *db_down is set when the connection itself is broken (the API answers 503).
 */
#ifndef PERCH_QUERY_H
#define PERCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "topic.h"

#define PERCH_PAGE_MAX 1000 /* Adafruit's largest page */

struct perch_feed_rec {
	int64_t id;
	int64_t user_id;
	char key[PERCH_KEY_MAX + 1];
	char *name;                 /* owned strings; NULL where the column is NULL */
	char *description;
	char *unit_type;
	char *unit_symbol;
	char *visibility;
	char *license;
	char *mqtt_topic;           /* the free-form topic the feed came from */
	char *last_value;
	bool has_group;
	int64_t group_id;
	char *group_key;
	char *group_name;
	bool history;
	int retention_days;         /* in force: the feed's own or its owner's */
	bool retention_own;         /* the feed sets its own */
	int64_t created_us, updated_us;
	int64_t last_value_us;      /* 0: no value yet */
};

void perch_feed_rec_clear(struct perch_feed_rec *f);
void perch_feed_recs_free(struct perch_feed_rec *f, size_t n);

/* All feeds of a user, by key. */
int perch_q_feed_list(PGconn *conn, int64_t user_id, struct perch_feed_rec **out, size_t *n,
		bool *db_down, char *err, size_t errlen);

/*
 * The feed a path names: by key (ident normalised), else by numeric id, else by name,
 * as Adafruit's clients address feeds by any of the three. 1: no such feed of that user.
 */
int perch_q_feed_find(PGconn *conn, int64_t user_id, const char *ident, struct perch_feed_rec *out,
		bool *db_down, char *err, size_t errlen);

/* The feed with this id, if it belongs to the user. 1: no such feed. */
int perch_q_feed_get(PGconn *conn, int64_t user_id, int64_t feed_id, struct perch_feed_rec *out,
		bool *db_down, char *err, size_t errlen);

/* One change to a feed; a field is changed only when its set_ flag is true. */
struct perch_feed_patch {
	bool set_name, set_key, set_description, set_unit_type, set_unit_symbol;
	bool set_history, set_visibility, set_license, set_retention;
	const char *name, *key, *description, *unit_type, *unit_symbol, *visibility, *license;
	bool history;
	int retention_days;         /* 0: back to the owner's retention */
};

/* 1: the new key is taken by another feed of the user. */
int perch_q_feed_update(PGconn *conn, int64_t feed_id, const struct perch_feed_patch *patch,
		bool *db_down, char *err, size_t errlen);

/* Deletes the feed, its data points and its rollups in one statement. */
int perch_q_feed_delete(PGconn *conn, int64_t feed_id, bool *db_down, char *err, size_t errlen);

struct perch_data_rec {
	int64_t id;
	int64_t created_us;
	char *value;                /* owned */
	bool has_lat, has_lon, has_ele;
	double lat, lon, ele;
};

void perch_data_recs_free(struct perch_data_rec *d, size_t n);

/* Which points of a feed: [start, end) and, for the next page, strictly before a cursor. */
struct perch_data_range {
	bool has_start, has_end, has_before;
	int64_t start_us, end_us;
	int64_t before_us, before_id;   /* the last point of the previous page */
	int limit;                      /* 1..PERCH_PAGE_MAX (+1 to learn whether more follow) */
};

/* Points newest first (created_at, then id). */
int perch_q_data_page(PGconn *conn, int64_t feed_id, const struct perch_data_range *range,
		struct perch_data_rec **out, size_t *n, bool *db_down, char *err, size_t errlen);

/* How many points lie in [start, end), counting at most cap. */
int perch_q_data_count(PGconn *conn, int64_t feed_id, const struct perch_data_range *range,
		int64_t cap, int64_t *count, bool *db_down, char *err, size_t errlen);

/* The newest (or oldest) point. 1: the feed has none. */
int perch_q_data_edge(PGconn *conn, int64_t feed_id, bool newest, struct perch_data_rec *out,
		bool *db_down, char *err, size_t errlen);

/* One point by id. 1: no such point in this feed. */
int perch_q_data_get(PGconn *conn, int64_t feed_id, int64_t id, struct perch_data_rec *out,
		bool *db_down, char *err, size_t errlen);

/*
 * Deletes one point, then recomputes the minute and hour rollups it belonged to and the feed's
 * last value, in one transaction. 1: no such point in this feed.
 */
int perch_q_data_delete(PGconn *conn, int64_t feed_id, int64_t id, bool *db_down, char *err, size_t errlen);

enum perch_chart_source {
	PERCH_CHART_RAW,     /* aggregate the points themselves: short ranges */
	PERCH_CHART_MINUTE,  /* from rollup_minute: buckets that are whole minutes */
	PERCH_CHART_HOUR,    /* from rollup_hour: buckets that are whole hours */
};

struct perch_chart_point {
	int64_t bucket_us;   /* start of the bucket */
	bool has_num;        /* the bucket holds numeric points: avg, min, max, sum are set */
	double avg, min, max, sum;
	int64_t count;       /* points in the bucket, numeric or not (as the rollups count) */
};

/*
 * Aggregates the points of [start, end) into buckets of bucket_s seconds aligned to the epoch,
 * oldest first; buckets without points are left out. avg/min/max/sum are over numeric values;
 * from the rollups avg is sum / count, exact when the feed holds numbers only.
 */
int perch_q_chart(PGconn *conn, int64_t feed_id, int64_t start_us, int64_t end_us, int64_t bucket_s,
		enum perch_chart_source source, struct perch_chart_point **out, size_t *n,
		bool *db_down, char *err, size_t errlen);

/* Points the user's feeds received in the last `seconds` seconds. */
int perch_q_recent_points(PGconn *conn, int64_t user_id, int seconds, int64_t *count,
		bool *db_down, char *err, size_t errlen);

/* True when the database answers a trivial query. */
bool perch_q_ping(PGconn *conn);

#endif
