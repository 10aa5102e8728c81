/*
 * mqtt_count: the "plain subscriber" of bench/ingest. It subscribes to one topic filter at
 * QoS 0, counts the PUBLISH packets that arrive and reports how fast they came:
 *
 *   mqtt_count --port P --topic FILTER --expect N [--host H] [--user U --pass K] [--idle S]
 *
 * It prints "ready" once the broker has acknowledged the subscription, then, when N messages
 * have arrived, or none came for S seconds (default 3) after the first (30 s before the first),
 * one JSON line:
 *   {"received":N,"seconds":S,"rate":R}      (S = first to last message)
 *
 * It speaks MQTT 3.1.1 over a plain socket and reads in large chunks at most a thousand times
 * a second, so that it costs the machine far less than the broker it measures (libmosquitto
 * 2.0 reads a packet in three system calls and wakes up for each one). Build: cc -O2 -o mqtt_count mqtt_count.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

struct args {
	const char *host, *port, *topic, *user, *pass;
	long long expect;
	double idle;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "mqtt_count: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
	exit(1);
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *ai;
	int fd;

	if(getaddrinfo(host, port, &hints, &ai) != 0){
		die("cannot resolve the broker");
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if(fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0){
		die("cannot connect to the broker");
	}
	freeaddrinfo(ai);
	return fd;
}

static size_t put_str(uint8_t *p, const char *s)
{
	size_t n = strlen(s);
	p[0] = (uint8_t)(n >> 8);
	p[1] = (uint8_t)n;
	memcpy(p + 2, s, n);
	return n + 2;
}

static size_t put_varint(uint8_t *p, size_t v)
{
	size_t n = 0;
	do{
		uint8_t b = v % 128;
		v /= 128;
		p[n++] = (uint8_t)(b | (v ? 0x80 : 0));
	}while(v);
	return n;
}

/* Wraps body in a fixed header and sends it. */
static void send_packet(int fd, uint8_t type, const uint8_t *body, size_t len)
{
	uint8_t pkt[2048];
	size_t n = 0;

	pkt[n++] = type;
	n += put_varint(pkt + n, len);
	memcpy(pkt + n, body, len);
	if(send(fd, pkt, n + len, MSG_NOSIGNAL) != (ssize_t)(n + len)){
		die("cannot send");
	}
}

static void mqtt_connect(int fd, const struct args *a)
{
	uint8_t b[1024];
	char id[64];
	size_t n = 0;

	snprintf(id, sizeof(id), "bench-count-%d", (int)getpid());
	n += put_str(b + n, "MQTT");
	b[n++] = 4;                                   /* MQTT 3.1.1 */
	b[n++] = (uint8_t)(0x02 | (a->user ? 0x80 : 0) | (a->pass ? 0x40 : 0));
	b[n++] = 0;
	b[n++] = 60;                                  /* keepalive */
	n += put_str(b + n, id);
	if(a->user){
		n += put_str(b + n, a->user);
	}
	if(a->pass){
		n += put_str(b + n, a->pass);
	}
	send_packet(fd, 0x10, b, n);
}

static void mqtt_subscribe(int fd, const char *topic)
{
	uint8_t b[1024];
	size_t n = 0;

	b[n++] = 0;
	b[n++] = 1;                                   /* packet id */
	n += put_str(b + n, topic);
	b[n++] = 0;                                   /* QoS 0 */
	send_packet(fd, 0x82, b, n);
}

struct counter {
	uint8_t *buf;
	size_t len;
	long long received;
	double first, last;
	int stage;                                    /* 0: want CONNACK, 1: SUBACK, 2: counting */
};

/* Handles one complete packet. */
static void packet(struct counter *c, uint8_t type, const uint8_t *body, size_t len)
{
	if(c->stage == 0 && type >> 4 == 2){
		if(len < 2 || body[1] != 0){
			fprintf(stderr, "mqtt_count: connection refused (CONNACK %d)\n", len >= 2 ? body[1] : -1);
			exit(1);
		}
		c->stage = 1;
	}else if(c->stage == 1 && type >> 4 == 9){
		if(len < 3 || body[2] == 0x80){
			fprintf(stderr, "mqtt_count: subscription refused\n");
			exit(1);
		}
		c->stage = 2;
		printf("ready\n");
		fflush(stdout);
	}else if(type >> 4 == 3){
		double t = now_s();
		if(c->received++ == 0){
			c->first = t;
		}
		c->last = t;
	}
}

/* Splits the buffer into packets; keeps an incomplete one for the next read. */
static void parse(struct counter *c)
{
	size_t pos = 0;

	for(;;){
		size_t len = 0, mult = 1, i = pos + 1;
		if(i >= c->len){
			break;
		}
		while(i < c->len && (c->buf[i] & 0x80)){
			len += (c->buf[i++] & 0x7f) * mult;
			mult *= 128;
		}
		if(i >= c->len){
			break;
		}
		len += (c->buf[i++] & 0x7f) * mult;
		if(i + len > c->len){
			break;
		}
		packet(c, c->buf[pos], c->buf + i, len);
		pos = i + len;
	}
	memmove(c->buf, c->buf + pos, c->len - pos);
	c->len -= pos;
}

static void parse_args(int argc, char **argv, struct args *a)
{
	a->host = "127.0.0.1";
	a->idle = 3;
	for(int i = 1; i + 1 < argc; i += 2){
		const char *k = argv[i], *v = argv[i + 1];
		if(strcmp(k, "--host") == 0) a->host = v;
		else if(strcmp(k, "--port") == 0) a->port = v;
		else if(strcmp(k, "--topic") == 0) a->topic = v;
		else if(strcmp(k, "--user") == 0) a->user = v;
		else if(strcmp(k, "--pass") == 0) a->pass = v;
		else if(strcmp(k, "--expect") == 0) a->expect = atoll(v);
		else if(strcmp(k, "--idle") == 0) a->idle = atof(v);
		else{
			fprintf(stderr, "mqtt_count: unknown option %s\n", k);
			exit(2);
		}
	}
	if(!a->port || !a->topic || a->expect <= 0){
		fprintf(stderr, "usage: mqtt_count --port P --topic FILTER --expect N [--host H] [--user U --pass K] [--idle S]\n");
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct counter c = { 0 };
	double ping_at, start, seconds;
	int fd;

	parse_args(argc, argv, &a);
	c.buf = malloc(BUF_SIZE);
	if(!c.buf){
		die("out of memory");
	}
	fd = dial(a.host, a.port);
	mqtt_connect(fd, &a);
	mqtt_subscribe(fd, a.topic);
	ping_at = now_s() + 30;
	start = now_s();
	while(c.received < a.expect){
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		if(poll(&p, 1, 200) < 0 && errno != EINTR){
			die("poll");
		}
		if(c.received > 0 ? now_s() - c.last > a.idle : now_s() - start > 30){
			break;
		}
		if(now_s() > ping_at){
			send_packet(fd, 0xC0, NULL, 0);
			ping_at = now_s() + 30;
		}
		if(!(p.revents & (POLLIN | POLLHUP | POLLERR))){
			continue;
		}
		n = recv(fd, c.buf + c.len, BUF_SIZE - c.len, 0);
		if(n <= 0){
			die("the broker closed the connection");
		}
		c.len += (size_t)n;
		parse(&c);
		if(n < BUF_SIZE / 4){
			/* Let data gather: a wake-up per message would cost more than the broker's work. */
			struct timespec nap = { 0, 1000000 };
			nanosleep(&nap, NULL);
		}
	}
	seconds = c.received > 1 ? c.last - c.first : 0;
	printf("{\"received\":%lld,\"seconds\":%.3f,\"rate\":%.0f}\n", c.received, seconds,
		seconds > 0 ? (double)c.received / seconds : 0.0);
	close(fd);
	free(c.buf);
	return 0;
}
