/*
 * perch sim: options, users, threads, the progress line and the summary. See sim.h for how
 * the files split the work, and `perch sim --help` for what the options mean.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

#include "cli/cli.h"
#include "sim/sim.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: perch [options] sim [sim options]\n"
		"\n"
		"Simulated Particle Photon2 boards: each one connects to the broker with its own client id\n"
		"({prefix}{user}-{n}), publishes sensor readings and obeys a command feed. With --rate the\n"
		"same boards become the load generator the benchmarks use.\n"
		"\n"
		"who:\n"
		"  --user NAME --key KEY    one user; the boards log in as a real board does (user name and\n"
		"                           MQTT key). Without --key they connect anonymously (plain broker).\n"
		"  --users FILE             many users, one \"name key\" a line (# starts a comment)\n"
		"  --boards N               boards per user (default 1)\n"
		"what:\n"
		"  --feeds LIST             comma-separated feeds (default temperature,humidity,light,button).\n"
		"                           A name picks its value shape; NAME:SHAPE gives another name one.\n"
		"                           Shapes: temperature (drifts around 21 C), humidity (40-60 %%),\n"
		"                           light (day curve, 0-1000 lux), button (0, now and then 1),\n"
		"                           counter (1, 2, 3, ...)\n"
		"  --topic-style STYLE      feeds: {user}/feeds/{feed} (default); freeform: {user}/photon2/{feed}\n"
		"  --payload FORMAT         raw (default): 21.37; json: {\"value\":21.37,\"created_at\":\"...\"} on\n"
		"                           .../json; csv: value,lat,lon,ele on .../csv\n"
		"  --command-feed FEED      subscribe to {user}/feeds/FEED, apply what arrives\n"
		"                           and report it on {user}/feeds/FEED-state (default led; \"\" = off)\n"
		"  --qos 0|1                (default 0)\n"
		"how fast:\n"
		"  --interval SECONDS       between two readings of one feed on one board (default 2)\n"
		"  --rate N|max             load mode: N messages/s in total, spread over all boards and feeds;\n"
		"                           max: as fast as the broker takes them\n"
		"  --threads N              threads driving the boards (default 1; load mode: up to 2)\n"
		"how long:\n"
		"  --duration SECONDS       stop after this long (default: until Ctrl-C or SIGTERM)\n"
		"  --count N                stop after N messages\n"
		"where:\n"
		"  --host HOST --port PORT  the broker (default: the configuration's mqtt_host, mqtt_port)\n"
		"  --client-prefix TEXT     client id prefix (default \"sim-\")\n"
		"  --keepalive SECONDS      MQTT keepalive (default 30)\n"
		"output:\n"
		"  --quiet                  no progress line each second, no command log\n"
		"\n"
		"At the end: \"sent N messages in S s (R msg/s)\". Exit status 1 when the broker refuses the\n"
		"connection (wrong user name or key) or no board could connect; 2 for bad options.\n"
		"\n"
		"examples:\n"
		"  perch sim --user alice --key K                          # one board, 4 feeds every 2 s\n"
		"  perch sim --users class.txt --interval 1 --topic-style freeform\n"
		"  perch sim --user bench --rate 100000 --boards 8 --count 1000000 --quiet\n");
}

/* ---- options ---------------------------------------------------------------------------- */

static void options_free(struct sim_options *o)
{
	for(size_t i = 0; i < o->nusers; i++){
		free(o->users[i].name);
		free(o->users[i].key);
	}
	free(o->users);
	for(size_t i = 0; i < o->nfeeds; i++){
		free(o->feeds[i].name);
	}
	free(o->feeds);
	free(o->host);
	free(o->command_feed);
	free(o->client_prefix);
	memset(o, 0, sizeof(*o));
}

static int parse_double(const char *s, double min, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if(errno || end == s || *end != '\0' || !(v >= min) || v > 1e12){
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if(errno || end == s || *end != '\0' || v < min || v > max){
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* Feed keys as perch stores them: lower-case letters, digits, '-' and '_'. */
static bool feed_name_ok(const char *s)
{
	size_t n = strlen(s);

	if(n == 0 || n > 100){
		return false;
	}
	for(size_t i = 0; i < n; i++){
		char c = s[i];
		if(!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')){
			return false;
		}
	}
	return true;
}

static int add_feed(struct sim_options *o, const char *item, char *err, size_t errlen)
{
	char buf[160];
	char *colon;
	const char *shape;
	struct sim_feed_spec *grown;

	if(strlen(item) >= sizeof(buf)){
		snprintf(err, errlen, "feed \"%s\" is too long", item);
		return -1;
	}
	strcpy(buf, item);
	colon = strchr(buf, ':');
	if(colon){
		*colon = '\0';
	}
	shape = colon ? colon + 1 : buf;
	grown = realloc(o->feeds, (o->nfeeds + 1) * sizeof(*o->feeds));
	if(!grown){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->feeds = grown;
	if(!feed_name_ok(buf)){
		snprintf(err, errlen, "feed \"%s\": use lower-case letters, digits, '-' and '_'", buf);
		return -1;
	}
	if(sim_parse_kind(shape, &o->feeds[o->nfeeds].kind) != 0){
		snprintf(err, errlen, "feed \"%s\" has no value shape: name one with %s:SHAPE (shapes: %s)",
			item, buf, sim_kind_names());
		return -1;
	}
	o->feeds[o->nfeeds].name = strdup(buf);
	if(!o->feeds[o->nfeeds].name){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->nfeeds++;
	return 0;
}

static int parse_feeds(struct sim_options *o, const char *list, char *err, size_t errlen)
{
	const char *p = list;

	for(size_t i = 0; i < o->nfeeds; i++){
		free(o->feeds[i].name);
	}
	o->nfeeds = 0;
	while(*p){
		char item[200];
		size_t n = strcspn(p, ",");
		if(n >= sizeof(item)){
			snprintf(err, errlen, "feed name too long");
			return -1;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if(n > 0 && add_feed(o, item, err, errlen) != 0){
			return -1;
		}
		p += n;
		if(*p == ','){
			p++;
		}
	}
	if(o->nfeeds == 0){
		snprintf(err, errlen, "--feeds names no feed");
		return -1;
	}
	return 0;
}

static int add_user(struct sim_options *o, const char *name, const char *key, char *err, size_t errlen)
{
	struct sim_user *grown = realloc(o->users, (o->nusers + 1) * sizeof(*o->users));

	if(!grown){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->users = grown;
	o->users[o->nusers].name = strdup(name);
	o->users[o->nusers].key = key && *key ? strdup(key) : NULL;
	if(!o->users[o->nusers].name || (key && *key && !o->users[o->nusers].key)){
		free(o->users[o->nusers].name);
		free(o->users[o->nusers].key);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	o->nusers++;
	return 0;
}

/* Lines "name key" (key optional); blank lines and # comments are skipped. */
static int load_users(struct sim_options *o, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int rc = 0;

	if(!f){
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while(rc == 0 && fgets(line, sizeof(line), f)){
		char name[128] = "", key[512] = "";
		if(sscanf(line, " %127s %511s", name, key) < 1 || name[0] == '#'){
			continue;
		}
		rc = add_user(o, name, key, err, errlen);
	}
	fclose(f);
	if(rc == 0 && o->nusers == 0){
		snprintf(err, errlen, "%s names no user", path);
		rc = -1;
	}
	return rc;
}

static int set_string(char **dst, const char *v, char *err, size_t errlen)
{
	char *copy = strdup(v);

	if(!copy){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	free(*dst);
	*dst = copy;
	return 0;
}

static int set_defaults(struct sim_options *o, const struct perch_config *cfg, char *err, size_t errlen)
{
	o->port = cfg->mqtt_port;
	o->boards = 1;
	o->interval = 2.0;
	o->qos = 0;
	o->keepalive = 30;
	o->threads = 0;
	if(set_string(&o->host, cfg->mqtt_host, err, errlen) != 0 ||
			set_string(&o->command_feed, "led", err, errlen) != 0 ||
			set_string(&o->client_prefix, "sim-", err, errlen) != 0){
		return -1;
	}
	return parse_feeds(o, "temperature,humidity,light,button", err, errlen);
}

/* Options that take a value; returns 0, 1 when name is not one of them, -1 on a bad value. */
static int apply_value(struct sim_options *o, const char *name, const char *v, const char **user,
		const char **key, const char **users_file, char *err, size_t errlen)
{
	long n;

	if(strcmp(name, "--user") == 0){
		*user = v;
	}else if(strcmp(name, "--key") == 0){
		*key = v;
	}else if(strcmp(name, "--users") == 0){
		*users_file = v;
	}else if(strcmp(name, "--boards") == 0){
		if(parse_int(v, 1, 100000, &n) != 0) goto bad;
		o->boards = (int)n;
	}else if(strcmp(name, "--interval") == 0){
		if(parse_double(v, 0.001, &o->interval) != 0) goto bad;
	}else if(strcmp(name, "--rate") == 0){
		o->rate_max = strcmp(v, "max") == 0;
		if(!o->rate_max && parse_double(v, 0.001, &o->rate) != 0) goto bad;
	}else if(strcmp(name, "--threads") == 0){
		if(parse_int(v, 1, 64, &n) != 0) goto bad;
		o->threads = (int)n;
	}else if(strcmp(name, "--feeds") == 0){
		return parse_feeds(o, v, err, errlen);
	}else if(strcmp(name, "--topic-style") == 0){
		if(strcmp(v, "feeds") == 0) o->style = SIM_STYLE_FEEDS;
		else if(strcmp(v, "freeform") == 0) o->style = SIM_STYLE_FREEFORM;
		else goto bad;
	}else if(strcmp(name, "--payload") == 0){
		if(strcmp(v, "raw") == 0) o->payload = SIM_PAYLOAD_RAW;
		else if(strcmp(v, "json") == 0) o->payload = SIM_PAYLOAD_JSON;
		else if(strcmp(v, "csv") == 0) o->payload = SIM_PAYLOAD_CSV;
		else goto bad;
	}else if(strcmp(name, "--command-feed") == 0){
		if(*v && !feed_name_ok(v)) goto bad;
		return set_string(&o->command_feed, v, err, errlen);
	}else if(strcmp(name, "--qos") == 0){
		if(parse_int(v, 0, 1, &n) != 0) goto bad;
		o->qos = (int)n;
	}else if(strcmp(name, "--duration") == 0){
		if(parse_double(v, 0.001, &o->duration) != 0) goto bad;
	}else if(strcmp(name, "--count") == 0){
		if(parse_int(v, 1, 0x7fffffffffffffffL, &n) != 0) goto bad;
		o->count = (uint64_t)n;
	}else if(strcmp(name, "--host") == 0){
		return set_string(&o->host, v, err, errlen);
	}else if(strcmp(name, "--port") == 0){
		if(parse_int(v, 1, 65535, &n) != 0) goto bad;
		o->port = (int)n;
	}else if(strcmp(name, "--client-prefix") == 0){
		return set_string(&o->client_prefix, v, err, errlen);
	}else if(strcmp(name, "--keepalive") == 0){
		if(parse_int(v, 5, 65535, &n) != 0) goto bad;
		o->keepalive = (int)n;
	}else{
		return 1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value for %s: \"%s\" (perch sim --help)", name, v);
	return -1;
}

/* Checks that the options make sense together and fills in the users. */
static int finish_options(struct sim_options *o, const char *user, const char *key,
		const char *users_file, char *err, size_t errlen)
{
	if(users_file && (user || key)){
		snprintf(err, errlen, "give either --users FILE or --user NAME [--key KEY], not both");
		return -1;
	}
	if(key && !user){
		snprintf(err, errlen, "--key needs --user NAME");
		return -1;
	}
	if(!users_file && !user){
		snprintf(err, errlen, "say who the boards belong to: --user NAME --key KEY, or --users FILE");
		return -1;
	}
	if(o->style == SIM_STYLE_FREEFORM && o->payload == SIM_PAYLOAD_CSV){
		snprintf(err, errlen, "free-form topics take raw or json payloads, not csv");
		return -1;
	}
	if(users_file){
		return load_users(o, users_file, err, errlen);
	}
	return add_user(o, user, key, err, errlen);
}

static int parse_options(struct sim_options *o, int argc, char **argv, char *err, size_t errlen)
{
	const char *user = NULL, *key = NULL, *users_file = NULL;

	for(int i = 1; i < argc; i++){
		char name[64];
		const char *v, *eq = strchr(argv[i], '=');
		int rc;

		if(strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0){
			o->quiet = true;
			continue;
		}
		if(strncmp(argv[i], "--", 2) != 0 || (eq ? (size_t)(eq - argv[i]) : strlen(argv[i])) >= sizeof(name)){
			snprintf(err, errlen, "unexpected argument \"%s\" (perch sim --help)", argv[i]);
			return -1;
		}
		if(eq){ /* --name=value */
			memcpy(name, argv[i], (size_t)(eq - argv[i]));
			name[eq - argv[i]] = '\0';
			v = eq + 1;
		}else{
			strcpy(name, argv[i]);
			if(i + 1 >= argc){
				snprintf(err, errlen, "%s needs a value (perch sim --help)", name);
				return -1;
			}
			v = argv[++i];
		}
		rc = apply_value(o, name, v, &user, &key, &users_file, err, errlen);
		if(rc == 1){
			snprintf(err, errlen, "unknown option %s (perch sim --help)", name);
		}
		if(rc != 0){
			return -1;
		}
	}
	return finish_options(o, user, key, users_file, err, errlen);
}

/* ---- running ---------------------------------------------------------------------------- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct sim_state {
	struct sim_options opt;
	struct sim_run run;
	struct sim_board *boards;     /* owned, nusers * boards */
	size_t nboards;
	struct sim_worker *workers;   /* owned */
	size_t nworkers;
};

static int make_boards(struct sim_state *s, char *err, size_t errlen)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	size_t k = 0;

	s->nboards = s->opt.nusers * (size_t)s->opt.boards;
	s->boards = calloc(s->nboards, sizeof(*s->boards));
	if(!s->boards){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for(size_t u = 0; u < s->opt.nusers; u++){
		for(int n = 1; n <= s->opt.boards; n++, k++){
			seed += 0x9E3779B97F4A7C15ULL;
			if(sim_board_init(&s->boards[k], &s->run, &s->opt.users[u], n, seed, err, errlen) != 0){
				s->nboards = k + 1; /* so the half-made board is freed too */
				return -1;
			}
		}
	}
	return 0;
}

/* Load mode may use two threads (this machine class has two cores); interval mode needs one. */
static size_t thread_count(const struct sim_options *o, size_t nboards)
{
	size_t t = o->threads > 0 ? (size_t)o->threads : (o->rate_max || o->rate > 0) ? 2 : 1;

	return t > nboards ? nboards : t;
}

static int start_workers(struct sim_state *s, char *err, size_t errlen)
{
	size_t first = 0, total = s->nboards;

	s->nworkers = thread_count(&s->opt, total);
	s->workers = calloc(s->nworkers, sizeof(*s->workers));
	if(!s->workers){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for(size_t i = 0; i < s->nworkers; i++){
		struct sim_worker *w = &s->workers[i];
		size_t n = total / s->nworkers + (i < total % s->nworkers ? 1 : 0);
		w->run = &s->run;
		w->boards = &s->boards[first];
		w->nboards = n;
		w->rate = s->opt.rate * (double)n / (double)total;
		first += n;
		atomic_fetch_add(&s->run.active, 1);
		if(pthread_create(&w->thread, NULL, sim_worker_main, w) != 0){
			atomic_fetch_sub(&s->run.active, 1);
			snprintf(err, errlen, "cannot start a thread");
			return -1;
		}
		w->started = true;
	}
	return 0;
}

static void print_progress(struct sim_state *s, double elapsed, unsigned long long *last_sent)
{
	unsigned long long sent = atomic_load(&s->run.sent);

	printf("%7.1f s  sent %llu (%llu/s)  errors %llu  connected %d/%zu\n", elapsed, sent,
		sent - *last_sent, (unsigned long long)atomic_load(&s->run.errors),
		atomic_load(&s->run.connected), s->nboards);
	fflush(stdout);
	*last_sent = sent;
}

/* The main thread: signals, --duration, the progress line; the workers do the rest. */
static void supervise(struct sim_state *s)
{
	int64_t start = sim_now_ns(), next_print = start + 1000000000;
	unsigned long long last_sent = 0;
	struct timespec tick = { 0, 50000000 };

	while(atomic_load(&s->run.active) > 0){
		int64_t now = sim_now_ns();
		double elapsed = (double)(now - start) / 1e9;
		if(got_signal || (s->opt.duration > 0 && elapsed >= s->opt.duration)){
			atomic_store(&s->run.stop, true);
		}
		if(!s->opt.quiet && now >= next_print){
			print_progress(s, elapsed, &last_sent);
			next_print += 1000000000;
		}
		nanosleep(&tick, NULL);
	}
}

static int summary(struct sim_state *s, int64_t start)
{
	unsigned long long sent = atomic_load(&s->run.sent);
	int64_t first = atomic_load(&s->run.first_send_ns), last = atomic_load(&s->run.last_send_ns);
	double secs = sent > 1 && last > first ? (double)(last - first) / 1e9 : (double)(sim_now_ns() - start) / 1e9;

	if(atomic_load(&s->run.fatal)){
		fprintf(stderr, "perch sim: %s\n", s->run.fatal_msg);
	}
	printf("sent %llu messages in %.2f s (%.0f msg/s)", sent, secs, secs > 0 ? (double)sent / secs : 0.0);
	if(atomic_load(&s->run.errors) || atomic_load(&s->run.commands)){
		printf(", %llu errors, %llu commands applied", (unsigned long long)atomic_load(&s->run.errors),
			(unsigned long long)atomic_load(&s->run.commands));
	}
	printf("\n");
	fflush(stdout);
	if(atomic_load(&s->run.fatal)){
		return 1;
	}
	if(sent == 0 && first == 0){
		fprintf(stderr, "perch sim: no message was sent (is the broker at %s:%d running?)\n", s->opt.host, s->opt.port);
		return 1;
	}
	return 0;
}

static void cleanup(struct sim_state *s)
{
	atomic_store(&s->run.stop, true);
	for(size_t i = 0; i < s->nworkers; i++){
		if(s->workers[i].started){
			pthread_join(s->workers[i].thread, NULL);
		}
	}
	free(s->workers);
	for(size_t i = 0; i < s->nboards; i++){
		sim_board_free(&s->boards[i]);
	}
	free(s->boards);
	options_free(&s->opt);
}

/* Workers never see SIGINT/SIGTERM: the main thread does, and tells them through run.stop. */
static int run_sim(struct sim_state *s, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term, old_pipe;
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t block, old_mask;
	int64_t start = sim_now_ns();
	int rc = 0;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	got_signal = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGPIPE, &ign, &old_pipe); /* a broker that goes away must not kill us */
	pthread_sigmask(SIG_BLOCK, &block, &old_mask);
	if(make_boards(s, err, errlen) != 0 || start_workers(s, err, errlen) != 0){
		rc = -1;
	}
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	if(rc == 0){
		supervise(s);
	}
	atomic_store(&s->run.stop, true);
	for(size_t i = 0; i < s->nworkers; i++){
		if(s->workers[i].started){
			pthread_join(s->workers[i].thread, NULL);
			s->workers[i].started = false;
		}
	}
	if(rc == 0){
		rc = summary(s, start);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	return rc;
}

int perch_cmd_sim(struct perch_config *cfg, int argc, char **argv)
{
	struct sim_state s;
	char err[512] = "";
	int rc;

	for(int i = 1; i < argc; i++){
		if(strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0){
			usage(stdout);
			return 0;
		}
	}
	memset(&s, 0, sizeof(s));
	s.run.opt = &s.opt;
	if(set_defaults(&s.opt, cfg, err, sizeof(err)) != 0 || parse_options(&s.opt, argc, argv, err, sizeof(err)) != 0){
		fprintf(stderr, "perch sim: %s\n", err);
		options_free(&s.opt);
		return 2;
	}
	atomic_store(&s.run.remaining, (long long)s.opt.count);
	mosquitto_lib_init();
	rc = run_sim(&s, err, sizeof(err));
	if(rc < 0){
		fprintf(stderr, "perch sim: %s\n", err);
		rc = 1;
	}
	cleanup(&s);
	mosquitto_lib_cleanup();
	return rc;
}
