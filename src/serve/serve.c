/*
 * perch serve: prepares the data directory and the database, runs the broker (when managed),
 * the ingest, the scheduler and the HTTP server, and stops them in the reverse order on
 * SIGINT or SIGTERM, writing every value already received before it exits.
 */
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "http/server.h"
#include "ingest/ingest.h"
#include "sched/sched.h"
#include "serve/broker.h"
#include "store/db.h"

struct services {
	struct perch_broker *broker;
	struct perch_ingest *ingest;
	struct perch_sched *sched;
	struct perch_db_pool *pool;
	struct perch_http *http;
};

static int prepare_database(const struct perch_config *cfg, char *err, size_t errlen)
{
	PGconn *conn = NULL;
	int rc;

	/* PostgreSQL may still be starting (system boot, make run): wait a little for it */
	for(int tries = 0; tries < 30 && !conn; tries++){
		conn = perch_db_connect(cfg->database_url, err, errlen);
		if(!conn){
			sleep(1);
		}
	}
	if(!conn){
		return -1;
	}
	rc = perch_db_migrate(conn, err, errlen);
	if(rc == 0){
		rc = perch_db_ensure_partitions(conn, 1, 3, err, errlen);
	}
	PQfinish(conn);
	return rc;
}

static bool tcp_port_open(const char *host, int port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	char service[16];
	bool open_ = false;

	snprintf(service, sizeof(service), "%d", port);
	if(getaddrinfo(host, service, &hints, &ai) != 0){
		return false;
	}
	for(struct addrinfo *a = ai; a && !open_; a = a->ai_next){
		int fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if(fd >= 0){
			open_ = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
			close(fd);
		}
	}
	freeaddrinfo(ai);
	return open_;
}

/* A managed broker needs a moment to open its listeners: wait for its socket or port. */
static void wait_for_broker(const struct perch_config *cfg)
{
	for(int tries = 0; tries < 100; tries++){
		struct stat st;
		struct timespec pause = { 0, 100 * 1000000L };
		if(perch_broker_socket_usable(cfg)){
			if(stat(cfg->mqtt_socket, &st) == 0 && S_ISSOCK(st.st_mode)){
				return;
			}
		}else if(tcp_port_open(cfg->mqtt_host, cfg->mqtt_port)){
			return;
		}
		nanosleep(&pause, NULL);
	}
	fprintf(stderr, "perch: the broker is slow to start; carrying on\n");
}

static void stop_services(struct services *s)
{
	perch_http_stop(s->http);
	perch_sched_stop(s->sched);
	perch_ingest_stop(s->ingest);
	perch_db_pool_destroy(s->pool);
	perch_broker_stop(s->broker);
	memset(s, 0, sizeof(*s));
}

static int start_services(struct perch_config *cfg, struct services *s, char *err, size_t errlen)
{
	if(strcmp(cfg->broker, "managed") == 0){
		if(!(s->broker = perch_broker_start(cfg, err, errlen))){
			return -1;
		}
		wait_for_broker(cfg);
	}
	/* fails only when the broker refuses perch's credentials; an absent broker is retried */
	if(!(s->ingest = perch_ingest_start(cfg, err, errlen))){
		return -1;
	}
	if(!(s->sched = perch_sched_start(cfg, s->ingest, err, errlen))){
		return -1;
	}
	if(!(s->pool = perch_db_pool_create(cfg->database_url, cfg->db_pool, err, errlen))){
		return -1;
	}
	if(!(s->http = perch_http_start(cfg, s->pool, s->ingest, err, errlen))){
		return -1;
	}
	return 0;
}

int perch_cmd_serve(struct perch_config *cfg, int argc, char **argv)
{
	struct services s;
	char err[1024];
	sigset_t stop_signals;
	int sig = 0;

	(void)argc;
	(void)argv;
	memset(&s, 0, sizeof(s));
	/* Every thread inherits this mask, so the signals reach only sigwait() below. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);

	if(perch_prepare_data_dir(cfg, err, sizeof(err)) != 0 || prepare_database(cfg, err, sizeof(err)) != 0
			|| start_services(cfg, &s, err, sizeof(err)) != 0){
		fprintf(stderr, "perch: %s\n", err);
		stop_services(&s);
		return 1;
	}
	fprintf(stderr, "perch: serving HTTP on %s:%d, MQTT on %s:%d, MQTT over WebSocket on %d (broker %s)\n",
			cfg->http_bind, cfg->http_port, cfg->mqtt_bind, cfg->mqtt_port, cfg->ws_port, cfg->broker);
	sigwait(&stop_signals, &sig);
	fprintf(stderr, "perch: %s received, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	stop_services(&s);
	return 0;
}
