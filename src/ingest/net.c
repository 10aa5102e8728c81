/*
 * The ingest's network thread: perch's own loop around libmosquitto (mosquitto_loop_read,
 * _write, _misc) instead of mosquitto_loop_start, for two reasons.
 *
 * Nothing lost, nothing twice, across a restart. libmosquitto acknowledges a QoS 1 message as
 * it hands it to us, so every message on_message has seen must be stored, and at a stop the
 * broker must get every one of those PUBACKs. libmosquitto 2.0.11 cannot end a session that
 * way while messages keep coming: after mosquitto_disconnect(), the next PUBLISH it reads is a
 * protocol error and it closes the socket without writing the PUBACKs and the DISCONNECT it
 * still holds (the broker then sends those messages again: duplicates). With our own loop we
 * stop reading first, write out every PUBACK, then end our side of the TCP connection and read
 * until the broker closes: closing with unread data would send a reset, and the broker's
 * kernel would drop the PUBACKs it had not read yet. (No MQTT DISCONNECT either: libmosquitto
 * closes the socket the moment it has written one, unread data and all.) What arrives after
 * we stopped reading is never acknowledged and comes again in the next session.
 *
 * Throughput. libmosquitto's loop waits in select() before every packet; here one poll() is
 * followed by reading until the socket is empty.
 *
 * Other threads publish with mosquitto_publish (which only queues, the client being marked
 * threaded) and wake this thread through an eventfd.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "ingest/internal.h"
#include "topic.h"

#define POLL_MS 1000          /* keepalive checks need no finer grain */
#define READ_BURST 4096       /* packets read before writing PUBACKs out */
#define COALESCE_BELOW 512    /* a read burst this short is followed by a pause */
#define COALESCE_NS 2000000L  /* that pause */
#define RECONNECT_MAX_S 10
#define CLOSE_WAIT_MS 3000    /* longest a stop waits for the broker */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ingest_wake(struct perch_ingest *ing)
{
	uint64_t one = 1;
	/* a full counter (EAGAIN) already means "wake up" */
	if(write(ing->wake_fd, &one, sizeof(one)) < 0){
		return;
	}
}

static void drain_wake(struct perch_ingest *ing)
{
	uint64_t n;
	if(read(ing->wake_fd, &n, sizeof(n)) < 0){
		return; /* EAGAIN: nothing was pending */
	}
}

/* ---- callbacks (run on this thread, inside mosquitto_loop_*) ---- */

static bool is_fanout_copy(const mosquitto_property *props)
{
	char *name = NULL, *value = NULL;
	bool copy = false;

	for(const mosquitto_property *p = props; p; p = mosquitto_property_next(p)){
		if(mosquitto_property_identifier(p) != MQTT_PROP_USER_PROPERTY){
			continue;
		}
		if(mosquitto_property_read_string_pair(p, MQTT_PROP_USER_PROPERTY, &name, &value, false)){
			copy = strcmp(name, PERCH_COPY_PROPERTY) == 0;
			free(name);
			free(value);
			if(copy){
				break;
			}
		}
	}
	return copy;
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg,
		const mosquitto_property *props)
{
	struct perch_ingest *ing = obj;

	(void)mosq;
	atomic_fetch_add(&ing->received, 1);
	if(msg->retain){
		return; /* a retained copy replayed at subscription, not a new value */
	}
	if(is_fanout_copy(props)){
		return; /* the plugin's copy for another topic form: the original is stored */
	}
	ingest_take_message(ing, msg->topic, msg->payload ? msg->payload : "", (size_t)msg->payloadlen);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc, int flags, const mosquitto_property *props)
{
	struct perch_ingest *ing = obj;

	(void)props;
	if(rc == 0){
		/* no local: what perch itself publishes (REST values, /get answers) is not stored again;
		 * retain never: a retained message is old news, not a new data point */
		int src = mosquitto_subscribe_v5(mosq, NULL, "+/#", 1,
				MQTT_SUB_OPT_NO_LOCAL | MQTT_SUB_OPT_SEND_RETAIN_NEVER, NULL);
		if(src != MOSQ_ERR_SUCCESS){
			ingest_log("cannot subscribe: %s", mosquitto_strerror(src));
		}
		atomic_store(&ing->connected, true);
		ingest_log("connected to the broker (%s session)", flags & 1 ? "resumed" : "new");
	}else{
		ingest_log("the broker refused the connection: %s", mosquitto_reason_string(rc));
	}
	pthread_mutex_lock(&ing->lock);
	if(ing->connack < 0){
		ing->connack = rc;
		pthread_cond_broadcast(&ing->cond);
	}
	pthread_mutex_unlock(&ing->lock);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc, const mosquitto_property *props)
{
	struct perch_ingest *ing = obj;

	(void)mosq;
	(void)props;
	if(rc != 0 && !atomic_load(&ing->stopping)){
		ingest_log("lost the broker (%s); reconnecting", mosquitto_strerror(rc));
	}
	atomic_store(&ing->connected, false);
}

void ingest_set_callbacks(struct perch_ingest *ing)
{
	mosquitto_connect_v5_callback_set(ing->mosq, on_connect);
	mosquitto_disconnect_v5_callback_set(ing->mosq, on_disconnect);
	mosquitto_message_v5_callback_set(ing->mosq, on_message);
}

/* ---- the loop ---- */

/* Reads until the socket is empty (or a burst is done); false when the connection broke. */
static bool read_packets(struct perch_ingest *ing)
{
	int i;
	for(i = 0; i < READ_BURST; i++){
		int rc;
		errno = 0;
		rc = mosquitto_loop_read(ing->mosq, 1);
		if(rc != MOSQ_ERR_SUCCESS || mosquitto_socket(ing->mosq) < 0){
			return false;
		}
		if(errno == EAGAIN || errno == EWOULDBLOCK){
			break; /* read everything there was */
		}
	}
	/*
	 * Under a steady flow each wake-up finds only a few messages, and the wake-ups cost more
	 * than the messages. A short pause lets them gather: a millisecond is nothing next to the
	 * writer's flush interval, and a quiet socket is never delayed (the pause follows a read).
	 */
	if(i > 0 && i < COALESCE_BELOW){
		struct timespec pause = { 0, COALESCE_NS };
		nanosleep(&pause, NULL);
	}
	return true;
}

static void step(struct perch_ingest *ing)
{
	struct pollfd p[2] = {
		{ .fd = mosquitto_socket(ing->mosq), .events = POLLIN },
		{ .fd = ing->wake_fd, .events = POLLIN },
	};

	if(mosquitto_want_write(ing->mosq)){
		p[0].events |= POLLOUT;
	}
	if(poll(p, 2, POLL_MS) < 0 && errno != EINTR){
		ingest_log("poll: %s", strerror(errno));
		return;
	}
	if(p[1].revents & POLLIN){
		drain_wake(ing);
	}
	if((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !read_packets(ing)){
		return;
	}
	if(mosquitto_want_write(ing->mosq) && mosquitto_loop_write(ing->mosq, 1) != MOSQ_ERR_SUCCESS){
		return;
	}
	mosquitto_loop_misc(ing->mosq); /* keepalive: PINGREQ, or notice a silent broker */
}

/* Waits ms or until woken; false when stopping. */
static bool pause_ms(struct perch_ingest *ing, int ms)
{
	struct pollfd p = { .fd = ing->wake_fd, .events = POLLIN };

	if(!atomic_load(&ing->stopping) && poll(&p, 1, ms) > 0){
		drain_wake(ing);
	}
	return !atomic_load(&ing->stopping);
}

static void reconnect(struct perch_ingest *ing, int *delay_s)
{
	int rc;

	if(!pause_ms(ing, *delay_s * 1000)){
		return;
	}
	rc = mosquitto_reconnect(ing->mosq); /* keeps the session-expiry property of the first connect */
	if(rc == MOSQ_ERR_SUCCESS){
		*delay_s = 1;
		return;
	}
	*delay_s = *delay_s * 2 > RECONNECT_MAX_S ? RECONNECT_MAX_S : *delay_s * 2;
}

/* Writes every queued packet (the PUBACKs above all) while the broker takes them. */
static bool flush(struct perch_ingest *ing, int64_t deadline)
{
	while(mosquitto_want_write(ing->mosq) && mono_ms() < deadline){
		struct pollfd p = { .fd = mosquitto_socket(ing->mosq), .events = POLLOUT };
		if(poll(&p, 1, 100) > 0 && mosquitto_loop_write(ing->mosq, 1) != MOSQ_ERR_SUCCESS){
			return false;
		}
		if(mosquitto_socket(ing->mosq) < 0){
			return false;
		}
	}
	return !mosquitto_want_write(ing->mosq);
}

/* Ends our side of the connection and reads until the broker closes its side. */
static void drain_socket(int fd, int64_t deadline)
{
	char buf[16384];

	if(shutdown(fd, SHUT_WR) != 0){
		return;
	}
	while(mono_ms() < deadline){
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		if(poll(&p, 1, 100) <= 0){
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		if(n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)){
			return; /* the broker read everything we sent, then closed */
		}
	}
}

/* The clean end of a session described at the top of this file; the session stays. */
static void close_session(struct perch_ingest *ing)
{
	int64_t deadline = mono_ms() + CLOSE_WAIT_MS;
	int fd = mosquitto_socket(ing->mosq);

	if(fd < 0){
		return;
	}
	if(!flush(ing, deadline)){
		ingest_log("the broker did not take every acknowledgement: it may send some messages again");
		return;
	}
	drain_socket(fd, deadline); /* mosquitto_destroy closes the socket */
}

void *ingest_net_main(void *arg)
{
	struct perch_ingest *ing = arg;
	int delay_s = 1;

	ingest_block_signals();
	while(!atomic_load(&ing->stopping)){
		if(mosquitto_socket(ing->mosq) < 0){
			atomic_store(&ing->connected, false);
			reconnect(ing, &delay_s);
			continue;
		}
		step(ing);
	}
	close_session(ing);
	return NULL;
}

