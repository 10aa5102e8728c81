/*
 * PostgreSQL access: connections, a small pool for the HTTP threads, migrations.
 * Everything uses libpq with parameters ($1, $2, …); nothing builds SQL from user text.
 */
#ifndef PERCH_DB_H
#define PERCH_DB_H

#include <stdbool.h>
#include <stddef.h>

#include <libpq-fe.h>

/* Connects; NULL with a message in err. Sets the session time zone to UTC. */
PGconn *perch_db_connect(const char *url, char *err, size_t errlen);

/* Applies the migrations compiled into perch that the database has not seen. */
int perch_db_migrate(PGconn *conn, char *err, size_t errlen);

/* Ensures data partitions exist from `days_back` days ago to `days_ahead` days ahead. */
int perch_db_ensure_partitions(PGconn *conn, int days_back, int days_ahead, char *err, size_t errlen);

/*
 * Runs a command or query with text parameters; returns the result when its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK, else NULL with the server's message in err.
 * The caller PQclear()s the result.
 */
PGresult *perch_db_exec(PGconn *conn, char *err, size_t errlen, const char *sql, int nparams,
		const char *const *params);

/* A fixed-size pool of connections shared by threads. */
struct perch_db_pool;
struct perch_db_pool *perch_db_pool_create(const char *url, int size, char *err, size_t errlen);
/* Waits for a free connection (reconnecting a broken one); NULL when the database is unreachable. */
PGconn *perch_db_pool_acquire(struct perch_db_pool *pool);
void perch_db_pool_release(struct perch_db_pool *pool, PGconn *conn);
void perch_db_pool_destroy(struct perch_db_pool *pool);

#endif
