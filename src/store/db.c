#include "store/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"

static void copy_error(char *err, size_t errlen, const char *what, const char *msg)
{
	size_t n;
	if(!err || errlen == 0){
		return;
	}
	snprintf(err, errlen, "%s: %s", what, msg ? msg : "unknown error");
	n = strlen(err);
	while(n > 0 && (err[n - 1] == '\n' || err[n - 1] == ' ')){
		err[--n] = '\0';
	}
}

static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

PGconn *perch_db_connect(const char *url, char *err, size_t errlen)
{
	PGconn *conn = PQconnectdb(url);
	PGresult *res;

	if(!conn || PQstatus(conn) != CONNECTION_OK){
		copy_error(err, errlen, "cannot connect to PostgreSQL", conn ? PQerrorMessage(conn) : "out of memory");
		PQfinish(conn);
		return NULL;
	}
	/* NOTICEs ("relation already exists, skipping") are noise on a daemon's stderr */
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	res = PQexec(conn, "SET TIME ZONE 'UTC'");
	if(PQresultStatus(res) != PGRES_COMMAND_OK){
		copy_error(err, errlen, "cannot set the time zone", PQerrorMessage(conn));
		PQclear(res);
		PQfinish(conn);
		return NULL;
	}
	PQclear(res);
	return conn;
}

PGresult *perch_db_exec(PGconn *conn, char *err, size_t errlen, const char *sql, int nparams,
		const char *const *params)
{
	PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK){
		return res;
	}
	copy_error(err, errlen, "database", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
	PQclear(res);
	return NULL;
}

static int exec_simple(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, 0, NULL);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}

static int applied_version(PGconn *conn, int *version, char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen,
			"SELECT coalesce(max(version), 0) FROM perch_schema_migrations", 0, NULL);
	if(!res){
		return -1;
	}
	*version = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int apply_migration(PGconn *conn, const struct perch_migration *m, char *err, size_t errlen)
{
	char version[16];
	const char *params[2] = { version, m->name };
	PGresult *res;

	snprintf(version, sizeof(version), "%d", m->version);
	if(exec_simple(conn, "BEGIN", err, errlen) != 0){
		return -1;
	}
	/* PQexec runs a multi-statement script; parameters are not allowed there */
	res = PQexec(conn, m->sql);
	if(PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK){
		char what[128];
		snprintf(what, sizeof(what), "migration %s failed", m->name);
		copy_error(err, errlen, what, PQresultErrorMessage(res));
		PQclear(res);
		exec_simple(conn, "ROLLBACK", NULL, 0);
		return -1;
	}
	PQclear(res);
	res = perch_db_exec(conn, err, errlen,
			"INSERT INTO perch_schema_migrations (version, name) VALUES ($1, $2)", 2, params);
	if(!res){
		exec_simple(conn, "ROLLBACK", NULL, 0);
		return -1;
	}
	PQclear(res);
	return exec_simple(conn, "COMMIT", err, errlen);
}

int perch_db_migrate(PGconn *conn, char *err, size_t errlen)
{
	int version = 0, rc = 0;

	if(exec_simple(conn, "CREATE TABLE IF NOT EXISTS perch_schema_migrations ("
			"version integer PRIMARY KEY, name text NOT NULL, "
			"applied_at timestamptz NOT NULL DEFAULT now())", err, errlen) != 0){
		return -1;
	}
	/* Several perch processes may start at once: one migrates, the others wait. */
	if(exec_simple(conn, "SELECT pg_advisory_lock(7478001)", err, errlen) != 0){
		return -1;
	}
	if(applied_version(conn, &version, err, errlen) != 0){
		rc = -1;
	}
	for(int i = 0; rc == 0 && perch_migrations[i].name; i++){
		if(perch_migrations[i].version > version){
			rc = apply_migration(conn, &perch_migrations[i], err, errlen);
		}
	}
	exec_simple(conn, "SELECT pg_advisory_unlock(7478001)", NULL, 0);
	return rc;
}

int perch_db_ensure_partitions(PGconn *conn, int days_back, int days_ahead, char *err, size_t errlen)
{
	char back[16], ahead[16];
	const char *params[2] = { back, ahead };
	PGresult *res;

	snprintf(back, sizeof(back), "%d", days_back);
	snprintf(ahead, sizeof(ahead), "%d", days_ahead);
	res = perch_db_exec(conn, err, errlen,
			"SELECT perch_ensure_partition(d::date) FROM generate_series("
			"(now() AT TIME ZONE 'UTC')::date - $1::int, (now() AT TIME ZONE 'UTC')::date + $2::int, "
			"interval '1 day') AS d", 2, params);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}

/* ---- pool ---- */

struct perch_db_pool {
	pthread_mutex_t lock;
	pthread_cond_t available;
	char *url;
	int size;
	int nfree;
	PGconn **free_conns; /* stack of idle connections (NULL entries: not yet connected) */
};

struct perch_db_pool *perch_db_pool_create(const char *url, int size, char *err, size_t errlen)
{
	struct perch_db_pool *pool = calloc(1, sizeof(*pool));

	if(!pool || !(pool->url = strdup(url)) || !(pool->free_conns = calloc((size_t)size, sizeof(PGconn *)))){
		snprintf(err, errlen, "out of memory");
		if(pool){
			free(pool->url);
		}
		free(pool);
		return NULL;
	}
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->available, NULL);
	pool->size = size;
	pool->nfree = size;
	return pool;
}

PGconn *perch_db_pool_acquire(struct perch_db_pool *pool)
{
	PGconn *conn;
	char err[256];

	pthread_mutex_lock(&pool->lock);
	while(pool->nfree == 0){
		pthread_cond_wait(&pool->available, &pool->lock);
	}
	conn = pool->free_conns[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);

	if(conn && PQstatus(conn) != CONNECTION_OK){
		PQfinish(conn);
		conn = NULL;
	}
	if(!conn){
		conn = perch_db_connect(pool->url, err, sizeof(err));
		if(!conn){
			/* give the slot back; the caller answers 503 */
			perch_db_pool_release(pool, NULL);
		}
	}
	return conn;
}

void perch_db_pool_release(struct perch_db_pool *pool, PGconn *conn)
{
	if(conn && PQtransactionStatus(conn) != PQTRANS_IDLE){
		/* a handler left a transaction open or the link broke: start clean next time */
		PQfinish(conn);
		conn = NULL;
	}
	pthread_mutex_lock(&pool->lock);
	pool->free_conns[pool->nfree++] = conn;
	pthread_cond_signal(&pool->available);
	pthread_mutex_unlock(&pool->lock);
}

void perch_db_pool_destroy(struct perch_db_pool *pool)
{
	if(!pool){
		return;
	}
	for(int i = 0; i < pool->nfree; i++){
		PQfinish(pool->free_conns[i]);
	}
	pthread_mutex_destroy(&pool->lock);
	pthread_cond_destroy(&pool->available);
	free(pool->free_conns);
	free(pool->url);
	free(pool);
}
