/*
 * MOSQ_EVT_BASIC_AUTH: who is connecting. Everything is decided from memory (the installed
 * snapshot and the sessions table): the broker thread never waits on the database here.
 */
#include <string.h>
#include <time.h>

#include "plugin.h"

#define LIVE_TOKEN_PREFIX "live1."

/* Who a client proved to be. */
struct identity {
	const char *name;                  /* "" when anonymous */
	enum perch_role role;
	const struct perch_snap_user *su;  /* NULL for the service account and anonymous clients */
	int64_t key_id;                    /* 0 unless an MQTT key was used */
	bool live;
};

static const char *identify_user(struct perch_plugin *p, const char *username, const char *password,
		struct identity *who)
{
	const struct perch_snap_user *su;
	const struct perch_snap_key *k;
	char hash[PERCH_KEY_HASH_HEX + 1];

	if(!p->snap){
		return "users not loaded from the database yet";
	}
	su = perch_snapshot_user(p->snap, username);
	if(!su){
		return "unknown user";
	}
	if(su->disabled){
		return "user disabled";
	}
	if(!password || !*password){
		return "no password";
	}
	if(strncmp(password, LIVE_TOKEN_PREFIX, strlen(LIVE_TOKEN_PREFIX)) == 0){
		if(!perch_live_token_check(p->secret, username, password, time(NULL))){
			return "invalid or expired live token";
		}
		who->live = true;
	}else{
		/* The lookup is by a keyed hash, so its timing tells nothing about stored keys. */
		perch_key_hash(p->secret, password, strlen(password), hash);
		k = perch_snapshot_key(p->snap, hash);
		if(!k || k->user != su){
			return "unknown or revoked key";
		}
		who->key_id = k->id;
	}
	who->name = su->username;
	who->role = su->role;
	who->su = su;
	return NULL;
}

/* Fills *who, or returns why the credentials are refused (for the log: never the password). */
static const char *identify(struct perch_plugin *p, const char *username, const char *password,
		struct identity *who)
{
	memset(who, 0, sizeof(*who));
	if(!username || !*username){
		if(!p->anonymous_time){
			return "no credentials";
		}
		who->name = "";
		who->role = PERCH_ROLE_ANONYMOUS;
		return NULL;
	}
	if(strcmp(username, PERCH_SERVICE_USER) == 0){
		if(!password || !perch_str_equal_ct(password, p->service_password)){
			return "wrong service password";
		}
		who->name = PERCH_SERVICE_USER;
		who->role = PERCH_ROLE_SERVICE;
		return NULL;
	}
	return identify_user(p, username, password, who);
}

static int refuse(const char *username, const char *clientid, const char *why)
{
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "perch: refused client %.100s (user %.64s): %s",
			clientid ? clientid : "?", username && *username ? username : "-", why);
	return MOSQ_ERR_AUTH;
}

/* True when the broker may keep this client's session after it disconnects. */
static bool wants_persistent(const struct mosquitto *client)
{
	/* An MQTT 5 session expiry interval is not visible to plugins: assume it may persist. */
	return !mosquitto_client_clean_session(client) || mosquitto_client_protocol_version(client) == 5;
}

/* Applies the per-user limits and client-id ownership, then records the session. */
static int admit(struct perch_plugin *p, struct mosquitto *client, const char *clientid,
		const struct identity *who)
{
	int64_t now = perch_now_ns();
	struct perch_user_state *us = NULL;

	if(who->su && !(us = perch_user_state_get(&p->sessions, who->su, now))){
		return refuse(who->name, clientid, "out of memory");
	}
	switch(perch_sessions_admit(&p->sessions, clientid, who->name, us, mosquitto_client_clean_session(client))){
	case PERCH_ADMIT_OK:
		break;
	case PERCH_ADMIT_CLIENTID_TAKEN:
		return refuse(who->name, clientid, "client id belongs to another user");
	case PERCH_ADMIT_TOO_MANY:
		return refuse(who->name, clientid, "too many connections (max_connections)");
	}
	if(!perch_sessions_add(&p->sessions, client, clientid, who->name, who->role, us,
			who->key_id, who->live, wants_persistent(client), now)){
		return refuse(who->name, clientid, "out of memory");
	}
	if(who->key_id){
		perch_db_key_used(p->db, who->key_id);
	}
	return MOSQ_ERR_SUCCESS;
}

int perch_on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *ed = event_data;
	struct perch_plugin *p = userdata;
	const char *clientid = mosquitto_client_id(ed->client);
	struct identity who;
	const char *why;

	if(!clientid || !*clientid){
		return refuse(ed->username, clientid, "no client id");
	}
	why = identify(p, ed->username, ed->password, &who);
	if(why){
		return refuse(ed->username, clientid, why);
	}
	return admit(p, ed->client, clientid, &who);
}
