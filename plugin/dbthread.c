/*
 * The PostgreSQL thread (see dbthread.h). Every wait on the database is bounded: the socket is
 * polled in slices of at most WAIT_SLICE_MS so a stop request is seen quickly, and a connect
 * or query that takes too long drops the connection, so the broker's shutdown never hangs.
 */
#include "dbthread.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>
#include <mosquitto.h> /* MOSQ_LOG_* levels only: this thread never calls into the broker */

#define WAIT_SLICE_MS 200
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_MS 10000
#define QUERY_TIMEOUT_MS 10000
#define FLUSH_EVERY_MS 3000
#define USED_MAX 512
#define LOG_MAX 32
#define LOG_LINE 256

struct log_line {
	int level;
	char text[LOG_LINE];
};

struct perch_db {
	char *conninfo;
	int64_t reload_ms;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;

	/* Shared with the broker thread: only under lock. */
	bool stop;
	struct perch_snapshot *pending;
	int64_t used[USED_MAX];
	size_t n_used;
	struct log_line logs[LOG_MAX];
	size_t n_logs;
	unsigned logs_dropped;

	/* The thread's own. */
	PGconn *conn;
	bool up;        /* "connected" was logged, and "lost" not yet */
	bool down_said; /* this outage was logged: do not repeat it on every retry */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Queues a log line for the broker thread; libpq's multi-line messages become one line. */
static void db_log(struct perch_db *db, int level, const char *fmt, ...)
{
	struct log_line line;
	char raw[LOG_LINE];
	const char *r;
	char *w = line.text;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	line.level = level;
	/* Collapse runs of white space (libpq ends lines with "\n", continues them with "\t"). */
	for(r = raw; *r; r++){
		if(isspace((unsigned char)*r)){
			if(w > line.text && w[-1] != ' '){
				*w++ = ' ';
			}
		}else{
			if(*r == ')' && w > line.text && w[-1] == ' '){
				w--;
			}
			*w++ = *r;
		}
	}
	while(w > line.text && w[-1] == ' '){
		w--;
	}
	*w = '\0';
	pthread_mutex_lock(&db->lock);
	if(db->n_logs < LOG_MAX){
		db->logs[db->n_logs++] = line;
	}else{
		db->logs_dropped++;
	}
	pthread_mutex_unlock(&db->lock);
}

static bool stopping(struct perch_db *db)
{
	bool stop;

	pthread_mutex_lock(&db->lock);
	stop = db->stop;
	pthread_mutex_unlock(&db->lock);
	return stop;
}

/* Sleeps ms, or less if a stop is requested. */
static void nap(struct perch_db *db, int64_t ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (ms % 1000) * 1000000;
	if(until.tv_nsec >= 1000000000){
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&db->lock);
	while(!db->stop && pthread_cond_timedwait(&db->wake, &db->lock, &until) != ETIMEDOUT){
		/* spurious wake-up or a stop: the loop condition decides */
	}
	pthread_mutex_unlock(&db->lock);
}

/*
 * Waits up to ms for the connection's socket. poll(), not select(): the broker may hold
 * thousands of sockets, so ours can be above FD_SETSIZE. Returns 1 ready, 0 not yet, -1 error.
 */
static int wait_socket(PGconn *conn, short events, int ms)
{
	struct pollfd pfd;
	int rc;

	pfd.fd = PQsocket(conn);
	pfd.events = events;
	pfd.revents = 0;
	if(pfd.fd < 0){
		return -1;
	}
	rc = poll(&pfd, 1, ms);
	if(rc < 0){
		return errno == EINTR ? 0 : -1;
	}
	return rc > 0 ? 1 : 0;
}

/* Connects without ever blocking longer than a slice, so that a stop is seen. 0 or -1. */
static int db_connect(struct perch_db *db)
{
	const char *const keys[] = {"dbname", "fallback_application_name", NULL};
	const char *const vals[] = {db->conninfo, "perch-mosquitto-plugin", NULL};
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;
	int64_t deadline = now_ms() + CONNECT_TIMEOUT_MS;
	int rc;

	db->conn = PQconnectStartParams(keys, vals, 1);
	if(!db->conn || PQstatus(db->conn) == CONNECTION_BAD){
		return -1;
	}
	while(st != PGRES_POLLING_OK){
		if(st == PGRES_POLLING_FAILED || stopping(db) || now_ms() > deadline){
			return -1;
		}
		rc = wait_socket(db->conn, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, WAIT_SLICE_MS);
		if(rc < 0){
			return -1;
		}
		if(rc > 0){
			st = PQconnectPoll(db->conn);
		}
	}
	return 0;
}

/*
 * Runs one statement and returns its result (the caller PQclears it). NULL means the
 * connection is no longer usable (lost, too slow, or a stop was requested).
 */
static PGresult *db_query(struct perch_db *db, const char *sql, int nparams, const char *const *params)
{
	int64_t deadline = now_ms() + QUERY_TIMEOUT_MS;
	PGresult *res, *last = NULL;
	int rc;

	if(!PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0)){
		return NULL;
	}
	while(PQisBusy(db->conn)){
		if(stopping(db) || now_ms() > deadline){
			return NULL;
		}
		rc = wait_socket(db->conn, POLLIN, WAIT_SLICE_MS);
		if(rc < 0 || (rc > 0 && !PQconsumeInput(db->conn))){
			return NULL;
		}
	}
	while((res = PQgetResult(db->conn))){
		PQclear(last);
		last = res;
	}
	return last;
}

/* Runs a statement that returns no rows. 0, or -1 (logged) when it failed. */
static int db_exec(struct perch_db *db, const char *sql)
{
	PGresult *res = db_query(db, sql, 0, NULL);
	int rc = 0;

	if(!res || PQresultStatus(res) != PGRES_COMMAND_OK){
		if(res){
			db_log(db, MOSQ_LOG_ERR, "perch: \"%s\" failed: %s", sql, PQresultErrorMessage(res));
		}
		rc = -1;
	}
	PQclear(res);
	return rc;
}

static PGresult *db_select(struct perch_db *db, const char *sql)
{
	PGresult *res = db_query(db, sql, 0, NULL);

	if(res && PQresultStatus(res) != PGRES_TUPLES_OK){
		db_log(db, MOSQ_LOG_ERR, "perch: loading users and keys failed: %s", PQresultErrorMessage(res));
		PQclear(res);
		res = NULL;
	}
	return res;
}

/* Rows that do not fit (cannot happen with the schema's checks) are skipped and counted. */
static unsigned add_users(struct perch_snapshot *snap, const PGresult *res)
{
	unsigned skipped = 0;
	int i;

	for(i = 0; i < PQntuples(res); i++){
		if(perch_snapshot_add_user(snap, strtoll(PQgetvalue(res, i, 0), NULL, 10),
				PQgetvalue(res, i, 1), perch_role_from_string(PQgetvalue(res, i, 2)),
				PQgetvalue(res, i, 3)[0] == 't', atoi(PQgetvalue(res, i, 4)),
				atoi(PQgetvalue(res, i, 5)), atoi(PQgetvalue(res, i, 6))) != 0){
			skipped++;
		}
	}
	return skipped;
}

static unsigned add_keys(struct perch_snapshot *snap, const PGresult *res)
{
	unsigned skipped = 0;
	int i;

	for(i = 0; i < PQntuples(res); i++){
		if(perch_snapshot_add_key(snap, strtoll(PQgetvalue(res, i, 0), NULL, 10),
				strtoll(PQgetvalue(res, i, 1), NULL, 10), PQgetvalue(res, i, 2)) != 0){
			skipped++;
		}
	}
	return skipped;
}

/* Replaces the snapshot waiting for the broker thread; one it never took is simply dropped. */
static void hand_over(struct perch_db *db, struct perch_snapshot *snap)
{
	struct perch_snapshot *old;

	pthread_mutex_lock(&db->lock);
	old = db->pending;
	db->pending = snap;
	pthread_mutex_unlock(&db->lock);
	perch_snapshot_free(old);
}

/*
 * Loads users and keys in one read-only transaction, so that no key is seen without its
 * user. Returns 0, or -1 when the connection should be dropped.
 */
static int load_snapshot(struct perch_db *db, bool announce)
{
	PGresult *users = NULL, *keys = NULL;
	struct perch_snapshot *snap;
	unsigned skipped;
	int rc = -1;

	if(db_exec(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") != 0){
		return -1;
	}
	users = db_select(db, "SELECT id, username, role, disabled, rate_limit, max_connections,"
			" max_payload FROM users");
	keys = users ? db_select(db, "SELECT id, user_id, key_hash FROM mqtt_keys WHERE revoked_at IS NULL") : NULL;
	if(keys && db_exec(db, "COMMIT") == 0){
		rc = 0;
		if((snap = perch_snapshot_new())){
			skipped = add_users(snap, users) + add_keys(snap, keys);
			if(announce || skipped){
				db_log(db, skipped ? MOSQ_LOG_WARNING : MOSQ_LOG_INFO,
						"perch: loaded %u users and %u MQTT keys (%u rows skipped)",
						snap->n_users, snap->n_keys, skipped);
			}
			hand_over(db, snap);
		}else{
			db_log(db, MOSQ_LOG_ERR, "perch: out of memory loading users and keys");
		}
	}
	PQclear(users);
	PQclear(keys);
	return rc;
}

/* Writes the queued keys' last use. Returns 0, or -1 when the connection should be dropped. */
static int flush_used(struct perch_db *db)
{
	int64_t ids[USED_MAX];
	char *list, *p;
	const char *params[1];
	PGresult *res;
	size_t i, n;

	pthread_mutex_lock(&db->lock);
	n = db->n_used;
	memcpy(ids, db->used, n * sizeof(ids[0]));
	db->n_used = 0;
	pthread_mutex_unlock(&db->lock);
	if(n == 0){
		return 0;
	}
	/* An array literal "{1,2,3}": one statement however many keys were used. */
	if(!(list = malloc(n * 21 + 3))){
		return 0;
	}
	p = list;
	*p++ = '{';
	for(i = 0; i < n; i++){
		p += sprintf(p, "%s%" PRId64, i ? "," : "", ids[i]);
	}
	strcpy(p, "}");
	params[0] = list;
	res = db_query(db, "UPDATE mqtt_keys SET last_used_at = now() WHERE id = ANY($1::bigint[])", 1, params);
	free(list);
	if(!res){
		return -1;
	}
	if(PQresultStatus(res) != PGRES_COMMAND_OK){
		db_log(db, MOSQ_LOG_WARNING, "perch: recording key use failed: %s", PQresultErrorMessage(res));
	}
	PQclear(res);
	return 0;
}

/* True when at least one notification arrived on perch_auth. */
static bool drain_notifies(PGconn *conn)
{
	PGnotify *n;
	bool any = false;

	while((n = PQnotifies(conn))){
		any = true;
		PQfreemem(n);
	}
	return any;
}

/*
 * Serves one connection until it is lost or a stop is requested: reloads on every
 * notification (a change may have committed while we were loading, so a notification that
 * arrived meanwhile loads again) and every reload_ms as a safety net.
 */
static void serve(struct perch_db *db, bool *loaded)
{
	int64_t next_reload, next_flush = now_ms() + FLUSH_EVERY_MS;
	bool notified;
	int rc;

	if(db_exec(db, "LISTEN perch_auth") != 0){
		return;
	}
	if(!db->up){
		db_log(db, MOSQ_LOG_INFO, "perch: connected to PostgreSQL");
		db->up = true;
	}
	if(load_snapshot(db, true) != 0){
		return;
	}
	*loaded = true;
	db->down_said = false;
	next_reload = now_ms() + db->reload_ms;
	while(!stopping(db)){
		rc = wait_socket(db->conn, POLLIN, WAIT_SLICE_MS);
		if(rc < 0 || (rc > 0 && !PQconsumeInput(db->conn))){
			return;
		}
		notified = drain_notifies(db->conn);
		if(notified || now_ms() >= next_reload){
			if(load_snapshot(db, notified) != 0){
				return;
			}
			next_reload = now_ms() + db->reload_ms;
		}
		if(now_ms() >= next_flush){
			if(flush_used(db) != 0){
				return;
			}
			next_flush = now_ms() + FLUSH_EVERY_MS;
		}
	}
}

static void *db_main(void *arg)
{
	struct perch_db *db = arg;
	int64_t backoff = BACKOFF_MIN_MS;
	bool loaded;

	while(!stopping(db)){
		loaded = false;
		if(db_connect(db) == 0){
			serve(db, &loaded);
		}
		if(stopping(db)){
			break;
		}
		if(db->up){
			db_log(db, MOSQ_LOG_WARNING, "perch: lost PostgreSQL (%s); serving the last users and keys",
					db->conn ? PQerrorMessage(db->conn) : "");
			db->up = false;
			db->down_said = true;
		}else if(!db->down_said){
			db_log(db, MOSQ_LOG_WARNING, "perch: cannot connect to PostgreSQL (%s); retrying",
					db->conn ? PQerrorMessage(db->conn) : "out of memory");
			db->down_said = true;
		}
		PQfinish(db->conn);
		db->conn = NULL;
		/* Only a connection that worked resets the backoff, so a failing query cannot spin. */
		if(loaded){
			backoff = BACKOFF_MIN_MS;
		}
		nap(db, backoff);
		backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
	}
	PQfinish(db->conn);
	db->conn = NULL;
	return NULL;
}

static int cond_init_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int rc;

	if(pthread_condattr_init(&attr) != 0){
		return -1;
	}
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if(rc == 0){
		rc = pthread_cond_init(cond, &attr);
	}
	pthread_condattr_destroy(&attr);
	return rc == 0 ? 0 : -1;
}

/* Starts db_main with every signal blocked, so the broker's signal handlers run on its thread. */
static int start_thread(struct perch_db *db)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&db->thread, NULL, db_main, db);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct perch_db *perch_db_start(const char *conninfo, int reload_seconds, char *err, size_t errlen)
{
	struct perch_db *db = calloc(1, sizeof(*db));

	if(!db || !(db->conninfo = strdup(conninfo))){
		free(db);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	db->reload_ms = (int64_t)reload_seconds * 1000;
	if(pthread_mutex_init(&db->lock, NULL) != 0){
		goto fail_mutex;
	}
	if(cond_init_monotonic(&db->wake) != 0){
		goto fail_cond;
	}
	if(start_thread(db) != 0){
		goto fail_thread;
	}
	return db;

fail_thread:
	pthread_cond_destroy(&db->wake);
fail_cond:
	pthread_mutex_destroy(&db->lock);
fail_mutex:
	free(db->conninfo);
	free(db);
	snprintf(err, errlen, "cannot start the database thread");
	return NULL;
}

void perch_db_stop(struct perch_db *db)
{
	if(!db){
		return;
	}
	pthread_mutex_lock(&db->lock);
	db->stop = true;
	pthread_cond_signal(&db->wake);
	pthread_mutex_unlock(&db->lock);
	pthread_join(db->thread, NULL);

	perch_snapshot_free(db->pending);
	pthread_cond_destroy(&db->wake);
	pthread_mutex_destroy(&db->lock);
	free(db->conninfo);
	free(db);
}

struct perch_snapshot *perch_db_take_snapshot(struct perch_db *db)
{
	struct perch_snapshot *snap;

	pthread_mutex_lock(&db->lock);
	snap = db->pending;
	db->pending = NULL;
	pthread_mutex_unlock(&db->lock);
	return snap;
}

void perch_db_key_used(struct perch_db *db, int64_t key_id)
{
	size_t i;

	pthread_mutex_lock(&db->lock);
	for(i = 0; i < db->n_used && db->used[i] != key_id; i++){
	}
	/* When full, the id is dropped: last_used_at is a hint, and a later use records it. */
	if(i == db->n_used && db->n_used < USED_MAX){
		db->used[db->n_used++] = key_id;
	}
	pthread_mutex_unlock(&db->lock);
}

void perch_db_drain_logs(struct perch_db *db, void (*emit)(int level, const char *line))
{
	struct log_line logs[LOG_MAX];
	unsigned dropped;
	size_t i, n;

	pthread_mutex_lock(&db->lock);
	n = db->n_logs;
	memcpy(logs, db->logs, n * sizeof(logs[0]));
	dropped = db->logs_dropped;
	db->n_logs = 0;
	db->logs_dropped = 0;
	pthread_mutex_unlock(&db->lock);

	for(i = 0; i < n; i++){
		emit(logs[i].level, logs[i].text);
	}
	if(dropped){
		emit(MOSQ_LOG_WARNING, "perch: some database log lines were dropped");
	}
}
