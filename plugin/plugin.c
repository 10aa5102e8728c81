/*
 * perch's Mosquitto plugin (plugin API version 5, Mosquitto 2.0): who may connect, what each
 * client may publish and subscribe to, and how fast (DESIGN.md, "The perch plugin").
 *
 * mosquitto.conf:
 *   per_listener_settings false            (TICK is never delivered otherwise)
 *   plugin /path/to/perch_plugin.so
 *   plugin_opt_conninfo host=... dbname=perch  libpq connection string (alias plugin_opt_db,
 *                                           which Mosquitto 2.0.11 rejects: it refuses option
 *                                           names shorter than 3 characters)
 *   plugin_opt_secret_file /path/secret     the server secret, 64 hex characters
 *   plugin_opt_anonymous_time false         true: clients without credentials may read time/...
 *   plugin_opt_reload_seconds 30            full reload period besides LISTEN/NOTIFY
 *
 * This file holds the entry points, options, and the TICK and DISCONNECT callbacks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "plugin.h"

#define PRUNE_EVERY_NS (10LL * 1000000000LL)

struct options {
	const char *db;
	const char *secret_file;
	bool anonymous_time;
	int reload_seconds;
};

static int parse_bool(const char *key, const char *value, bool *out)
{
	if(strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0){
		*out = true;
	}else if(strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0){
		*out = false;
	}else{
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: plugin_opt_%s must be true or false", key);
		return -1;
	}
	return 0;
}

static int parse_seconds(const char *key, const char *value, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if(errno || end == value || *end || v < 1 || v > 86400){
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: plugin_opt_%s must be 1 to 86400 seconds", key);
		return -1;
	}
	*out = (int)v;
	return 0;
}

static int parse_options(struct mosquitto_opt *opts, int n, struct options *o)
{
	int i, rc = 0;

	memset(o, 0, sizeof(*o));
	o->reload_seconds = 30;
	for(i = 0; i < n && rc == 0; i++){
		if(!opts[i].key || !opts[i].value){
			continue;
		}
		if(strcmp(opts[i].key, "conninfo") == 0 || strcmp(opts[i].key, "db") == 0){
			o->db = opts[i].value;
		}else if(strcmp(opts[i].key, "secret_file") == 0){
			o->secret_file = opts[i].value;
		}else if(strcmp(opts[i].key, "anonymous_time") == 0){
			rc = parse_bool(opts[i].key, opts[i].value, &o->anonymous_time);
		}else if(strcmp(opts[i].key, "reload_seconds") == 0){
			rc = parse_seconds(opts[i].key, opts[i].value, &o->reload_seconds);
		}else{
			mosquitto_log_printf(MOSQ_LOG_WARNING, "perch: unknown option plugin_opt_%s ignored", opts[i].key);
		}
	}
	if(rc == 0 && (!o->db || !o->secret_file)){
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: plugin_opt_conninfo and plugin_opt_secret_file are required");
		rc = -1;
	}
	return rc;
}

static void emit_log(int level, const char *line)
{
	mosquitto_log_printf(level, "%s", line);
}

/* Makes snap the snapshot in force and disconnects whoever it no longer admits. */
static void install_snapshot(struct perch_plugin *p, struct perch_snapshot *snap)
{
	struct perch_snapshot *old = p->snap;
	struct perch_kick *kicks;
	int i, n;

	p->snap = snap;
	n = perch_sessions_apply_snapshot(&p->sessions, snap, &kicks);
	/* Nothing points into the old snapshot any more: user states now point into snap. */
	perch_snapshot_free(old);
	for(i = 0; i < n; i++){
		mosquitto_log_printf(MOSQ_LOG_INFO, "perch: disconnecting client %.100s (user %s): %s",
				kicks[i].clientid, kicks[i].username, kicks[i].why);
		/* Fires our DISCONNECT callback at once, which forgets the session. */
		mosquitto_kick_client_by_clientid(kicks[i].clientid, false);
	}
	perch_kicks_free(kicks, n);
}

static int on_tick(int event, void *event_data, void *userdata)
{
	struct perch_plugin *p = userdata;
	struct perch_snapshot *snap;
	int64_t now;

	perch_db_drain_logs(p->db, emit_log);
	snap = perch_db_take_snapshot(p->db);
	if(snap){
		install_snapshot(p, snap);
	}
	now = perch_now_ns();
	if(now >= p->next_prune_ns){
		perch_sessions_prune(&p->sessions, now);
		p->next_prune_ns = now + PRUNE_EVERY_NS;
	}
	return MOSQ_ERR_SUCCESS;
}

/* Also fired for sockets that never authenticated: then there is simply no session. */
static int on_disconnect(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_disconnect *ed = event_data;
	struct perch_plugin *p = userdata;

	perch_sessions_remove(&p->sessions, ed->client, perch_now_ns());
	perch_fanout_client_gone(&p->fanout, ed->client);
	return MOSQ_ERR_SUCCESS;
}

static const struct {
	int event;
	MOSQ_FUNC_generic_callback cb;
} callbacks[] = {
	{MOSQ_EVT_BASIC_AUTH, perch_on_basic_auth},
	{MOSQ_EVT_ACL_CHECK, perch_on_acl_check},
	{MOSQ_EVT_MESSAGE, perch_on_message},
	{MOSQ_EVT_TICK, on_tick},
	{MOSQ_EVT_DISCONNECT, on_disconnect},
};
#define N_CALLBACKS (sizeof(callbacks) / sizeof(callbacks[0]))

static void unregister_callbacks(struct perch_plugin *p, size_t n)
{
	size_t i;

	for(i = 0; i < n; i++){
		mosquitto_callback_unregister(p->id, callbacks[i].event, callbacks[i].cb, NULL);
	}
}

static int register_callbacks(struct perch_plugin *p)
{
	size_t i;
	int rc;

	for(i = 0; i < N_CALLBACKS; i++){
		rc = mosquitto_callback_register(p->id, callbacks[i].event, callbacks[i].cb, NULL, p);
		if(rc != MOSQ_ERR_SUCCESS){
			mosquitto_log_printf(MOSQ_LOG_ERR, "perch: cannot register callback for event %d (error %d)",
					callbacks[i].event, rc);
			unregister_callbacks(p, i);
			return rc;
		}
	}
	return MOSQ_ERR_SUCCESS;
}

static void plugin_free(struct perch_plugin *p)
{
	perch_db_stop(p->db);
	perch_sessions_clear(&p->sessions);
	perch_fanout_clear(&p->fanout);
	perch_snapshot_free(p->snap);
	sodium_memzero(p->secret, sizeof(p->secret));
	sodium_memzero(p->service_password, sizeof(p->service_password));
	free(p);
}

/* Loads the secret and derives the service password. */
static int load_secret(struct perch_plugin *p, const char *path)
{
	char err[256] = "";

	if(perch_crypto_init() != 0){
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: cannot initialise libsodium");
		return -1;
	}
	if(perch_secret_load(path, false, p->secret, err, sizeof(err)) != 0){
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: cannot load the secret %s: %s", path, err);
		return -1;
	}
	perch_service_password(p->secret, p->service_password);
	return 0;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	int i;

	for(i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5){
			return 5;
		}
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata,
		struct mosquitto_opt *options, int option_count)
{
	struct perch_plugin *p;
	struct options o;
	char err[256] = "";

	if(parse_options(options, option_count, &o) != 0){
		return MOSQ_ERR_INVAL;
	}
	if(!(p = calloc(1, sizeof(*p)))){
		return MOSQ_ERR_NOMEM;
	}
	p->id = identifier;
	p->anonymous_time = o.anonymous_time;
	p->reload_seconds = o.reload_seconds;
	perch_sessions_init(&p->sessions);
	perch_fanout_init(&p->fanout);
	if(load_secret(p, o.secret_file) != 0){
		plugin_free(p);
		return MOSQ_ERR_INVAL;
	}
	/* The database may well be down now: the thread keeps trying, and the broker starts. */
	if(!(p->db = perch_db_start(o.db, o.reload_seconds, err, sizeof(err)))){
		mosquitto_log_printf(MOSQ_LOG_ERR, "perch: %s", err);
		plugin_free(p);
		return MOSQ_ERR_UNKNOWN;
	}
	if(register_callbacks(p) != MOSQ_ERR_SUCCESS){
		plugin_free(p);
		return MOSQ_ERR_UNKNOWN;
	}
	mosquitto_log_printf(MOSQ_LOG_INFO, "perch: plugin loaded (anonymous time/ readers %s); "
			"until users are loaded from PostgreSQL only the service account can connect",
			p->anonymous_time ? "allowed" : "refused");
	*userdata = p;
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	struct perch_plugin *p = userdata;

	if(p){
		unregister_callbacks(p, N_CALLBACKS);
		plugin_free(p);
	}
	return MOSQ_ERR_SUCCESS;
}
