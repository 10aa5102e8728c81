#include "store/feeds.h"

#include <endian.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
#include "timefmt.h"
#include "topic.h"

#define US_PER_MINUTE INT64_C(60000000)
#define US_PER_HOUR (60 * US_PER_MINUTE)
/* PostgreSQL counts binary timestamps from 2000-01-01 00:00:00 UTC. */
#define PG_EPOCH_US INT64_C(946684800000000)
/* COPY data is handed to libpq in pieces of about this size. */
#define COPY_CHUNK (256 * 1024)

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if(!err || errlen == 0){
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- a growable byte buffer for SQL array literals and COPY data ---- */

struct sbuf {
	char *data;
	size_t len, cap;
	bool oom; /* one allocation failed: the content is incomplete */
};

static bool sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t cap;
	char *p;

	if(b->oom){
		return false;
	}
	if(b->len + more + 1 <= b->cap){
		return true;
	}
	cap = b->cap ? b->cap : 1024;
	while(cap < b->len + more + 1){
		cap *= 2;
	}
	p = realloc(b->data, cap);
	if(!p){
		b->oom = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

static void sbuf_add(struct sbuf *b, const void *bytes, size_t n)
{
	if(sbuf_reserve(b, n)){
		memcpy(b->data + b->len, bytes, n);
		b->len += n;
		b->data[b->len] = '\0';
	}
}

static void sbuf_addc(struct sbuf *b, char c)
{
	sbuf_add(b, &c, 1);
}

static void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if(n < 0 || (size_t)n >= sizeof(tmp)){
		b->oom = true; /* only short numbers and times are printed here */
		return;
	}
	sbuf_add(b, tmp, (size_t)n);
}

static void sbuf_free(struct sbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Appends s as a quoted element of a PostgreSQL array literal ("..." with \" and \\). */
static void sbuf_add_array_text(struct sbuf *b, const char *s)
{
	sbuf_addc(b, '"');
	for(const char *p = s; *p; p++){
		if(*p == '"' || *p == '\\'){
			sbuf_addc(b, '\\');
		}
		sbuf_addc(b, *p);
	}
	sbuf_addc(b, '"');
}

/* ---- small helpers ---- */

void perch_pg_time(int64_t us, char *out, size_t outlen)
{
	int64_t secs = us / 1000000, frac = us % 1000000;
	time_t t;
	struct tm tm;

	if(frac < 0){
		frac += 1000000;
		secs--;
	}
	t = (time_t)secs;
	gmtime_r(&t, &tm);
	snprintf(out, outlen, "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
}

int64_t perch_rollup_bucket(enum perch_rollup_table table, int64_t us)
{
	int64_t width = table == PERCH_ROLLUP_HOUR ? US_PER_HOUR : US_PER_MINUTE;
	int64_t rem = us % width;
	return us - (rem < 0 ? rem + width : rem);
}

static int exec_cmd(PGconn *conn, const char *sql, int n, const char *const *params, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, n, params);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}

/* Opens a transaction unless the caller already has one; *own says whether to close it. */
static int txn_begin(PGconn *conn, bool *own, char *err, size_t errlen)
{
	*own = PQtransactionStatus(conn) == PQTRANS_IDLE;
	return *own ? exec_cmd(conn, "BEGIN", 0, NULL, err, errlen) : 0;
}

/* Commits (rc >= 0) or rolls back our own transaction; returns rc, or -1 if COMMIT fails. */
static int txn_end(PGconn *conn, bool own, int rc, char *err, size_t errlen)
{
	if(!own){
		return rc;
	}
	if(rc < 0){
		exec_cmd(conn, "ROLLBACK", 0, NULL, NULL, 0);
		return rc;
	}
	return exec_cmd(conn, "COMMIT", 0, NULL, err, errlen) == 0 ? rc : -1;
}

/* Runs a query expected to return at most one bigint: 0 with *out, 1 when no row. */
static int query_id(PGconn *conn, const char *sql, int n, const char *const *params, int64_t *out,
		char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, n, params);
	int rc;

	if(!res){
		return -1;
	}
	rc = PQntuples(res) > 0 && !PQgetisnull(res, 0, 0) ? 0 : 1;
	if(rc == 0){
		*out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	return rc;
}

/* ---- finding and creating feeds ---- */

static int find_feed(PGconn *conn, const char *uid, const char *key, int64_t *feed_id, char *err, size_t errlen)
{
	const char *params[2] = { uid, key };
	return query_id(conn, "SELECT id FROM feeds WHERE user_id = $1 AND key = $2", 2, params, feed_id,
			err, errlen);
}

/*
 * Locks the user's row so that concurrent creations for one user run one after the other,
 * then counts the feeds with a fresh snapshot: the limit holds even under races.
 */
static int feed_room(PGconn *conn, const char *uid, char *err, size_t errlen)
{
	const char *params[1] = { uid };
	int64_t max, count;
	int rc;

	rc = query_id(conn, "SELECT max_feeds FROM users WHERE id = $1 FOR NO KEY UPDATE", 1, params, &max,
			err, errlen);
	if(rc == 1){
		set_err(err, errlen, "no such user");
		return -1;
	}
	if(rc != 0 || query_id(conn, "SELECT count(*) FROM feeds WHERE user_id = $1", 1, params, &count,
			err, errlen) != 0){
		return -1;
	}
	return count < max ? 0 : 2;
}

/*
 * For key "grp.feed" and name "Grp.Feed": group name "Grp", feed name "Feed". A name without
 * a dot is the feed's; the group is then named by its key.
 */
static void split_name(const char *key, const char *name, char *gname, char *fname, size_t len)
{
	const char *kdot = strchr(key, '.'), *ndot = strchr(name, '.');

	if(ndot){
		snprintf(gname, len, "%.*s", (int)(ndot - name), name);
		snprintf(fname, len, "%s", ndot + 1);
	}else{
		snprintf(gname, len, "%.*s", (int)(kdot - key), key);
		snprintf(fname, len, "%s", name);
	}
}

/* Finds or creates the group named by the part of key before the dot; gid receives its id. */
static int ensure_group(PGconn *conn, const char *uid, const char *key, const char *gname, char *gid,
		size_t gidlen, char *err, size_t errlen)
{
	char gkey[PERCH_FEED_KEY_MAX + 1];
	const char *params[3] = { uid, gkey, gname };
	int64_t id;
	int rc;

	snprintf(gkey, sizeof(gkey), "%.*s", (int)(strchr(key, '.') - key), key);
	if(exec_cmd(conn, "INSERT INTO groups (user_id, key, name) VALUES ($1, $2, $3) "
			"ON CONFLICT (user_id, key) DO NOTHING", 3, params, err, errlen) != 0){
		return -1;
	}
	rc = query_id(conn, "SELECT id FROM groups WHERE user_id = $1 AND key = $2", 2, params, &id, err, errlen);
	if(rc == 1){
		set_err(err, errlen, "group %s vanished while its feed was created", gkey);
	}
	if(rc != 0){
		return -1;
	}
	snprintf(gid, gidlen, "%" PRId64, id);
	return 0;
}

/* 0: created or found, 2: over the limit, -1: error. Runs inside a transaction. */
static int create_feed(PGconn *conn, const char *uid, const char *key, const char *name,
		const char *mqtt_topic, int64_t *feed_id, char *err, size_t errlen)
{
	char gname[PERCH_TOPIC_MAX + 1], fname[PERCH_TOPIC_MAX + 1], gid[24] = "";
	const char *params[5] = { uid, key, fname, mqtt_topic, NULL };
	int rc;

	rc = feed_room(conn, uid, err, errlen);
	if(rc == 2){
		/* at the limit, a feed made by someone else meanwhile is still found */
		rc = find_feed(conn, uid, key, feed_id, err, errlen);
		return rc == 1 ? 2 : rc;
	}
	if(rc != 0){
		return rc;
	}
	snprintf(fname, sizeof(fname), "%s", name);
	if(strchr(key, '.')){
		split_name(key, name, gname, fname, sizeof(fname));
		if(ensure_group(conn, uid, key, gname, gid, sizeof(gid), err, errlen) != 0){
			return -1;
		}
		params[4] = gid;
	}
	rc = query_id(conn, "INSERT INTO feeds (user_id, key, name, mqtt_topic, group_id) "
			"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
			5, params, feed_id, err, errlen);
	if(rc == 1){
		rc = find_feed(conn, uid, key, feed_id, err, errlen);
	}
	return rc == 1 ? -1 : rc;
}

int perch_feed_find_or_create(PGconn *conn, int64_t user_id, const char *key, const char *name,
		const char *mqtt_topic, bool create, int64_t *feed_id, char *err, size_t errlen)
{
	char uid[24];
	bool own;
	int rc;

	snprintf(uid, sizeof(uid), "%" PRId64, user_id);
	rc = find_feed(conn, uid, key, feed_id, err, errlen);
	if(rc != 1 || !create){
		return rc;
	}
	if(txn_begin(conn, &own, err, errlen) != 0){
		return -1;
	}
	rc = create_feed(conn, uid, key, name ? name : key, mqtt_topic, feed_id, err, errlen);
	return txn_end(conn, own, rc, err, errlen);
}

/* ---- last values ---- */

static void build_last_arrays(const struct perch_last_value *lv, size_t n, struct sbuf *ids,
		struct sbuf *keys, struct sbuf *values, struct sbuf *times)
{
	char t[40];

	sbuf_addc(ids, '{');
	sbuf_addc(keys, '{');
	sbuf_addc(values, '{');
	sbuf_addc(times, '{');
	for(size_t i = 0; i < n; i++){
		const char *sep = i ? "," : "";
		sbuf_printf(ids, "%s%" PRId64, sep, lv[i].feed_id);
		sbuf_add(keys, sep, strlen(sep));
		if(lv[i].key){
			sbuf_add_array_text(keys, lv[i].key);
		}else{
			sbuf_add(keys, "NULL", 4);
		}
		sbuf_add(values, sep, strlen(sep));
		sbuf_add_array_text(values, lv[i].value);
		perch_pg_time(lv[i].at_us, t, sizeof(t));
		sbuf_printf(times, "%s\"%s\"", sep, t);
	}
	sbuf_addc(ids, '}');
	sbuf_addc(keys, '}');
	sbuf_addc(values, '}');
	sbuf_addc(times, '}');
}

/* Marks as fresh every feed the UPDATE returned (its 1-based ordinality); counts the rest. */
static int count_stale(PGresult *res, size_t n, bool *stale)
{
	int fresh = 0;

	for(size_t i = 0; i < n; i++){
		stale[i] = true;
	}
	for(int r = 0; r < PQntuples(res); r++){
		long long i = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		if(i >= 1 && (size_t)i <= n && stale[i - 1]){
			stale[i - 1] = false;
			fresh++;
		}
	}
	return (int)n - fresh;
}

int perch_feeds_set_last(PGconn *conn, const struct perch_last_value *lv, size_t n, bool *stale,
		char *err, size_t errlen)
{
	struct sbuf ids = { 0 }, keys = { 0 }, values = { 0 }, times = { 0 };
	PGresult *res = NULL;
	int rc = -1;

	if(n == 0){
		return 0;
	}
	build_last_arrays(lv, n, &ids, &keys, &values, &times);
	if(ids.oom || keys.oom || values.oom || times.oom){
		set_err(err, errlen, "out of memory");
	}else{
		const char *params[4] = { ids.data, keys.data, values.data, times.data };
		/* "unless the stored one is newer": a late value with an old created_at must not
		 * replace what a board sent after it */
		res = perch_db_exec(conn, err, errlen,
				"UPDATE feeds f SET "
				"last_value = CASE WHEN f.last_value_at IS NULL OR f.last_value_at <= v.t "
				"THEN v.value ELSE f.last_value END, "
				"last_value_at = GREATEST(f.last_value_at, v.t) "
				"FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) "
				"WITH ORDINALITY AS v(id, key, value, t, i) "
				"WHERE f.id = v.id AND (v.key IS NULL OR f.key = v.key) RETURNING v.i",
				4, params);
	}
	if(res){
		rc = count_stale(res, n, stale);
		PQclear(res);
	}
	sbuf_free(&ids);
	sbuf_free(&keys);
	sbuf_free(&values);
	sbuf_free(&times);
	return rc;
}

/* ---- rollups ---- */

static void add_float(struct sbuf *b, const char *sep, bool has, double v)
{
	if(has){
		sbuf_printf(b, "%s%.17g", sep, v);
	}else{
		sbuf_printf(b, "%sNULL", sep);
	}
}

/* The six arrays of an unnest(): feed ids, buckets, counts, sums, minimums, maximums. */
static void build_rollup_arrays(const struct perch_rollup *r, size_t n, struct sbuf a[6])
{
	char t[40];

	for(int k = 0; k < 6; k++){
		sbuf_addc(&a[k], '{');
	}
	for(size_t i = 0; i < n; i++){
		const char *sep = i ? "," : "";
		perch_pg_time(r[i].bucket_us, t, sizeof(t));
		sbuf_printf(&a[0], "%s%" PRId64, sep, r[i].feed_id);
		sbuf_printf(&a[1], "%s\"%s\"", sep, t);
		sbuf_printf(&a[2], "%s%" PRId64, sep, r[i].count);
		add_float(&a[3], sep, r[i].has_num, r[i].sum);
		add_float(&a[4], sep, r[i].has_num, r[i].min);
		add_float(&a[5], sep, r[i].has_num, r[i].max);
	}
	for(int k = 0; k < 6; k++){
		sbuf_addc(&a[k], '}');
	}
}

#define ROLLUP_UPSERT(table) \
	"INSERT INTO " table " AS r (feed_id, bucket, count, sum, min, max) " \
	"SELECT * FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::float8[], " \
	"$5::float8[], $6::float8[]) " \
	"ON CONFLICT (feed_id, bucket) DO UPDATE SET " \
	"count = r.count + excluded.count, " \
	"sum = CASE WHEN r.sum IS NULL OR excluded.sum IS NULL THEN COALESCE(r.sum, excluded.sum) " \
	"ELSE r.sum + excluded.sum END, " \
	"min = LEAST(r.min, excluded.min), max = GREATEST(r.max, excluded.max)"

int perch_rollups_add(PGconn *conn, enum perch_rollup_table table, const struct perch_rollup *r,
		size_t n, char *err, size_t errlen)
{
	struct sbuf a[6];
	bool oom = false;
	int rc = -1;

	if(n == 0){
		return 0;
	}
	memset(a, 0, sizeof(a));
	build_rollup_arrays(r, n, a);
	for(int k = 0; k < 6; k++){
		oom = oom || a[k].oom;
	}
	if(oom){
		set_err(err, errlen, "out of memory");
	}else{
		const char *params[6] = { a[0].data, a[1].data, a[2].data, a[3].data, a[4].data, a[5].data };
		rc = exec_cmd(conn, table == PERCH_ROLLUP_HOUR ? ROLLUP_UPSERT("rollup_hour")
				: ROLLUP_UPSERT("rollup_minute"), 6, params, err, errlen);
	}
	for(int k = 0; k < 6; k++){
		sbuf_free(&a[k]);
	}
	return rc;
}

/* ---- binary COPY ---- */

static void put_i16(struct sbuf *b, int16_t v)
{
	uint16_t be = htobe16((uint16_t)v);
	sbuf_add(b, &be, sizeof(be));
}

static void put_i32(struct sbuf *b, int32_t v)
{
	uint32_t be = htobe32((uint32_t)v);
	sbuf_add(b, &be, sizeof(be));
}

static void put_i64_field(struct sbuf *b, int64_t v)
{
	uint64_t be = htobe64((uint64_t)v);
	put_i32(b, 8);
	sbuf_add(b, &be, sizeof(be));
}

static void put_f64_field(struct sbuf *b, bool has, double v)
{
	uint64_t bits;

	if(!has){
		put_i32(b, -1); /* NULL */
		return;
	}
	memcpy(&bits, &v, sizeof(bits));
	put_i64_field(b, (int64_t)bits);
}

/* One tuple: feed_id, created_at, value, num, lat, lon, ele. */
static void put_row(struct sbuf *b, const struct perch_row *r)
{
	put_i16(b, 7);
	put_i64_field(b, r->feed_id);
	put_i64_field(b, r->created_us - PG_EPOCH_US);
	put_i32(b, (int32_t)r->value_len);
	sbuf_add(b, r->value, r->value_len);
	put_f64_field(b, r->has_num, r->num);
	put_f64_field(b, r->has_lat, r->lat);
	put_f64_field(b, r->has_lon, r->lon);
	put_f64_field(b, r->has_ele, r->ele);
}

static int copy_flush(PGconn *conn, struct sbuf *b, char *err, size_t errlen)
{
	if(b->oom){
		set_err(err, errlen, "out of memory");
		return -1;
	}
	if(b->len > 0 && PQputCopyData(conn, b->data, (int)b->len) != 1){
		set_err(err, errlen, "COPY: %s", PQerrorMessage(conn));
		return -1;
	}
	b->len = 0;
	return 0;
}

static int copy_send(PGconn *conn, const struct perch_row *rows, size_t n, struct sbuf *b,
		char *err, size_t errlen)
{
	static const char header[] = "PGCOPY\n\377\r\n"; /* + the NUL, flags and extension length */

	sbuf_add(b, header, sizeof(header));
	put_i32(b, 0);
	put_i32(b, 0);
	for(size_t i = 0; i < n; i++){
		put_row(b, &rows[i]);
		if(b->len >= COPY_CHUNK && copy_flush(conn, b, err, errlen) != 0){
			return -1;
		}
	}
	put_i16(b, -1);
	return copy_flush(conn, b, err, errlen);
}

/* Reads every result left on the connection; -1 with err unless the COPY succeeded. */
static int copy_finish(PGconn *conn, char *err, size_t errlen)
{
	PGresult *res;
	int rc = 0;

	while((res = PQgetResult(conn)) != NULL){
		if(PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0){
			set_err(err, errlen, "COPY: %s", PQresultErrorMessage(res));
			rc = -1;
		}
		PQclear(res);
	}
	return rc;
}

int perch_data_copy(PGconn *conn, const struct perch_row *rows, size_t n, char *err, size_t errlen)
{
	struct sbuf b = { 0 };
	PGresult *res;
	int rc;

	if(n == 0){
		return 0;
	}
	res = PQexec(conn, "COPY data (feed_id, created_at, value, num, lat, lon, ele) FROM STDIN (FORMAT binary)");
	if(PQresultStatus(res) != PGRES_COPY_IN){
		set_err(err, errlen, "COPY: %s", PQresultErrorMessage(res));
		PQclear(res);
		copy_finish(conn, NULL, 0);
		return -1;
	}
	PQclear(res);
	rc = copy_send(conn, rows, n, &b, err, errlen);
	sbuf_free(&b);
	/* on failure, ending with an error message makes the server abandon the COPY */
	if(PQputCopyEnd(conn, rc == 0 ? NULL : "perch could not send the rows") != 1 && rc == 0){
		set_err(err, errlen, "COPY: %s", PQerrorMessage(conn));
		rc = -1;
	}
	if(copy_finish(conn, rc == 0 ? err : NULL, errlen) != 0){
		rc = -1;
	}
	return rc;
}

/* ---- one value (the REST API) ---- */

static int insert_row(PGconn *conn, int64_t feed_id, int64_t at_us, const struct perch_datum *d,
		int64_t *id, char *err, size_t errlen)
{
	char fid[24], t[40], num[32], lat[32], lon[32], ele[32];
	const char *params[7] = { fid, t, d->value, NULL, NULL, NULL, NULL };

	snprintf(fid, sizeof(fid), "%" PRId64, feed_id);
	perch_pg_time(at_us, t, sizeof(t));
	if(d->has_num){
		snprintf(num, sizeof(num), "%.17g", d->num);
		params[3] = num;
	}
	if(d->has_lat){
		snprintf(lat, sizeof(lat), "%.17g", d->lat);
		params[4] = lat;
	}
	if(d->has_lon){
		snprintf(lon, sizeof(lon), "%.17g", d->lon);
		params[5] = lon;
	}
	if(d->has_ele){
		snprintf(ele, sizeof(ele), "%.17g", d->ele);
		params[6] = ele;
	}
	return query_id(conn, "INSERT INTO data (feed_id, created_at, value, num, lat, lon, ele) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", 7, params, id, err, errlen) == 0 ? 0 : -1;
}

/* In the documented lock order: feeds, data, minute rollups, hour rollups. */
static int insert_one(PGconn *conn, int64_t feed_id, int64_t at_us, const struct perch_datum *d,
		int64_t *id, char *err, size_t errlen)
{
	struct perch_last_value lv = { feed_id, NULL, d->value, at_us };
	struct perch_rollup r = { feed_id, 0, 1, d->has_num, d->num, d->num, d->num };
	bool stale;
	int rc = perch_feeds_set_last(conn, &lv, 1, &stale, err, errlen);

	if(rc != 0){
		if(rc > 0){
			set_err(err, errlen, "no such feed");
		}
		return -1;
	}
	if(insert_row(conn, feed_id, at_us, d, id, err, errlen) != 0){
		return -1;
	}
	r.bucket_us = perch_rollup_bucket(PERCH_ROLLUP_MINUTE, at_us);
	if(perch_rollups_add(conn, PERCH_ROLLUP_MINUTE, &r, 1, err, errlen) != 0){
		return -1;
	}
	r.bucket_us = perch_rollup_bucket(PERCH_ROLLUP_HOUR, at_us);
	return perch_rollups_add(conn, PERCH_ROLLUP_HOUR, &r, 1, err, errlen);
}

int perch_data_insert(PGconn *conn, int64_t feed_id, const struct perch_datum *d, int64_t *id,
		int64_t *created_us, char *err, size_t errlen)
{
	int64_t at_us = d->has_time ? d->created_us : perch_wall_us();
	bool own;
	int rc;

	if(!d->value){
		set_err(err, errlen, "no value");
		return -1;
	}
	if(txn_begin(conn, &own, err, errlen) != 0){
		return -1;
	}
	rc = txn_end(conn, own, insert_one(conn, feed_id, at_us, d, id, err, errlen), err, errlen);
	if(rc == 0 && created_us){
		*created_us = at_us;
	}
	return rc;
}
