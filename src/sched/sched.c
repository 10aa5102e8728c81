/*
 * Two threads, so that a slow purge never delays the clock:
 *  - the clock publishes time/seconds, time/millis and time/ISO-8601 at each wall-clock second,
 *    and time/hours (the UTC hour, 0-23) when the hour turns, as Adafruit IO does;
 *  - maintenance, on its own database connection, makes data partitions ahead of time (hourly)
 *    and purges data past its retention (every retention_interval seconds), both also at start.
 * Both sleep on condition variables, so perch_sched_stop returns at once.
 */
#include "sched/sched.h"
#include "util/thread.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/retention.h"
#include "store/db.h"
#include "timefmt.h"

#define PARTITION_EVERY_S 3600
#define RETRY_S 60 /* after a failed database task */

struct perch_sched {
	struct perch_ingest *ing;
	char *db_url;
	int retention_interval;
	PGconn *conn;               /* the maintenance thread's */
	PGcancel *cancel;           /* set while a task runs, so that stop can interrupt it */

	pthread_mutex_t lock;
	pthread_cond_t clock_cond;  /* CLOCK_REALTIME: ticks follow the wall clock's seconds */
	pthread_cond_t maint_cond;  /* CLOCK_MONOTONIC: intervals survive clock changes */
	bool stopping;
	pthread_t clock_thread, maint_thread;
	bool clock_started, maint_started;
};

#define sched_log(...) perch_log("sched", __VA_ARGS__)

/* ---- the clock ---- */

static void publish_str(struct perch_sched *s, const char *topic, const char *text)
{
	/* while the broker is away the ticks are simply skipped */
	perch_ingest_publish(s->ing, topic, text, strlen(text), 0, false);
}

static void tick(struct perch_sched *s)
{
	int64_t now = perch_wall_us();
	char text[48];

	snprintf(text, sizeof(text), "%" PRId64, now / 1000000);
	publish_str(s, "time/seconds", text);
	snprintf(text, sizeof(text), "%" PRId64, now / 1000);
	publish_str(s, "time/millis", text);
	perch_time_format_ms(now, text, sizeof(text));
	publish_str(s, "time/ISO-8601", text);
	if((now / 1000000) % 3600 == 0){
		snprintf(text, sizeof(text), "%d", (int)((now / 1000000 / 3600) % 24));
		publish_str(s, "time/hours", text);
	}
}

/* Waits until the next wall-clock second; false when stopping. Called with the lock held. */
static bool wait_next_second(struct perch_sched *s)
{
	struct timespec now, at;

	clock_gettime(CLOCK_REALTIME, &now);
	at.tv_sec = now.tv_sec + 1;
	at.tv_nsec = 0;
	while(!s->stopping){
		if(pthread_cond_timedwait(&s->clock_cond, &s->lock, &at) == ETIMEDOUT){
			return !s->stopping;
		}
	}
	return false;
}

static void *clock_main(void *arg)
{
	struct perch_sched *s = arg;

	perch_thread_block_signals();
	pthread_mutex_lock(&s->lock);
	while(wait_next_second(s)){
		pthread_mutex_unlock(&s->lock);
		tick(s);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- maintenance ---- */

static int64_t mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static bool ensure_conn(struct perch_sched *s)
{
	char err[512];

	if(s->conn && PQstatus(s->conn) == CONNECTION_OK){
		return true;
	}
	PQfinish(s->conn);
	s->conn = perch_db_connect(s->db_url, err, sizeof(err));
	if(!s->conn){
		sched_log("%s", err);
		return false;
	}
	return true;
}

/* Returns when the task should run next (monotonic seconds). */
static int64_t run_partitions(struct perch_sched *s)
{
	char err[512];

	if(perch_db_ensure_partitions(s->conn, 1, 3, err, sizeof(err)) == 0){
		return mono_s() + PARTITION_EVERY_S;
	}
	sched_log("making data partitions: %s", err);
	return mono_s() + RETRY_S;
}

static int64_t run_retention(struct perch_sched *s)
{
	char err[512];
	int interval = s->retention_interval > 0 ? s->retention_interval : 3600;

	if(perch_retention_purge(s->conn, perch_wall_us(), err, sizeof(err)) == 0){
		return mono_s() + interval;
	}
	sched_log("retention purge: %s", err);
	return mono_s() + (interval < RETRY_S ? interval : RETRY_S);
}

/* Sleeps until the monotonic second `until`; false when stopping. Called with the lock held. */
static bool wait_until(struct perch_sched *s, int64_t until)
{
	struct timespec at = { .tv_sec = until, .tv_nsec = 0 };

	while(!s->stopping && mono_s() < until){
		pthread_cond_timedwait(&s->maint_cond, &s->lock, &at);
	}
	return !s->stopping;
}

/* Runs the tasks that are due, with a cancel handle published for perch_sched_stop. */
static void run_due(struct perch_sched *s, int64_t *next_part, int64_t *next_purge)
{
	int64_t now = mono_s();
	PGcancel *cancel;
	bool stopping;

	if(!ensure_conn(s)){
		*next_part = *next_purge = now + RETRY_S;
		return;
	}
	cancel = PQgetCancel(s->conn);
	pthread_mutex_lock(&s->lock);
	s->cancel = cancel;
	pthread_mutex_unlock(&s->lock);
	if(now >= *next_part){
		*next_part = run_partitions(s);
	}
	pthread_mutex_lock(&s->lock);
	stopping = s->stopping;
	pthread_mutex_unlock(&s->lock);
	if(now >= *next_purge && !stopping){
		*next_purge = run_retention(s);
	}
	pthread_mutex_lock(&s->lock);
	s->cancel = NULL;
	pthread_mutex_unlock(&s->lock);
	PQfreeCancel(cancel);
}

static void *maint_main(void *arg)
{
	struct perch_sched *s = arg;
	int64_t next_part = 0, next_purge = 0;

	perch_thread_block_signals();
	pthread_mutex_lock(&s->lock);
	while(wait_until(s, next_part < next_purge ? next_part : next_purge)){
		pthread_mutex_unlock(&s->lock);
		run_due(s, &next_part, &next_purge);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* ---- start and stop ---- */

static struct perch_sched *sched_alloc(const struct perch_config *cfg, struct perch_ingest *ing)
{
	struct perch_sched *s = calloc(1, sizeof(*s));
	pthread_condattr_t attr;

	if(!s || !(s->db_url = strdup(cfg->database_url))){
		free(s);
		return NULL;
	}
	s->ing = ing;
	s->retention_interval = cfg->retention_interval;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->clock_cond, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&s->maint_cond, &attr);
	pthread_condattr_destroy(&attr);
	return s;
}

struct perch_sched *perch_sched_start(const struct perch_config *cfg, struct perch_ingest *ing,
		char *err, size_t errlen)
{
	struct perch_sched *s = sched_alloc(cfg, ing);
	int rc;

	if(!s){
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rc = pthread_create(&s->clock_thread, NULL, clock_main, s);
	s->clock_started = rc == 0;
	if(rc == 0){
		rc = pthread_create(&s->maint_thread, NULL, maint_main, s);
		s->maint_started = rc == 0;
	}
	if(rc != 0){
		snprintf(err, errlen, "cannot start the scheduler: %s", strerror(rc));
		perch_sched_stop(s);
		return NULL;
	}
	return s;
}

void perch_sched_stop(struct perch_sched *s)
{
	if(!s){
		return;
	}
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	if(s->cancel){
		char ignored[256];
		/* a long purge is abandoned; the next start does it again */
		PQcancel(s->cancel, ignored, sizeof(ignored));
	}
	pthread_cond_broadcast(&s->clock_cond);
	pthread_cond_broadcast(&s->maint_cond);
	pthread_mutex_unlock(&s->lock);
	if(s->clock_started){
		pthread_join(s->clock_thread, NULL);
	}
	if(s->maint_started){
		pthread_join(s->maint_thread, NULL);
	}
	PQfinish(s->conn);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->clock_cond);
	pthread_cond_destroy(&s->maint_cond);
	free(s->db_url);
	free(s);
}
