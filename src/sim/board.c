/*
 * One simulated Photon2 board: the shapes its sensor values follow, the payloads and topics it
 * publishes, its MQTT connection, and the command feed it obeys.
 *
 * Everything on the publish path writes into stack buffers: the load generator sends hundreds
 * of thousands of messages a second, so no malloc and no printf per message (libmosquitto
 * still allocates its own packet).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <mosquitto.h>

#include "sim/sim.h"

#define SIM_QOS1_WINDOW 1000   /* QoS 1 messages a board may have unacknowledged */
#define SIM_BACKOFF_MIN_MS 250
#define SIM_BACKOFF_MAX_MS 5000

static const struct {
	const char *name;
	enum sim_kind kind;
} kinds[] = {
	{ "temperature", SIM_TEMPERATURE },
	{ "humidity", SIM_HUMIDITY },
	{ "light", SIM_LIGHT },
	{ "button", SIM_BUTTON },
	{ "counter", SIM_COUNTER },
};

int sim_parse_kind(const char *name, enum sim_kind *kind)
{
	for(size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++){
		if(strcmp(name, kinds[i].name) == 0){
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -1;
}

const char *sim_kind_names(void)
{
	return "temperature, humidity, light, button, counter";
}

int64_t sim_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The ISO prefix and the hour of day change once a second: only then call gmtime/localtime. */
void sim_clock_update(struct sim_clock *clk)
{
	struct timespec ts;
	struct tm tm;

	clk->now_ns = sim_now_ns();
	clock_gettime(CLOCK_REALTIME, &ts);
	clk->wall_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	if(ts.tv_sec != clk->second){
		time_t t = ts.tv_sec;
		clk->second = ts.tv_sec;
		gmtime_r(&t, &tm);
		strftime(clk->iso, sizeof(clk->iso), "%Y-%m-%dT%H:%M:%S", &tm);
		localtime_r(&t, &tm);
		clk->hour = tm.tm_hour + tm.tm_min / 60.0 + tm.tm_sec / 3600.0;
	}
}

/* xorshift64*: each board has its own state, so threads never share a generator. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* Roughly normal with mean 0 and deviation 1 (Irwin-Hall of 4): cheap and smooth enough. */
static double rng_noise(uint64_t *s)
{
	double sum = rng_unit(s) + rng_unit(s) + rng_unit(s) + rng_unit(s);
	return (sum - 2.0) * 1.7320508;
}

/* Writes v with the given number of decimals; returns the length. */
static size_t fmt_fixed(char *out, double v, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1000, 10000 };
	char digits[32];
	size_t n = 0, len = 0;
	long long x = llround(fabs(v) * scale[decimals]);

	if(v < 0 && x != 0){
		out[len++] = '-';
	}
	do{
		digits[n++] = (char)('0' + x % 10);
		x /= 10;
	}while(x > 0 || (int)n <= decimals);
	while(n > 0){
		if((int)n == decimals){
			out[len++] = '.';
		}
		out[len++] = digits[--n];
	}
	return len;
}

static size_t fmt_u64(char *out, uint64_t v)
{
	char digits[24];
	size_t n = 0, len = 0;

	do{
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	}while(v > 0);
	while(n > 0){
		out[len++] = digits[--n];
	}
	return len;
}

/* Slow drift towards 21 °C (mean-reverting random walk), plus sensor noise. */
static size_t value_temperature(struct sim_feed *f, uint64_t *rng, char *out)
{
	f->level += 0.02 * rng_noise(rng) - 0.01 * (f->level - 21.0);
	return fmt_fixed(out, f->level + 0.05 * rng_noise(rng), 2);
}

static size_t value_humidity(struct sim_feed *f, uint64_t *rng, char *out)
{
	f->level += 0.2 * rng_noise(rng) - 0.02 * (f->level - 50.0);
	if(f->level < 40.0){
		f->level = 40.0;
	}else if(f->level > 60.0){
		f->level = 60.0;
	}
	return fmt_fixed(out, f->level, 1);
}

/* Daylight from 6:00 to 18:00 local time, peaking at 1000 lux at noon; a little noise. */
static size_t value_light(const struct sim_clock *clk, uint64_t *rng, char *out)
{
	double sun = sin(M_PI * (clk->hour - 6.0) / 12.0);
	double lux = (sun > 0 ? 1000.0 * sun : 0.0) + 15.0 * rng_noise(rng);

	if(lux < 0){
		lux = 0;
	}else if(lux > 1000){
		lux = 1000;
	}
	return fmt_fixed(out, lux, 0);
}

/* Mostly 0; now and then someone presses it for a reading or two. */
static size_t value_button(struct sim_feed *f, uint64_t *rng, char *out)
{
	if(f->pressed > 0){
		f->pressed--;
	}else if(rng_unit(rng) < 0.05){
		f->pressed = 1 + (int)(rng_unit(rng) * 2);
	}
	out[0] = f->pressed > 0 ? '1' : '0';
	return 1;
}

static size_t feed_value(struct sim_feed *f, uint64_t *rng, const struct sim_clock *clk, char *out)
{
	switch(f->spec->kind){
	case SIM_TEMPERATURE:
		return value_temperature(f, rng, out);
	case SIM_HUMIDITY:
		return value_humidity(f, rng, out);
	case SIM_LIGHT:
		return value_light(clk, rng, out);
	case SIM_BUTTON:
		return value_button(f, rng, out);
	case SIM_COUNTER:
		return fmt_u64(out, ++f->counter);
	}
	return 0;
}

static size_t append(char *out, size_t len, const char *s, size_t n)
{
	memcpy(out + len, s, n);
	return len + n;
}

/*
 * {"value":21.37,"created_at":"2024-05-01T12:00:00.123456Z"}: the send time travels with the
 * value, so the benchmark can measure publish-to-stored latency from the stored row alone.
 */
static size_t payload_json(char *out, const char *value, size_t vlen, const struct sim_clock *clk)
{
	size_t len = 0;
	char us[8];
	int64_t frac = clk->wall_us % 1000000;

	for(int i = 5; i >= 0; i--){
		us[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	len = append(out, len, "{\"value\":", 9);
	len = append(out, len, value, vlen);
	len = append(out, len, ",\"created_at\":\"", 15);
	len = append(out, len, clk->iso, strlen(clk->iso));
	out[len++] = '.';
	len = append(out, len, us, 6);
	len = append(out, len, "Z\"}", 3);
	return len;
}

/* Builds the payload of the next reading of f into out (at least 160 bytes). */
static size_t make_payload(struct sim_board *b, struct sim_feed *f, const struct sim_clock *clk, char *out)
{
	char value[40];
	size_t vlen = feed_value(f, &b->rng, clk, value);
	size_t len;

	switch(b->run->opt->payload){
	case SIM_PAYLOAD_JSON:
		return payload_json(out, value, vlen, clk);
	case SIM_PAYLOAD_CSV:
		len = append(out, 0, value, vlen);
		out[len++] = ',';
		return append(out, len, b->location, strlen(b->location));
	case SIM_PAYLOAD_RAW:
		break;
	}
	return append(out, 0, value, vlen);
}

bool sim_board_ready(const struct sim_board *b)
{
	if(!b->connected || mosquitto_want_write(b->mosq)){
		/* A full socket means the broker is behind: queueing more would only grow memory. */
		return false;
	}
	return b->run->opt->qos == 0 || b->outstanding < SIM_QOS1_WINDOW;
}

int sim_board_publish(struct sim_board *b, struct sim_feed *f, const struct sim_clock *clk)
{
	char payload[160];
	size_t len = make_payload(b, f, clk, payload);
	int qos = b->run->opt->qos;
	int rc = mosquitto_publish(b->mosq, NULL, f->topic, (int)len, payload, qos, false);

	if(rc != MOSQ_ERR_SUCCESS){
		atomic_fetch_add_explicit(&b->run->errors, 1, memory_order_relaxed);
		return -1;
	}
	if(qos > 0){
		b->outstanding++;
	}
	return 0;
}

/* ---- the command feed ------------------------------------------------------------------- */

/*
 * The value a dashboard sent: the payload itself, or the "value" member of an IO JSON object.
 * Writes at most outlen-1 bytes of it, trimmed, into out.
 */
static void command_value(const char *payload, size_t len, char *out, size_t outlen)
{
	const char *s = payload;
	size_t n = len;
	json_t *root = NULL, *v;
	char num[40];

	while(n > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n')){
		s++;
		n--;
	}
	if(n > 0 && s[0] == '{'){
		root = json_loadb(s, n, 0, NULL);
		v = root ? json_object_get(root, "value") : NULL;
		if(json_is_string(v)){
			s = json_string_value(v);
			n = strlen(s);
		}else if(json_is_number(v)){
			n = (size_t)snprintf(num, sizeof(num), "%.15g", json_number_value(v));
			s = num;
		}
	}
	while(n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')){
		n--;
	}
	if(n >= outlen){
		n = outlen - 1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	json_decref(root);
}

/* Whether an LED driven with this value would be lit: what the board prints it applied. */
static const char *led_meaning(const char *v)
{
	static const char *off[] = { "0", "off", "OFF", "Off", "false", "FALSE", "low", "LOW", "" };

	for(size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++){
		if(strcmp(v, off[i]) == 0){
			return "off";
		}
	}
	return "on";
}

/* A command arrived: apply it and report the state back, as a real board's sketch would. */
static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
	struct sim_board *b = obj;
	const struct sim_options *opt = b->run->opt;

	if(!b->state_topic || m->payloadlen < 0){
		return;
	}
	command_value(m->payload, (size_t)m->payloadlen, b->led, sizeof(b->led));
	atomic_fetch_add_explicit(&b->run->commands, 1, memory_order_relaxed);
	if(!opt->quiet){
		printf("%s: %s <- \"%s\" (led %s)\n", b->client_id, opt->command_feed, b->led, led_meaning(b->led));
		fflush(stdout);
	}
	/* Inside a callback libmosquitto only queues this; the worker writes it on POLLOUT. */
	if(mosquitto_publish(mosq, NULL, b->state_topic, (int)strlen(b->led), b->led, opt->qos, false) != MOSQ_ERR_SUCCESS){
		atomic_fetch_add_explicit(&b->run->errors, 1, memory_order_relaxed);
	}
}

/* ---- connection ------------------------------------------------------------------------- */

static void refuse(struct sim_board *b, int rc)
{
	struct sim_run *run = b->run;

	if(atomic_flag_test_and_set(&run->fatal_set)){
		return;
	}
	if(rc == 4 || rc == 5){
		snprintf(run->fatal_msg, sizeof(run->fatal_msg),
			"%s: connection refused: not authorised — check the user name and key", b->client_id);
	}else{
		snprintf(run->fatal_msg, sizeof(run->fatal_msg), "%s: connection refused: %s",
			b->client_id, mosquitto_connack_string(rc));
	}
	atomic_store(&run->fatal, 1);
	atomic_store(&run->stop, true);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct sim_board *b = obj;
	const struct sim_options *opt = b->run->opt;

	if(rc != 0){
		refuse(b, rc);
		return;
	}
	if(b->ever_connected && !opt->quiet){
		fprintf(stderr, "%s: connected again\n", b->client_id);
	}
	b->connected = true;
	b->ever_connected = true;
	b->backoff_ms = SIM_BACKOFF_MIN_MS;
	atomic_fetch_add(&b->run->connected, 1);
	for(int i = 0; i < 2 && b->cmd_topics[i]; i++){
		mosquitto_subscribe(mosq, NULL, b->cmd_topics[i], opt->qos);
	}
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
	struct sim_board *b = obj;
	struct sim_clock clk = { .now_ns = sim_now_ns() };

	(void)mosq;
	if(rc != 0 && b->connected && !b->run->opt->quiet && !atomic_load(&b->run->stop)){
		fprintf(stderr, "%s: connection lost (%s), reconnecting\n", b->client_id, mosquitto_strerror(rc));
	}
	sim_board_lost(b, &clk);
}

/* QoS 1: called when the broker acknowledged (QoS 0 messages also land here, once written). */
static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
	struct sim_board *b = obj;

	(void)mosq;
	(void)mid;
	if(b->run->opt->qos > 0 && b->outstanding > 0){
		b->outstanding--;
	}
}

void sim_board_lost(struct sim_board *b, const struct sim_clock *clk)
{
	if(b->connected){
		atomic_fetch_sub(&b->run->connected, 1);
	}
	b->connected = false;
	b->socket_open = false;
	b->retry_at_ns = clk->now_ns + (int64_t)b->backoff_ms * 1000000;
	b->backoff_ms = b->backoff_ms * 2 > SIM_BACKOFF_MAX_MS ? SIM_BACKOFF_MAX_MS : b->backoff_ms * 2;
}

/* Opens the TCP connection and sends CONNECT; the CONNACK arrives later in on_connect. */
int sim_board_connect(struct sim_board *b, const struct sim_clock *clk)
{
	const struct sim_options *opt = b->run->opt;
	int rc;

	if(b->ever_connected || b->retry_at_ns > 0){
		rc = mosquitto_reconnect(b->mosq);
	}else{
		rc = mosquitto_connect(b->mosq, opt->host, opt->port, opt->keepalive);
	}
	if(rc != MOSQ_ERR_SUCCESS){
		if(!opt->quiet && b->backoff_ms == SIM_BACKOFF_MIN_MS){
			fprintf(stderr, "%s: cannot reach the broker at %s:%d (%s), retrying\n", b->client_id,
				opt->host, opt->port, rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
		}
		sim_board_lost(b, clk);
		return -1;
	}
	b->socket_open = true;
	return 0;
}

/* ---- set-up ----------------------------------------------------------------------------- */

static char *topic_join(const char *user, const char *mid, const char *feed, const char *suf)
{
	size_t n = strlen(user) + strlen(mid) + strlen(feed) + strlen(suf) + 3;
	char *t = malloc(n);

	if(t){
		snprintf(t, n, "%s/%s/%s%s", user, mid, feed, suf);
	}
	return t;
}

/* {user}/feeds/{feed}[/json|/csv], or the bootcamp's free-form {user}/photon2/{feed}. */
static char *topic_for(const struct sim_options *opt, const char *user, const char *feed)
{
	static const char *suffix[] = { "", "/json", "/csv" };

	if(opt->style == SIM_STYLE_FREEFORM){
		/* A free-form topic has no /json form: perch reads an IO JSON object sent to it as JSON. */
		return topic_join(user, "photon2", feed, "");
	}
	return topic_join(user, "feeds", feed, suffix[opt->payload]);
}

static int init_topics(struct sim_board *b, char *err, size_t errlen)
{
	const struct sim_options *opt = b->run->opt;
	const char *user = b->user->name;

	b->feeds = calloc(opt->nfeeds, sizeof(*b->feeds));
	if(!b->feeds){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for(size_t i = 0; i < opt->nfeeds; i++){
		struct sim_feed *f = &b->feeds[i];
		f->spec = &opt->feeds[i];
		f->level = f->spec->kind == SIM_HUMIDITY ? 45.0 + 10.0 * rng_unit(&b->rng) : 20.0 + 2.0 * rng_unit(&b->rng);
		f->topic = topic_for(opt, user, f->spec->name);
		if(!f->topic){
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if(opt->command_feed[0] != '\0'){
		char state[160];
		snprintf(state, sizeof(state), "%s-state", opt->command_feed);
		b->cmd_topics[0] = topic_join(user, "feeds", opt->command_feed, "");
		/* one subscription: perch delivers commands sent on {user}/f/FEED here too (fan-out) */
		b->cmd_topics[1] = NULL;
		b->state_topic = topic_join(user, "feeds", state, "");
		if(!b->cmd_topics[0] || !b->state_topic){
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int init_client(struct sim_board *b, char *err, size_t errlen)
{
	const struct sim_user *u = b->user;

	b->mosq = mosquitto_new(b->client_id, true, b);
	if(!b->mosq){
		snprintf(err, errlen, "cannot make an MQTT client: %s", strerror(errno));
		return -1;
	}
	if(u->key && mosquitto_username_pw_set(b->mosq, u->name, u->key) != MOSQ_ERR_SUCCESS){
		snprintf(err, errlen, "cannot set the credentials of %s", b->client_id);
		return -1;
	}
	mosquitto_max_inflight_messages_set(b->mosq, SIM_QOS1_WINDOW);
	mosquitto_connect_callback_set(b->mosq, on_connect);
	mosquitto_disconnect_callback_set(b->mosq, on_disconnect);
	mosquitto_publish_callback_set(b->mosq, on_publish);
	mosquitto_message_callback_set(b->mosq, on_message);
	return 0;
}

int sim_board_init(struct sim_board *b, struct sim_run *run, const struct sim_user *user,
		int number, uint64_t seed, char *err, size_t errlen)
{
	const struct sim_options *opt = run->opt;
	int n;

	memset(b, 0, sizeof(*b));
	b->run = run;
	b->user = user;
	b->number = number;
	b->rng = seed | 1;
	b->backoff_ms = SIM_BACKOFF_MIN_MS;
	n = snprintf(b->client_id, sizeof(b->client_id), "%s%s-%d", opt->client_prefix, user->name, number);
	if(n < 0 || (size_t)n >= sizeof(b->client_id)){
		snprintf(err, errlen, "client id too long for user %s", user->name);
		return -1;
	}
	/* Somewhere around the school (Berlin here), a few hundred metres apart. */
	snprintf(b->location, sizeof(b->location), "%.5f,%.5f,%d",
		52.52 + 0.01 * rng_unit(&b->rng), 13.40 + 0.01 * rng_unit(&b->rng), 30 + (int)(20 * rng_unit(&b->rng)));
	if(init_topics(b, err, errlen) != 0){
		return -1;
	}
	return init_client(b, err, errlen);
}

void sim_board_free(struct sim_board *b)
{
	if(b->mosq){
		mosquitto_destroy(b->mosq);
		b->mosq = NULL;
	}
	if(b->feeds){
		for(size_t i = 0; i < b->run->opt->nfeeds; i++){
			free(b->feeds[i].topic);
		}
		free(b->feeds);
		b->feeds = NULL;
	}
	free(b->cmd_topics[0]);
	free(b->cmd_topics[1]);
	free(b->state_topic);
	b->cmd_topics[0] = b->cmd_topics[1] = b->state_topic = NULL;
}
