/*
 * The ingest: one MQTT client (libmosquitto, MQTT v5, persistent session, QoS 1, "no local")
 * subscribed to every user namespace, and the threads around it:
 *  - the network thread (net.c) reads messages, parses them (parse.c) and queues records
 *    (queue.c); it never waits for the database;
 *  - the writer thread (writer.c, reply.c) stores the records in batches, creates feeds,
 *    answers /get and tells users what was refused.
 * The broker keeps the session (expiry "never") while perch is down and hands over what was
 * published meanwhile when it is back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "ingest/internal.h"
#include "keys.h"
#include "payload.h"
#include "topic.h"

/* the plugin reserves client ids starting with "perch-service" for perch itself, so no user
 * can take over the ingest's persistent session while it reconnects */
#define CLIENT_ID "perch-service-ingest"
#define KEEPALIVE_S 30
#define CONNACK_WAIT_S 5
#define RECEIVE_MAXIMUM 1000 /* QoS 1 messages in flight to us; the broker's own cap may be lower */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
	mosquitto_lib_init();
}

/* ---- publishing ---- */

int perch_ingest_publish(struct perch_ingest *ing, const char *topic, const void *payload, size_t len,
		int qos, bool retain)
{
	if(!ing || !atomic_load(&ing->connected) || atomic_load(&ing->stopping) || len > INT32_MAX){
		return -1;
	}
	if(mosquitto_publish(ing->mosq, NULL, topic, (int)len, payload, qos, retain) != MOSQ_ERR_SUCCESS){
		return -1;
	}
	ingest_wake(ing); /* the network thread writes it out */
	return 0;
}

void ingest_reject(struct perch_ingest *ing, const char *user, const char *topic, const char *reason)
{
	char where[PERCH_USER_MAX + 16], text[PERCH_TOPIC_MAX + 600];

	atomic_fetch_add(&ing->rejected, 1);
	if(!perch_username_valid(user)){
		return; /* no namespace to report into */
	}
	snprintf(where, sizeof(where), "%s/errors", user);
	snprintf(text, sizeof(text), "PUBLISH %s %s", topic, reason);
	perch_ingest_publish(ing, where, text, strlen(text), 0, false);
}

bool perch_ingest_connected(const struct perch_ingest *ing)
{
	return ing && atomic_load(&((struct perch_ingest *)ing)->connected);
}

void perch_ingest_stats(const struct perch_ingest *ing, struct perch_ingest_stats *out)
{
	struct perch_ingest *m = (struct perch_ingest *)ing; /* atomics are read, never changed */

	out->received = atomic_load(&m->received);
	out->stored = atomic_load(&m->stored);
	out->rejected = atomic_load(&m->rejected);
	out->batches = atomic_load(&m->batches);
	out->queued = atomic_load(&m->queued);
}

/* ---- start ---- */

static struct perch_ingest *ingest_alloc(const struct perch_config *cfg, char *err, size_t errlen)
{
	struct perch_ingest *ing = calloc(1, sizeof(*ing));

	if(!ing){
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ing->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if(ing->wake_fd < 0 || ingest_queue_init(&ing->queue, cfg->ingest_batch, cfg->ingest_flush_ms) != 0){
		snprintf(err, errlen, "cannot set up the ingest: %s", strerror(errno));
		if(ing->wake_fd >= 0){
			close(ing->wake_fd);
		}
		free(ing);
		return NULL;
	}
	pthread_mutex_init(&ing->lock, NULL);
	pthread_cond_init(&ing->cond, NULL);
	ing->connack = -1;
	ing->max_value = cfg->max_value > 0 ? (size_t)cfg->max_value : PERCH_VALUE_MAX_DEFAULT;
	return ing;
}

/* Stops the threads that run (network first: what it queued is then all written) and frees. */
static void ingest_free(struct perch_ingest *ing)
{
	atomic_store(&ing->stopping, true);
	if(ing->net_started){
		ingest_wake(ing);
		pthread_join(ing->net_thread, NULL);
	}
	if(ing->writer_started){
		ingest_queue_close(&ing->queue);
		pthread_join(ing->writer_thread, NULL);
	}
	ingest_writer_free(ing->writer);
	mosquitto_destroy(ing->mosq);
	ingest_queue_destroy(&ing->queue);
	close(ing->wake_fd);
	pthread_mutex_destroy(&ing->lock);
	pthread_cond_destroy(&ing->cond);
	free(ing);
}

static int start_writer(struct perch_ingest *ing, const struct perch_config *cfg, char *err, size_t errlen)
{
	int rc;

	ing->writer = ingest_writer_new(ing, cfg->database_url, cfg->ingest_batch, err, errlen);
	if(!ing->writer){
		return -1;
	}
	rc = pthread_create(&ing->writer_thread, NULL, ingest_writer_main, ing->writer);
	if(rc != 0){
		snprintf(err, errlen, "cannot start the writer thread: %s", strerror(rc));
		return -1;
	}
	ing->writer_started = true;
	return 0;
}

static int make_client(struct perch_ingest *ing, const struct perch_config *cfg, char *err, size_t errlen)
{
	char password[PERCH_KEY_HASH_HEX + 1];
	int rc;

	ing->mosq = mosquitto_new(CLIENT_ID, false, ing);
	if(!ing->mosq){
		snprintf(err, errlen, "cannot create the MQTT client: %s", strerror(errno));
		return -1;
	}
	mosquitto_int_option(ing->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	mosquitto_int_option(ing->mosq, MOSQ_OPT_RECEIVE_MAXIMUM, RECEIVE_MAXIMUM);
	mosquitto_int_option(ing->mosq, MOSQ_OPT_TCP_NODELAY, 1);
	mosquitto_threaded_set(ing->mosq, true); /* publishes from other threads only queue */
	perch_service_password(cfg->secret, password);
	rc = mosquitto_username_pw_set(ing->mosq, PERCH_SERVICE_USER, password);
	memset(password, 0, sizeof(password));
	if(rc != MOSQ_ERR_SUCCESS){
		snprintf(err, errlen, "MQTT client setup: %s", mosquitto_strerror(rc));
		return -1;
	}
	ingest_set_callbacks(ing);
	return 0;
}

/*
 * Connects with a session that outlives the connection (MQTT v5 ends it at disconnect unless
 * told otherwise); libmosquitto keeps the property for mosquitto_reconnect. A broker that is
 * not up yet is no error: the network thread keeps trying.
 */
static int connect_broker(struct perch_ingest *ing, const struct perch_config *cfg, char *err, size_t errlen)
{
	mosquitto_property *props = NULL;
	int rc = mosquitto_property_add_int32(&props, MQTT_PROP_SESSION_EXPIRY_INTERVAL, UINT32_MAX);
	struct stat st;
	/* the broker's Unix socket when it has one (port 0 tells libmosquitto), else TCP */
	bool unix_socket = cfg->mqtt_socket && *cfg->mqtt_socket && stat(cfg->mqtt_socket, &st) == 0 && S_ISSOCK(st.st_mode);
	const char *host = unix_socket ? cfg->mqtt_socket : cfg->mqtt_host;
	int port = unix_socket ? 0 : cfg->mqtt_port;

	if(rc == MOSQ_ERR_SUCCESS){
		rc = mosquitto_connect_bind_v5(ing->mosq, host, port, KEEPALIVE_S, NULL, props);
		if(rc == MOSQ_ERR_ERRNO || rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_EAI){
			ingest_log("broker %s:%d not reachable yet (%s); will retry", host, port, mosquitto_strerror(rc));
			rc = MOSQ_ERR_SUCCESS;
		}
	}
	mosquitto_property_free_all(&props);
	if(rc != MOSQ_ERR_SUCCESS){
		snprintf(err, errlen, "MQTT connect to %s:%d: %s", host, port, mosquitto_strerror(rc));
		return -1;
	}
	rc = pthread_create(&ing->net_thread, NULL, ingest_net_main, ing);
	if(rc != 0){
		snprintf(err, errlen, "cannot start the network thread: %s", strerror(rc));
		return -1;
	}
	ing->net_started = true;
	return 0;
}

/* Waits a little for the first CONNACK: a refusal (bad service password) fails the start. */
static int await_connack(struct perch_ingest *ing, char *err, size_t errlen)
{
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += CONNACK_WAIT_S;
	pthread_mutex_lock(&ing->lock);
	while(ing->connack < 0 && pthread_cond_timedwait(&ing->cond, &ing->lock, &ts) != ETIMEDOUT){
	}
	rc = ing->connack;
	pthread_mutex_unlock(&ing->lock);
	if(rc > 0){
		snprintf(err, errlen, "the broker refused perch's ingest: %s", mosquitto_reason_string(rc));
		return -1;
	}
	if(rc < 0){
		ingest_log("no answer from the broker yet; still trying");
	}
	return 0;
}

struct perch_ingest *perch_ingest_start(const struct perch_config *cfg, char *err, size_t errlen)
{
	struct perch_ingest *ing;

	if(!cfg->secret_loaded){
		snprintf(err, errlen, "the server secret is not loaded");
		return NULL;
	}
	pthread_once(&lib_once, lib_init);
	ing = ingest_alloc(cfg, err, errlen);
	if(!ing){
		return NULL;
	}
	if(start_writer(ing, cfg, err, errlen) != 0 || make_client(ing, cfg, err, errlen) != 0
			|| connect_broker(ing, cfg, err, errlen) != 0 || await_connack(ing, err, errlen) != 0){
		ingest_free(ing);
		return NULL;
	}
	return ing;
}

void perch_ingest_stop(struct perch_ingest *ing)
{
	if(ing){
		ingest_free(ing);
	}
}

