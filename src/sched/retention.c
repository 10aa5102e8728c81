#include "sched/retention.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/feeds.h"

#define DAY_US (INT64_C(86400) * 1000000)

/* Feeds grouped by their effective retention, ids as a bigint[] literal. */
#define CLASSES_SQL \
	"SELECT COALESCE(f.retention_days, u.retention_days), array_agg(f.id ORDER BY f.id)::text " \
	"FROM feeds f JOIN users u ON u.id = f.user_id GROUP BY 1 ORDER BY 1"

/* The longest retention anyone may have: feeds' and users' (a user may make a feed tomorrow). */
#define HORIZON_SQL \
	"SELECT GREATEST(COALESCE((SELECT max(COALESCE(f.retention_days, u.retention_days)) " \
	"FROM feeds f JOIN users u ON u.id = f.user_id), 0), " \
	"COALESCE((SELECT max(retention_days) FROM users), 0))"

#define OLD_PARTITIONS_SQL \
	"SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid " \
	"WHERE i.inhparent = 'data'::regclass AND c.relname ~ '^data_[0-9]{8}$' " \
	"AND (to_date(substr(c.relname, 6), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= $1::timestamptz " \
	"ORDER BY 1"

static int exec_params(PGconn *conn, const char *sql, int n, const char *const *params, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, n, params);
	PQclear(res);
	return res ? 0 : -1;
}

static void cutoff(int64_t now_us, int64_t days, char *out, size_t outlen)
{
	perch_pg_time(now_us - days * DAY_US, out, outlen);
}

/*
 * The cutoff is a parameter, not now() - interval: with a constant the planner prunes every
 * partition newer than it, so only old days are scanned.
 */
static int purge_class(PGconn *conn, int64_t now_us, int64_t days, const char *ids, char *err, size_t errlen)
{
	char keep[40], keep_minutes[40];
	const char *data[2] = { keep, ids }, *minutes[2] = { keep_minutes, ids };

	cutoff(now_us, days, keep, sizeof(keep));
	cutoff(now_us, days < PERCH_ROLLUP_MINUTE_DAYS ? days : PERCH_ROLLUP_MINUTE_DAYS, keep_minutes,
			sizeof(keep_minutes));
	if(exec_params(conn, "DELETE FROM data WHERE created_at < $1 AND feed_id = ANY($2::bigint[])",
			2, data, err, errlen) != 0
			|| exec_params(conn, "DELETE FROM rollup_hour WHERE bucket < $1 AND feed_id = ANY($2::bigint[])",
			2, data, err, errlen) != 0
			|| exec_params(conn, "DELETE FROM rollup_minute WHERE bucket < $1 AND feed_id = ANY($2::bigint[])",
			2, minutes, err, errlen) != 0){
		return -1;
	}
	return 0;
}

static int purge_classes(PGconn *conn, int64_t now_us, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, CLASSES_SQL, 0, NULL);
	int rc = 0;

	if(!res){
		return -1;
	}
	for(int r = 0; r < PQntuples(res) && rc == 0; r++){
		int64_t days = strtoll(PQgetvalue(res, r, 0), NULL, 10);
		rc = purge_class(conn, now_us, days, PQgetvalue(res, r, 1), err, errlen);
	}
	PQclear(res);
	return rc;
}

static int drop_partition(PGconn *conn, const char *name, char *err, size_t errlen)
{
	char *ident = PQescapeIdentifier(conn, name, strlen(name));
	char sql[128];
	int rc;

	if(!ident){
		snprintf(err, errlen, "%s", PQerrorMessage(conn));
		return -1;
	}
	snprintf(sql, sizeof(sql), "DROP TABLE IF EXISTS %s", ident);
	PQfreemem(ident);
	rc = exec_params(conn, sql, 0, NULL, err, errlen);
	if(rc == 0){
		fprintf(stderr, "perch sched: dropped partition %s (past every retention)\n", name);
	}
	return rc;
}

/* Drops the day partitions that end before the longest retention in use. */
static int drop_old_partitions(PGconn *conn, int64_t now_us, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, HORIZON_SQL, 0, NULL);
	char keep[40];
	const char *params[1] = { keep };
	int64_t days;
	int rc = 0;

	if(!res){
		return -1;
	}
	days = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if(days <= 0){
		return 0; /* no users: nothing says how long to keep data */
	}
	cutoff(now_us, days, keep, sizeof(keep));
	res = perch_db_exec(conn, err, errlen, OLD_PARTITIONS_SQL, 1, params);
	if(!res){
		return -1;
	}
	for(int r = 0; r < PQntuples(res) && rc == 0; r++){
		rc = drop_partition(conn, PQgetvalue(res, r, 0), err, errlen);
	}
	PQclear(res);
	return rc;
}

/* Rollups of deleted feeds (data goes with its partitions). */
static int purge_orphans(PGconn *conn, char *err, size_t errlen)
{
	if(exec_params(conn, "DELETE FROM rollup_minute r WHERE NOT EXISTS "
			"(SELECT 1 FROM feeds f WHERE f.id = r.feed_id)", 0, NULL, err, errlen) != 0){
		return -1;
	}
	return exec_params(conn, "DELETE FROM rollup_hour r WHERE NOT EXISTS "
			"(SELECT 1 FROM feeds f WHERE f.id = r.feed_id)", 0, NULL, err, errlen);
}

int perch_retention_purge(PGconn *conn, int64_t now_us, char *err, size_t errlen)
{
	int rc = 0;

	/* DROP TABLE on a partition locks the whole data table: never queue behind a long query
	 * (and make the ingest queue behind us); try again at the next purge instead */
	if(exec_params(conn, "SET lock_timeout = '3s'", 0, NULL, err, errlen) != 0){
		return -1;
	}
	if(purge_classes(conn, now_us, err, errlen) != 0){
		rc = -1;
	}
	if(drop_old_partitions(conn, now_us, rc ? NULL : err, rc ? 0 : errlen) != 0){
		rc = -1;
	}
	if(purge_orphans(conn, rc ? NULL : err, rc ? 0 : errlen) != 0){
		rc = -1;
	}
	return rc;
}
