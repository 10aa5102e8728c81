#include "store/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topic.h"

/* Times cross the wire as microseconds since the epoch, exactly (no float rounding). */
#define US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define TS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"

#define FEED_COLS \
	"f.id, f.user_id, f.key, f.name, f.description, f.unit_type, f.unit_symbol, f.visibility, " \
	"f.license, f.mqtt_topic, f.last_value, f.group_id, g.key, g.name, f.history, " \
	"coalesce(f.retention_days, u.retention_days), f.retention_days IS NOT NULL, " \
	US("f.created_at") ", " US("f.updated_at") ", " US("f.last_value_at")
#define FEED_FROM " FROM feeds f JOIN users u ON u.id = f.user_id LEFT JOIN groups g ON g.id = f.group_id "

#define DATA_COLS "d.id, " US("d.created_at") ", d.value, d.lat, d.lon, d.ele"

/* Runs a statement; on failure fills err, tells whether the link is down, and the SQLSTATE. */
static PGresult *run(PGconn *conn, bool *db_down, char *err, size_t errlen, char sqlstate[6],
		const char *sql, int nparams, const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	const char *state;

	if(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK){
		return res;
	}
	snprintf(err, errlen, "database: %s", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	err[strcspn(err, "\n")] = '\0';
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if(sqlstate){
		snprintf(sqlstate, 6, "%s", state ? state : "");
	}
	*db_down = PQstatus(conn) == CONNECTION_BAD;
	PQclear(res);
	return NULL;
}

static char *dup_or_null(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static int64_t get_i64(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static bool get_f64(const PGresult *res, int row, int col, double *out)
{
	if(PQgetisnull(res, row, col)){
		*out = 0;
		return false;
	}
	*out = strtod(PQgetvalue(res, row, col), NULL);
	return true;
}

void perch_feed_rec_clear(struct perch_feed_rec *f)
{
	free(f->name);
	free(f->description);
	free(f->unit_type);
	free(f->unit_symbol);
	free(f->visibility);
	free(f->license);
	free(f->mqtt_topic);
	free(f->last_value);
	free(f->group_key);
	free(f->group_name);
	memset(f, 0, sizeof(*f));
}

void perch_feed_recs_free(struct perch_feed_rec *f, size_t n)
{
	for(size_t i = 0; f && i < n; i++){
		perch_feed_rec_clear(&f[i]);
	}
	free(f);
}

/* A nullable text column copied; *oom is set when the copy fails. */
static char *dup_col(const PGresult *res, int row, int col, bool *oom)
{
	char *s = dup_or_null(res, row, col);
	if(!s && !PQgetisnull(res, row, col)){
		*oom = true;
	}
	return s;
}

/* Copies one row of FEED_COLS. Returns -1 when out of memory. */
static int feed_from_row(const PGresult *res, int row, struct perch_feed_rec *f)
{
	bool oom = false;

	memset(f, 0, sizeof(*f));
	f->id = get_i64(res, row, 0);
	f->user_id = get_i64(res, row, 1);
	snprintf(f->key, sizeof(f->key), "%s", PQgetvalue(res, row, 2));
	f->name = dup_col(res, row, 3, &oom);
	f->description = dup_col(res, row, 4, &oom);
	f->unit_type = dup_col(res, row, 5, &oom);
	f->unit_symbol = dup_col(res, row, 6, &oom);
	f->visibility = dup_col(res, row, 7, &oom);
	f->license = dup_col(res, row, 8, &oom);
	f->mqtt_topic = dup_col(res, row, 9, &oom);
	f->last_value = dup_col(res, row, 10, &oom);
	f->has_group = !PQgetisnull(res, row, 11);
	f->group_id = get_i64(res, row, 11);
	f->group_key = dup_col(res, row, 12, &oom);
	f->group_name = dup_col(res, row, 13, &oom);
	f->history = PQgetvalue(res, row, 14)[0] == 't';
	f->retention_days = (int)get_i64(res, row, 15);
	f->retention_own = PQgetvalue(res, row, 16)[0] == 't';
	f->created_us = get_i64(res, row, 17);
	f->updated_us = get_i64(res, row, 18);
	f->last_value_us = get_i64(res, row, 19);
	if(oom){
		perch_feed_rec_clear(f);
		return -1;
	}
	return 0;
}

int perch_q_feed_list(PGconn *conn, int64_t user_id, struct perch_feed_rec **out, size_t *n,
		bool *db_down, char *err, size_t errlen)
{
	char uid[24];
	const char *params[] = { uid };
	PGresult *res;
	int rows;

	*out = NULL;
	*n = 0;
	snprintf(uid, sizeof(uid), "%" PRId64, user_id);
	res = run(conn, db_down, err, errlen, NULL,
			"SELECT " FEED_COLS FEED_FROM "WHERE f.user_id = $1 ORDER BY f.id", 1, params);
	if(!res){
		return -1;
	}
	rows = PQntuples(res);
	*out = calloc(rows > 0 ? (size_t)rows : 1, sizeof(**out));
	for(int i = 0; *out && i < rows; i++){
		if(feed_from_row(res, i, &(*out)[i]) != 0){
			perch_feed_recs_free(*out, (size_t)i);
			*out = NULL;
		}
	}
	PQclear(res);
	if(!*out){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*n = (size_t)rows;
	return 0;
}

/* Fills one feed from a query expected to return at most one row. */
static int feed_one(PGconn *conn, const char *sql, int nparams, const char *const *params,
		struct perch_feed_rec *out, bool *db_down, char *err, size_t errlen)
{
	PGresult *res = run(conn, db_down, err, errlen, NULL, sql, nparams, params);
	int rc;

	if(!res){
		return -1;
	}
	if(PQntuples(res) == 0){
		PQclear(res);
		return 1;
	}
	rc = feed_from_row(res, 0, out);
	PQclear(res);
	if(rc != 0){
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

/* The identifier as a positive decimal id, or NULL. */
static const char *numeric_id(const char *ident, char *buf, size_t buflen)
{
	size_t len = strlen(ident);

	if(len == 0 || len > 18 || strspn(ident, "0123456789") != len){
		return NULL;
	}
	snprintf(buf, buflen, "%s", ident);
	return buf;
}

int perch_q_feed_find(PGconn *conn, int64_t user_id, const char *ident, struct perch_feed_rec *out,
		bool *db_down, char *err, size_t errlen)
{
	char uid[24], key[PERCH_KEY_MAX + 1], idbuf[24];
	size_t len = strlen(ident);
	const char *params[4];

	memset(out, 0, sizeof(*out));
	if(len == 0 || len > 512){
		return 1;
	}
	snprintf(uid, sizeof(uid), "%" PRId64, user_id);
	params[0] = uid;
	params[1] = perch_feed_key_normalize(ident, len, key, sizeof(key)) == 0 ? key : NULL;
	params[2] = numeric_id(ident, idbuf, sizeof(idbuf));
	params[3] = ident;
	/* a key wins over an id, an id over a name: "123" may be a key too */
	return feed_one(conn,
			"SELECT " FEED_COLS FEED_FROM
			"WHERE f.user_id = $1 AND (f.key = $2 OR f.id = $3::bigint OR f.name = $4) "
			"ORDER BY CASE WHEN f.key = $2 THEN 0 WHEN f.id = $3::bigint THEN 1 ELSE 2 END, f.id LIMIT 1",
			4, params, out, db_down, err, errlen);
}

int perch_q_feed_get(PGconn *conn, int64_t user_id, int64_t feed_id, struct perch_feed_rec *out,
		bool *db_down, char *err, size_t errlen)
{
	char uid[24], fid[24];
	const char *params[] = { uid, fid };

	memset(out, 0, sizeof(*out));
	snprintf(uid, sizeof(uid), "%" PRId64, user_id);
	snprintf(fid, sizeof(fid), "%" PRId64, feed_id);
	return feed_one(conn, "SELECT " FEED_COLS FEED_FROM "WHERE f.user_id = $1 AND f.id = $2",
			2, params, out, db_down, err, errlen);
}

/* The SQL and parameter list of an UPDATE, built from fixed column names only. */
struct update_sql {
	char sql[1024];
	const char *params[16];
	char retention[16];
	int n;
};

static void update_add(struct update_sql *u, const char *column, const char *cast, const char *value)
{
	size_t len = strlen(u->sql);
	u->params[u->n] = value;
	u->n++;
	snprintf(u->sql + len, sizeof(u->sql) - len, ", %s = $%d%s", column, u->n, cast);
}

static void update_build(struct update_sql *u, const char *feed_id, const struct perch_feed_patch *p)
{
	memset(u, 0, sizeof(*u));
	snprintf(u->sql, sizeof(u->sql), "UPDATE feeds SET updated_at = now()");
	u->params[u->n++] = feed_id;
	if(p->set_name) update_add(u, "name", "", p->name);
	if(p->set_key) update_add(u, "key", "", p->key);
	if(p->set_description) update_add(u, "description", "", p->description);
	if(p->set_unit_type) update_add(u, "unit_type", "", p->unit_type);
	if(p->set_unit_symbol) update_add(u, "unit_symbol", "", p->unit_symbol);
	if(p->set_history) update_add(u, "history", "::boolean", p->history ? "true" : "false");
	if(p->set_visibility) update_add(u, "visibility", "", p->visibility);
	if(p->set_license) update_add(u, "license", "", p->license);
	if(p->set_retention){
		snprintf(u->retention, sizeof(u->retention), "%d", p->retention_days);
		update_add(u, "retention_days", "::integer", p->retention_days > 0 ? u->retention : NULL);
	}
	size_t len = strlen(u->sql);
	snprintf(u->sql + len, sizeof(u->sql) - len, " WHERE id = $1");
}

int perch_q_feed_update(PGconn *conn, int64_t feed_id, const struct perch_feed_patch *patch,
		bool *db_down, char *err, size_t errlen)
{
	char id[24], state[6] = "";
	struct update_sql u;
	PGresult *res;

	snprintf(id, sizeof(id), "%" PRId64, feed_id);
	update_build(&u, id, patch);
	res = run(conn, db_down, err, errlen, state, u.sql, u.n, u.params);
	if(!res){
		/* 23505: unique_violation, i.e. (user_id, key) is taken */
		return strcmp(state, "23505") == 0 ? 1 : -1;
	}
	PQclear(res);
	return 0;
}

int perch_q_feed_delete(PGconn *conn, int64_t feed_id, bool *db_down, char *err, size_t errlen)
{
	char id[24];
	const char *params[] = { id };
	PGresult *res;

	snprintf(id, sizeof(id), "%" PRId64, feed_id);
	/* one statement, so a failure leaves nothing half deleted */
	res = run(conn, db_down, err, errlen, NULL,
			"WITH d AS (DELETE FROM data WHERE feed_id = $1), "
			"m AS (DELETE FROM rollup_minute WHERE feed_id = $1), "
			"h AS (DELETE FROM rollup_hour WHERE feed_id = $1) "
			"DELETE FROM feeds WHERE id = $1", 1, params);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}

void perch_data_recs_free(struct perch_data_rec *d, size_t n)
{
	for(size_t i = 0; d && i < n; i++){
		free(d[i].value);
	}
	free(d);
}

static int data_from_row(const PGresult *res, int row, struct perch_data_rec *d)
{
	d->id = get_i64(res, row, 0);
	d->created_us = get_i64(res, row, 1);
	d->value = strdup(PQgetvalue(res, row, 2));
	d->has_lat = get_f64(res, row, 3, &d->lat);
	d->has_lon = get_f64(res, row, 4, &d->lon);
	d->has_ele = get_f64(res, row, 5, &d->ele);
	return d->value ? 0 : -1;
}

static int data_rows(PGresult *res, struct perch_data_rec **out, size_t *n, char *err, size_t errlen)
{
	int rows = PQntuples(res);

	*out = calloc(rows > 0 ? (size_t)rows : 1, sizeof(**out));
	for(int i = 0; *out && i < rows; i++){
		if(data_from_row(res, i, &(*out)[i]) != 0){
			perch_data_recs_free(*out, (size_t)i + 1);
			*out = NULL;
		}
	}
	PQclear(res);
	if(!*out){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*n = (size_t)rows;
	return 0;
}

/* The WHERE clause of a range and its parameters ($1 is the feed). */
struct range_sql {
	char where[512];
	const char *params[6];
	char buf[5][24];
	int n;
};

static void range_add(struct range_sql *r, const char *fmt, int64_t v)
{
	size_t len = strlen(r->where);
	snprintf(r->buf[r->n - 1], sizeof(r->buf[0]), "%" PRId64, v);
	r->params[r->n] = r->buf[r->n - 1];
	r->n++;
	snprintf(r->where + len, sizeof(r->where) - len, fmt, r->n, r->n + 1);
}

static void range_build(struct range_sql *r, const char *feed_id, const struct perch_data_range *range,
		bool with_cursor)
{
	memset(r, 0, sizeof(*r));
	r->params[r->n++] = feed_id;
	snprintf(r->where, sizeof(r->where), " WHERE d.feed_id = $1");
	if(range->has_start){
		range_add(r, " AND d.created_at >= " TS("$%d"), range->start_us);
	}
	if(range->has_end){
		range_add(r, " AND d.created_at < " TS("$%d"), range->end_us);
	}
	if(with_cursor && range->has_before){
		/* row comparison: strictly older than the cursor in (created_at, id) order */
		range_add(r, " AND (d.created_at, d.id) < (" TS("$%d") ", $%d::bigint)", range->before_us);
		snprintf(r->buf[r->n - 1], sizeof(r->buf[0]), "%" PRId64, range->before_id);
		r->params[r->n] = r->buf[r->n - 1];
		r->n++;
	}
}

int perch_q_data_page(PGconn *conn, int64_t feed_id, const struct perch_data_range *range,
		struct perch_data_rec **out, size_t *n, bool *db_down, char *err, size_t errlen)
{
	char id[24], sql[1024], limit[16];
	struct range_sql r;
	PGresult *res;

	*out = NULL;
	*n = 0;
	snprintf(id, sizeof(id), "%" PRId64, feed_id);
	range_build(&r, id, range, true);
	snprintf(limit, sizeof(limit), "%d", range->limit);
	r.params[r.n++] = limit;
	snprintf(sql, sizeof(sql), "SELECT " DATA_COLS " FROM data d%s ORDER BY d.created_at DESC, d.id DESC LIMIT $%d",
			r.where, r.n);
	res = run(conn, db_down, err, errlen, NULL, sql, r.n, r.params);
	if(!res){
		return -1;
	}
	return data_rows(res, out, n, err, errlen);
}

int perch_q_data_count(PGconn *conn, int64_t feed_id, const struct perch_data_range *range,
		int64_t cap, int64_t *count, bool *db_down, char *err, size_t errlen)
{
	char id[24], sql[1024], capbuf[24];
	struct range_sql r;
	PGresult *res;

	snprintf(id, sizeof(id), "%" PRId64, feed_id);
	range_build(&r, id, range, false);
	snprintf(capbuf, sizeof(capbuf), "%" PRId64, cap);
	r.params[r.n++] = capbuf;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM (SELECT 1 FROM data d%s LIMIT $%d) s", r.where, r.n);
	res = run(conn, db_down, err, errlen, NULL, sql, r.n, r.params);
	if(!res){
		return -1;
	}
	*count = get_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

/* Fills out from a query expected to return at most one data row. 1: none. */
static int data_one(PGconn *conn, const char *sql, int nparams, const char *const *params,
		struct perch_data_rec *out, bool *db_down, char *err, size_t errlen)
{
	PGresult *res = run(conn, db_down, err, errlen, NULL, sql, nparams, params);
	int rc;

	memset(out, 0, sizeof(*out));
	if(!res){
		return -1;
	}
	if(PQntuples(res) == 0){
		PQclear(res);
		return 1;
	}
	rc = data_from_row(res, 0, out);
	PQclear(res);
	if(rc != 0){
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

int perch_q_data_edge(PGconn *conn, int64_t feed_id, bool newest, struct perch_data_rec *out,
		bool *db_down, char *err, size_t errlen)
{
	char id[24];
	const char *params[] = { id };

	snprintf(id, sizeof(id), "%" PRId64, feed_id);
	return data_one(conn, newest
			? "SELECT " DATA_COLS " FROM data d WHERE d.feed_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT 1"
			: "SELECT " DATA_COLS " FROM data d WHERE d.feed_id = $1 ORDER BY d.created_at, d.id LIMIT 1",
			1, params, out, db_down, err, errlen);
}

int perch_q_data_get(PGconn *conn, int64_t feed_id, int64_t id, struct perch_data_rec *out,
		bool *db_down, char *err, size_t errlen)
{
	char fid[24], did[24];
	const char *params[] = { fid, did };

	snprintf(fid, sizeof(fid), "%" PRId64, feed_id);
	snprintf(did, sizeof(did), "%" PRId64, id);
	return data_one(conn, "SELECT " DATA_COLS " FROM data d WHERE d.feed_id = $1 AND d.id = $2",
			2, params, out, db_down, err, errlen);
}

static int exec_params(PGconn *conn, const char *sql, int n, const char *const *params,
		bool *db_down, char *err, size_t errlen)
{
	PGresult *res = run(conn, db_down, err, errlen, NULL, sql, n, params);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}

/*
 * Recomputes the rollup bucket of one table that held time t from the points that remain,
 * and drops it when no numeric point is left.
 */
static int rollup_recompute(PGconn *conn, const char *table, const char *unit, const char *const *params,
		bool *db_down, char *err, size_t errlen)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
			"WITH b AS (SELECT date_trunc('%s', " TS("$2") ") AS bucket), "
			"a AS (SELECT count(*) AS c, sum(d.num) AS s, min(d.num) AS lo, max(d.num) AS hi "
			"FROM data d, b WHERE d.feed_id = $1 AND d.created_at >= b.bucket "
			"AND d.created_at < b.bucket + interval '1 %s') "
			"UPDATE %s r SET count = a.c, sum = a.s, min = a.lo, max = a.hi FROM a, b "
			"WHERE r.feed_id = $1 AND r.bucket = b.bucket",
			unit, unit, table);
	if(exec_params(conn, sql, 2, params, db_down, err, errlen) != 0){
		return -1;
	}
	snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE feed_id = $1 AND bucket = date_trunc('%s', " TS("$2") ") AND count = 0",
			table, unit);
	return exec_params(conn, sql, 2, params, db_down, err, errlen);
}

/* The body of perch_q_data_delete, inside its transaction. */
static int data_delete_tx(PGconn *conn, const char *const *ids, bool *db_down, char *err, size_t errlen)
{
	char when[24];
	const char *params[] = { ids[0], when };
	PGresult *res = run(conn, db_down, err, errlen, NULL,
			"DELETE FROM data WHERE feed_id = $1 AND id = $2 RETURNING " US("created_at"), 2, ids);

	if(!res){
		return -1;
	}
	if(PQntuples(res) == 0){
		PQclear(res);
		return 1;
	}
	snprintf(when, sizeof(when), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if(rollup_recompute(conn, "rollup_minute", "minute", params, db_down, err, errlen) != 0
			|| rollup_recompute(conn, "rollup_hour", "hour", params, db_down, err, errlen) != 0){
		return -1;
	}
	/* the deleted point may have been the feed's last value */
	return exec_params(conn,
			"UPDATE feeds f SET (last_value, last_value_at) = (SELECT d.value, d.created_at FROM data d "
			"WHERE d.feed_id = $1 ORDER BY d.created_at DESC, d.id DESC LIMIT 1) "
			"WHERE f.id = $1 AND (f.last_value_at IS NULL OR f.last_value_at <= " TS("$2") ")",
			2, params, db_down, err, errlen);
}

int perch_q_data_delete(PGconn *conn, int64_t feed_id, int64_t id, bool *db_down, char *err, size_t errlen)
{
	char fid[24], did[24], ignored[128];
	const char *ids[] = { fid, did };
	int rc;

	snprintf(fid, sizeof(fid), "%" PRId64, feed_id);
	snprintf(did, sizeof(did), "%" PRId64, id);
	if(exec_params(conn, "BEGIN", 0, NULL, db_down, err, errlen) != 0){
		return -1;
	}
	rc = data_delete_tx(conn, ids, db_down, err, errlen);
	if(rc != 0){
		/* keep the first error; the pool drops a connection left inside a transaction */
		exec_params(conn, "ROLLBACK", 0, NULL, db_down, ignored, sizeof(ignored));
		return rc;
	}
	return exec_params(conn, "COMMIT", 0, NULL, db_down, err, errlen);
}

static const char *chart_sql(enum perch_chart_source source)
{
	switch(source){
	case PERCH_CHART_HOUR:
		return "SELECT (floor(extract(epoch FROM r.bucket) / $2) * $2)::bigint * 1000000, "
			"sum(r.sum) / nullif(sum(r.count), 0), min(r.min), max(r.max), sum(r.sum), sum(r.count) "
			"FROM rollup_hour r WHERE r.feed_id = $1 AND r.bucket >= " TS("$3") " AND r.bucket < " TS("$4")
			" GROUP BY 1 HAVING sum(r.count) > 0 ORDER BY 1";
	case PERCH_CHART_MINUTE:
		return "SELECT (floor(extract(epoch FROM r.bucket) / $2) * $2)::bigint * 1000000, "
			"sum(r.sum) / nullif(sum(r.count), 0), min(r.min), max(r.max), sum(r.sum), sum(r.count) "
			"FROM rollup_minute r WHERE r.feed_id = $1 AND r.bucket >= " TS("$3") " AND r.bucket < " TS("$4")
			" GROUP BY 1 HAVING sum(r.count) > 0 ORDER BY 1";
	case PERCH_CHART_RAW:
	default:
		return "SELECT (floor(extract(epoch FROM d.created_at) / $2) * $2)::bigint * 1000000, "
			"avg(d.num), min(d.num), max(d.num), sum(d.num), count(*) "
			"FROM data d WHERE d.feed_id = $1 AND d.created_at >= " TS("$3") " AND d.created_at < " TS("$4")
			" GROUP BY 1 ORDER BY 1";
	}
}

int perch_q_chart(PGconn *conn, int64_t feed_id, int64_t start_us, int64_t end_us, int64_t bucket_s,
		enum perch_chart_source source, struct perch_chart_point **out, size_t *n,
		bool *db_down, char *err, size_t errlen)
{
	char fid[24], bucket[24], start[24], end[24];
	const char *params[] = { fid, bucket, start, end };
	PGresult *res;
	int rows;

	*out = NULL;
	*n = 0;
	snprintf(fid, sizeof(fid), "%" PRId64, feed_id);
	snprintf(bucket, sizeof(bucket), "%" PRId64, bucket_s);
	snprintf(start, sizeof(start), "%" PRId64, start_us);
	snprintf(end, sizeof(end), "%" PRId64, end_us);
	res = run(conn, db_down, err, errlen, NULL, chart_sql(source), 4, params);
	if(!res){
		return -1;
	}
	rows = PQntuples(res);
	*out = calloc(rows > 0 ? (size_t)rows : 1, sizeof(**out));
	if(!*out){
		PQclear(res);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for(int i = 0; i < rows; i++){
		struct perch_chart_point *pt = &(*out)[i];
		pt->bucket_us = get_i64(res, i, 0);
		pt->has_num = get_f64(res, i, 1, &pt->avg);
		get_f64(res, i, 2, &pt->min);
		get_f64(res, i, 3, &pt->max);
		get_f64(res, i, 4, &pt->sum);
		pt->count = get_i64(res, i, 5);
	}
	PQclear(res);
	*n = (size_t)rows;
	return 0;
}

int perch_q_recent_points(PGconn *conn, int64_t user_id, int seconds, int64_t *count,
		bool *db_down, char *err, size_t errlen)
{
	char uid[24], secs[16];
	const char *params[] = { uid, secs };
	PGresult *res;

	snprintf(uid, sizeof(uid), "%" PRId64, user_id);
	snprintf(secs, sizeof(secs), "%d", seconds);
	res = run(conn, db_down, err, errlen, NULL,
			"SELECT count(*) FROM data d WHERE d.feed_id IN (SELECT id FROM feeds WHERE user_id = $1) "
			"AND d.created_at > now() - make_interval(secs => $2::integer)", 2, params);
	if(!res){
		return -1;
	}
	*count = get_i64(res, 0, 0);
	PQclear(res);
	return 0;
}

bool perch_q_ping(PGconn *conn)
{
	PGresult *res = PQexec(conn, "SELECT 1");
	bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	return ok;
}
