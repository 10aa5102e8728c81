#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

enum setting_type { SET_STRING, SET_INT, SET_BOOL };

struct setting {
	const char *name;           /* file key; PERCH_<NAME> in the environment; --<name> flag */
	enum setting_type type;
	size_t offset;
	const char *fallback;       /* default, as text ("" = empty; NULL = computed later) */
	long min, max;              /* for integers */
	const char *help;
};

#define S(name, field, def, help) { name, SET_STRING, offsetof(struct perch_config, field), def, 0, 0, help }
#define I(name, field, def, lo, hi, help) { name, SET_INT, offsetof(struct perch_config, field), def, lo, hi, help }
#define B(name, field, def, help) { name, SET_BOOL, offsetof(struct perch_config, field), def, 0, 1, help }

static const struct setting settings[] = {
	S("data_dir", data_dir, "./data", "state directory (secret, broker config and persistence, pg/)"),
	S("database_url", database_url, NULL, "PostgreSQL conninfo; default: the private cluster in data_dir/pg"),
	S("http_bind", http_bind, "0.0.0.0", "address of the HTTP server"),
	I("http_port", http_port, "8080", 1, 65535, "HTTP port"),
	S("mqtt_bind", mqtt_bind, "0.0.0.0", "address of the broker's MQTT listener"),
	I("mqtt_port", mqtt_port, "1883", 1, 65535, "MQTT port"),
	S("mqtt_host", mqtt_host, "127.0.0.1", "where perch reaches the broker"),
	S("mqtt_socket", mqtt_socket, NULL, "Unix socket of the broker for perch's own connection; empty: TCP (default data_dir/mosquitto.sock)"),
	S("ws_bind", ws_bind, "", "interface of the MQTT-over-WebSocket listener (e.g. lo); empty: all"),
	I("ws_port", ws_port, "9001", 1, 65535, "MQTT-over-WebSocket port"),
	S("broker", broker, "managed", "managed: perch serve runs mosquitto; external: it runs as a service"),
	S("mosquitto_bin", mosquitto_bin, "/usr/sbin/mosquitto", "the mosquitto program"),
	S("plugin_path", plugin_path, NULL, "perch_plugin.so; default: beside the perch program"),
	S("web_dir", web_dir, NULL, "the built web app; default: web/dist of the source tree"),
	S("public_url", public_url, "", "how users reach perch, e.g. https://perch.example.org"),
	S("trusted_proxies", trusted_proxies, "", "reverse proxies (comma-separated addresses, e.g. 127.0.0.1,::1) whose X-Forwarded-For is believed"),
	B("anonymous_time", anonymous_time, "0", "anonymous MQTT clients may read time/ topics"),
	I("http_threads", http_threads, "4", 1, 256, "HTTP worker threads"),
	I("db_pool", db_pool, "4", 1, 256, "PostgreSQL connections of the HTTP server"),
	I("retention_interval", retention_interval, "3600", 1, 86400 * 7, "seconds between retention purges"),
	I("ingest_batch", ingest_batch, "5000", 1, 1000000, "most rows in one write"),
	I("ingest_flush_ms", ingest_flush_ms, "50", 1, 60000, "longest a received value waits to be written"),
	I("max_value", max_value, "1024", 16, 1048576, "longest stored value in bytes"),
};
#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

static const struct setting *find_setting(const char *name, size_t len)
{
	for(size_t i = 0; i < NSETTINGS; i++){
		if(strlen(settings[i].name) == len && strncmp(settings[i].name, name, len) == 0){
			return &settings[i];
		}
	}
	return NULL;
}

static int apply(struct perch_config *cfg, const struct setting *s, const char *value,
		const char *origin, char *err, size_t errlen)
{
	char *field = (char *)cfg + s->offset;
	char *end = NULL;
	long v;

	switch(s->type){
	case SET_STRING: {
		char *copy = strdup(value);
		if(!copy){
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*(char **)field);
		*(char **)field = copy;
		return 0;
	}
	case SET_BOOL:
		if(strcmp(value, "1") == 0 || strcasecmp(value, "true") == 0 || strcasecmp(value, "yes") == 0 || strcasecmp(value, "on") == 0){
			*(bool *)field = true;
		}else if(strcmp(value, "0") == 0 || strcasecmp(value, "false") == 0 || strcasecmp(value, "no") == 0 || strcasecmp(value, "off") == 0 || !*value){
			*(bool *)field = false;
		}else{
			snprintf(err, errlen, "%s: %s must be true or false, not \"%s\"", origin, s->name, value);
			return -1;
		}
		return 0;
	case SET_INT:
		errno = 0;
		v = strtol(value, &end, 10);
		if(errno || end == value || *end != '\0' || v < s->min || v > s->max){
			snprintf(err, errlen, "%s: %s must be a whole number from %ld to %ld, not \"%s\"",
					origin, s->name, s->min, s->max, value);
			return -1;
		}
		*(int *)field = (int)v;
		return 0;
	}
	return -1;
}

static char *trim(char *s)
{
	char *e;
	while(isspace((unsigned char)*s)){
		s++;
	}
	e = s + strlen(s);
	while(e > s && isspace((unsigned char)e[-1])){
		*--e = '\0';
	}
	return s;
}

static int load_file(struct perch_config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, rc = 0;

	if(!f){
		snprintf(err, errlen, "cannot open configuration %s: %s", path, strerror(errno));
		return -1;
	}
	while(rc == 0 && fgets(line, sizeof(line), f)){
		char origin[600], *eq, *name, *value;
		const struct setting *s;
		lineno++;
		name = trim(line);
		if(*name == '\0' || *name == '#'){
			continue;
		}
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		eq = strchr(name, '=');
		if(!eq){
			snprintf(err, errlen, "%s: expected \"name = value\"", origin);
			rc = -1;
			break;
		}
		*eq = '\0';
		value = trim(eq + 1);
		name = trim(name);
		s = find_setting(name, strlen(name));
		if(!s){
			snprintf(err, errlen, "%s: unknown setting \"%s\"", origin, name);
			rc = -1;
			break;
		}
		rc = apply(cfg, s, value, origin, err, errlen);
	}
	fclose(f);
	return rc;
}

static int load_env(struct perch_config *cfg, char *err, size_t errlen)
{
	for(size_t i = 0; i < NSETTINGS; i++){
		char var[64];
		const char *value;
		size_t n = (size_t)snprintf(var, sizeof(var), "PERCH_%s", settings[i].name);
		for(size_t k = 6; k < n; k++){
			var[k] = (char)toupper((unsigned char)var[k]);
		}
		value = getenv(var);
		if(value && apply(cfg, &settings[i], value, var, err, errlen) != 0){
			return -1;
		}
	}
	return 0;
}

/* "--http-port" -> setting http_port */
static const struct setting *flag_setting(const char *flag)
{
	char name[64];
	size_t n = strlen(flag);
	if(n >= sizeof(name)){
		return NULL;
	}
	for(size_t i = 0; i <= n; i++){
		name[i] = flag[i] == '-' ? '_' : flag[i];
	}
	return find_setting(name, n);
}

static int load_flags(struct perch_config *cfg, int argc, char **argv, int *argi, char *err, size_t errlen)
{
	int i = 1;
	while(i < argc && strncmp(argv[i], "--", 2) == 0){
		const char *flag = argv[i] + 2, *value;
		const char *eq = strchr(flag, '=');
		char name[64];
		const struct setting *s;
		if(strcmp(flag, "config") == 0 || strncmp(flag, "config=", 7) == 0){
			i += eq ? 1 : 2; /* read earlier, in perch_config_load */
			continue;
		}
		if(eq){
			snprintf(name, sizeof(name), "%.*s", (int)(eq - flag), flag);
			value = eq + 1;
		}else{
			snprintf(name, sizeof(name), "%s", flag);
			if(i + 1 >= argc){
				snprintf(err, errlen, "--%s needs a value", name);
				return -1;
			}
			value = argv[++i];
		}
		s = flag_setting(name);
		if(!s){
			snprintf(err, errlen, "unknown option --%s", name);
			return -1;
		}
		if(apply(cfg, s, value, "command line", err, errlen) != 0){
			return -1;
		}
		i++;
	}
	*argi = i;
	return 0;
}

static const char *config_file_arg(int argc, char **argv)
{
	for(int i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++){
		if(strcmp(argv[i], "--config") == 0 && i + 1 < argc){
			return argv[i + 1];
		}
		if(strncmp(argv[i], "--config=", 9) == 0){
			return argv[i] + 9;
		}
	}
	return getenv("PERCH_CONFIG");
}

/* Directory of the running program, for files installed beside it. */
static char *exe_dir(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	char *slash;
	if(n <= 0){
		return strdup(".");
	}
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if(slash){
		*slash = '\0';
	}
	return strdup(buf);
}

/* dir made absolute without requiring it to exist yet (the data directory on a first run). */
static void absolute_dir(const char *dir, char *out, size_t outlen)
{
	char cwd[PATH_MAX];
	char *real = realpath(dir, NULL);

	if(real){
		snprintf(out, outlen, "%s", real);
		free(real);
	}else if(dir[0] != '/' && getcwd(cwd, sizeof(cwd)) && strlen(cwd) + strlen(dir) + 2 <= outlen){
		memcpy(out, cwd, strlen(cwd));
		out[strlen(cwd)] = '/';
		memcpy(out + strlen(cwd) + 1, dir, strlen(dir) + 1);
	}else{
		snprintf(out, outlen, "%s", dir);
	}
}

static int fill_computed(struct perch_config *cfg, char *err, size_t errlen)
{
	char *dir = exe_dir();
	char buf[PATH_MAX + 64];
	int rc = 0;

	if(!dir){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if(!cfg->plugin_path){
		snprintf(buf, sizeof(buf), "%s/perch_plugin.so", dir);
		rc |= (cfg->plugin_path = strdup(buf)) ? 0 : -1;
	}
	if(!cfg->web_dir){
		/* build/perch in a source tree: the app is built into web/dist */
		snprintf(buf, sizeof(buf), "%s/../web/dist", dir);
		char *real = realpath(buf, NULL);
		rc |= (cfg->web_dir = real ? real : strdup(buf)) ? 0 : -1;
	}
	if(!cfg->mqtt_socket){
		/* a Unix socket spares the ingest most of the TCP stack's cost per message */
		char data[PATH_MAX];
		absolute_dir(cfg->data_dir, data, sizeof(data));
		snprintf(buf, sizeof(buf), "%s/mosquitto.sock", data);
		rc |= (cfg->mqtt_socket = strdup(buf)) ? 0 : -1;
	}
	if(!cfg->database_url){
		char data[PATH_MAX];
		absolute_dir(cfg->data_dir, data, sizeof(data));
		snprintf(buf, sizeof(buf), "host=%s/pg user=perch dbname=perch", data);
		rc |= (cfg->database_url = strdup(buf)) ? 0 : -1;
	}
	free(dir);
	if(rc != 0){
		snprintf(err, errlen, "out of memory");
	}
	return rc;
}

int perch_config_load(struct perch_config *cfg, int argc, char **argv, int *argi, char *err, size_t errlen)
{
	const char *file;

	memset(cfg, 0, sizeof(*cfg));
	for(size_t i = 0; i < NSETTINGS; i++){
		if(settings[i].fallback && apply(cfg, &settings[i], settings[i].fallback, "default", err, errlen) != 0){
			return -1;
		}
	}
	file = config_file_arg(argc, argv);
	if(file && load_file(cfg, file, err, errlen) != 0){
		return -1;
	}
	if(load_env(cfg, err, errlen) != 0 || load_flags(cfg, argc, argv, argi, err, errlen) != 0){
		return -1;
	}
	if(strcmp(cfg->broker, "managed") != 0 && strcmp(cfg->broker, "external") != 0){
		snprintf(err, errlen, "broker must be \"managed\" or \"external\", not \"%s\"", cfg->broker);
		return -1;
	}
	return fill_computed(cfg, err, errlen);
}

/* mkdir -p, mode 0700: the data directory holds the server secret. */
int perch_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if(n == 0 || n >= sizeof(buf)){
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for(char *p = buf + 1; *p; p++){
		if(*p == '/'){
			*p = '\0';
			if(mkdir(buf, 0700) != 0 && errno != EEXIST){
				return -1;
			}
			*p = '/';
		}
	}
	return (mkdir(buf, 0700) == 0 || errno == EEXIST) ? 0 : -1;
}

char *perch_config_path(const struct perch_config *cfg, const char *name)
{
	size_t n = strlen(cfg->data_dir) + strlen(name) + 2;
	char *p = malloc(n);
	if(p){
		snprintf(p, n, "%s/%s", cfg->data_dir, name);
	}
	return p;
}

int perch_config_secret(struct perch_config *cfg, bool create, char *err, size_t errlen)
{
	char *path;
	int rc;

	if(cfg->secret_loaded){
		return 0;
	}
	if(create && perch_mkdir_p(cfg->data_dir) != 0){
		snprintf(err, errlen, "cannot create %s: %s", cfg->data_dir, strerror(errno));
		return -1;
	}
	path = perch_config_path(cfg, "secret");
	if(!path){
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = perch_secret_load(path, create, cfg->secret, err, errlen);
	free(path);
	cfg->secret_loaded = rc == 0;
	return rc;
}

void perch_config_free(struct perch_config *cfg)
{
	for(size_t i = 0; i < NSETTINGS; i++){
		if(settings[i].type == SET_STRING){
			char **field = (char **)((char *)cfg + settings[i].offset);
			free(*field);
			*field = NULL;
		}
	}
	sodium_memzero(cfg->secret, sizeof(cfg->secret));
}

void perch_config_usage(FILE *out)
{
	for(size_t i = 0; i < NSETTINGS; i++){
		char flag[64];
		size_t n = strlen(settings[i].name);
		for(size_t k = 0; k <= n; k++){
			flag[k] = settings[i].name[k] == '_' ? '-' : settings[i].name[k];
		}
		fprintf(out, "  --%-20s %s (default: %s)\n", flag, settings[i].help,
				settings[i].fallback ? (*settings[i].fallback ? settings[i].fallback : "\"\"") : "computed");
	}
}

void perch_config_print(const struct perch_config *cfg, FILE *out)
{
	for(size_t i = 0; i < NSETTINGS; i++){
		const char *field = (const char *)cfg + settings[i].offset;
		switch(settings[i].type){
		case SET_STRING:
			fprintf(out, "%s = %s\n", settings[i].name, *(char *const *)field ? *(char *const *)field : "");
			break;
		case SET_INT:
			fprintf(out, "%s = %d\n", settings[i].name, *(const int *)field);
			break;
		case SET_BOOL:
			fprintf(out, "%s = %s\n", settings[i].name, *(const bool *)field ? "true" : "false");
			break;
		}
	}
}
