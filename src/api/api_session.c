/*
 * perch's own endpoints for the web app: sign in and out (a session cookie, HttpOnly and
 * SameSite, with a CSRF token for mutations), the live token that lets a page connect to the
 * broker's WebSocket listener, the MQTT keys page, and what the "connect a device" page needs
 * to know about this server.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/handlers.h"
#include "api/shape.h"
#include "auth/login_guard.h"
#include "store/db.h"
#include "store/sessions.h"
#include "store/users.h"

#define COOKIE_NAME "perch_session"
#define LIVE_TOKEN_SECONDS (15 * 60)
#define LABEL_MAX 100

const char *perch_api_session_cookie(const struct perch_req *req, char *out, size_t outlen)
{
	const char *h = perch_req_header(req, "Cookie");
	size_t name_len = strlen(COOKIE_NAME);

	while(h && *h){
		while(*h == ' ' || *h == ';'){
			h++;
		}
		if(strncmp(h, COOKIE_NAME, name_len) == 0 && h[name_len] == '='){
			const char *v = h + name_len + 1;
			size_t n = strcspn(v, "; ");
			if(n == 0 || n >= outlen){
				return NULL;
			}
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		h = strchr(h, ';');
	}
	return NULL;
}

/* The cookie is Secure when users reach perch over HTTPS (directly or through a proxy). */
static bool request_is_https(const struct perch_api_ctx *c)
{
	const char *proto = perch_req_header(c->req, "X-Forwarded-Proto");
	const char *pub = c->env->cfg->public_url;
	return (proto && strcasecmp(proto, "https") == 0) || (pub && strncmp(pub, "https://", 8) == 0);
}

static void set_cookie(struct perch_api_ctx *c, const char *token, int max_age)
{
	char cookie[256];
	snprintf(cookie, sizeof(cookie), "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
			COOKIE_NAME, token, max_age, request_is_https(c) ? "; Secure" : "");
	perch_resp_header(c->resp, "Set-Cookie", cookie);
}

static json_t *session_json(const struct perch_user *u, const char *csrf)
{
	json_t *user = perch_shape_user(u);
	return json_pack("{s:o, s:s?}", "user", user ? user : json_null(), "csrf_token", csrf);
}

static const char *login_name(json_t *body)
{
	static const char *const names[] = { "username", "login", "email", NULL };
	for(int i = 0; names[i]; i++){
		json_t *v = json_object_get(body, names[i]);
		if(json_is_string(v) && json_string_length(v) > 0){
			return json_string_value(v);
		}
	}
	return NULL;
}

void perch_api_session_create(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "session");
	const char *login, *password;
	char address[64], token[PERCH_SESSION_TOKEN_LEN + 1], err[256];
	struct perch_session session;
	int wait, rc;

	if(!body){
		return;
	}
	login = login_name(body);
	password = json_string_value(json_object_get(body, "password"));
	if(!login || !password){
		perch_resp_error(c->resp, 400, "send a username (or email) and a password");
		json_decref(body);
		return;
	}
	perch_req_client_address(c->req, c->env->cfg->trusted_proxies, address, sizeof(address));
	wait = perch_login_guard_wait(c->env->guard, login, address, time(NULL));
	if(wait > 0){
		char retry[16];
		snprintf(retry, sizeof(retry), "%d", wait);
		perch_resp_error(c->resp, 429, "too many failed sign-ins: try again in %d s", wait);
		perch_resp_header(c->resp, "Retry-After", retry);
		json_decref(body);
		return;
	}
	rc = perch_session_login(c->db, c->env->cfg->secret, login, password,
			perch_req_header(c->req, "User-Agent"), address, token, &session, err, sizeof(err));
	if(rc == 1){
		perch_login_guard_failed(c->env->guard, login, address, time(NULL));
		perch_resp_error(c->resp, 401, "wrong user name or password");
	}else if(rc != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
	}else{
		perch_login_guard_succeeded(c->env->guard, login, address);
		set_cookie(c, token, PERCH_SESSION_DAYS * 86400);
		perch_resp_json(c->resp, 200, session_json(&session.user, session.csrf));
	}
	json_decref(body);
}

void perch_api_session_get(struct perch_api_ctx *c)
{
	perch_resp_json(c->resp, 200, session_json(&c->actor, c->session_id ? c->csrf : NULL));
}

void perch_api_session_delete(struct perch_api_ctx *c)
{
	char cookie[128], err[256];
	const char *token = perch_api_session_cookie(c->req, cookie, sizeof(cookie));

	if(token && perch_session_revoke(c->db, c->env->cfg->secret, token, err, sizeof(err)) != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return;
	}
	set_cookie(c, "", 0);
	perch_resp_json(c->resp, 200, json_pack("{s:s}", "status", "signed out"));
}

/* The host name users reach this server by: public_url's, else the request's Host header. */
static void public_host(const struct perch_api_ctx *c, char *out, size_t outlen)
{
	const char *pub = c->env->cfg->public_url;
	const char *host = perch_req_header(c->req, "Host");
	const char *p;
	size_t n;

	if(pub && *pub){
		p = strstr(pub, "://");
		host = p ? p + 3 : pub;
	}
	if(!host || !*host){
		host = "localhost";
	}
	/* "[::1]:8080" -> "[::1]", "example.org:8080/x" -> "example.org" */
	n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/");
	if(n >= outlen){
		n = outlen - 1;
	}
	memcpy(out, host, n);
	out[n] = '\0';
}

void perch_api_live_token(struct perch_api_ctx *c)
{
	char token[256];
	time_t expires = time(NULL) + LIVE_TOKEN_SECONDS;
	json_t *out;

	if(perch_live_token_make(c->env->cfg->secret, c->actor.username, expires, token, sizeof(token)) != 0){
		perch_resp_error(c->resp, 500, "internal error");
		return;
	}
	out = json_pack("{s:s, s:s, s:o, s:i, s:s}", "username", c->actor.username, "token", token,
			"expires_at", perch_shape_time((int64_t)expires * 1000000), "ws_port", c->env->cfg->ws_port,
			"ws_path", "/mqtt");
	if(out && request_is_https(c)){
		/* behind a TLS proxy the broker's WebSocket is reached as wss://host/mqtt */
		char host[256], url[300];
		public_host(c, host, sizeof(host));
		snprintf(url, sizeof(url), "wss://%s/mqtt", host);
		json_object_set_new(out, "ws_url", json_string(url));
	}
	perch_resp_json(c->resp, 200, out);
}

void perch_api_server_info(struct perch_api_ctx *c)
{
	const struct perch_config *cfg = c->env->cfg;
	char host[256], url[300];

	public_host(c, host, sizeof(host));
	if(cfg->public_url && *cfg->public_url){
		snprintf(url, sizeof(url), "%s", cfg->public_url);
	}else{
		const char *h = perch_req_header(c->req, "Host");
		snprintf(url, sizeof(url), "http://%s", h && *h ? h : host);
	}
	perch_resp_json(c->resp, 200, json_pack("{s:s, s:i, s:i, s:s}", "mqtt_host", host,
			"mqtt_port", cfg->mqtt_port, "ws_port", cfg->ws_port, "http_url", url));
}

/* Answers a query whose single row and column is JSON text. */
static void answer_json_text(struct perch_api_ctx *c, const char *sql, int n, const char *const *params,
		unsigned status)
{
	char err[256];
	PGresult *res = perch_db_exec(c->db, err, sizeof(err), sql, n, params);

	if(!res){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return;
	}
	if(PQntuples(res) != 1){
		perch_resp_error(c->resp, 404, "not found");
	}else{
		perch_resp_text(c->resp, status, "application/json", PQgetvalue(res, 0, 0),
				(size_t)PQgetlength(res, 0, 0));
	}
	PQclear(res);
}

#define KEY_JSON "json_build_object('id', k.id, 'label', k.label, 'shown', k.shown || '…', " \
	"'created_at', to_char(k.created_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"'last_used_at', to_char(k.last_used_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"'revoked_at', to_char(k.revoked_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"

void perch_api_keys_list(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[1] = { uid };
	snprintf(uid, sizeof(uid), "%lld", (long long)c->actor.id);
	answer_json_text(c, "SELECT coalesce(json_agg(" KEY_JSON " ORDER BY k.id), '[]') "
			"FROM mqtt_keys k WHERE k.user_id = $1", 1, params, 200);
}

void perch_api_keys_create(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "key");
	const char *label;
	char key[PERCH_KEY_LEN + 1], err[256], idtext[24];
	const char *params[2] = { idtext, key };
	int64_t id;

	if(!body){
		return;
	}
	label = json_string_value(json_object_get(body, "label"));
	if(label && strlen(label) > LABEL_MAX){
		perch_resp_error(c->resp, 422, "a label has at most %d characters", LABEL_MAX);
	}else if(perch_key_new(c->db, c->env->cfg->secret, c->actor.username, label ? label : "", key, &id,
			err, sizeof(err)) != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
	}else{
		snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
		/* the only answer that ever carries the key itself */
		answer_json_text(c, "SELECT (" KEY_JSON "::jsonb || jsonb_build_object('key', $2::text))::text "
				"FROM mqtt_keys k WHERE k.id = $1", 2, params, 201);
	}
	json_decref(body);
}

void perch_api_keys_revoke(struct perch_api_ctx *c)
{
	const char *idtext = perch_req_param(c->req, "id");
	char *end = NULL, err[256];
	long long id = idtext ? strtoll(idtext, &end, 10) : 0;
	int rc;

	if(!idtext || *end || id <= 0){
		perch_resp_error(c->resp, 404, "not found: no such key");
		return;
	}
	rc = perch_key_revoke(c->db, c->actor.username, id, err, sizeof(err));
	if(rc == 1){
		perch_resp_error(c->resp, 404, "not found: no such active key");
	}else if(rc != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
	}else{
		perch_resp_json(c->resp, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "revoked"));
	}
}
