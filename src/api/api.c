/*
 * The API's route table and what every request goes through: route lookup (404/405), the key
 * (401), a database connection (503), the namespace check (403), then the handler.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "http/router.h"
#include "api/throttle.h"
#include "store/sessions.h"
#include "payload.h"
#include "timefmt.h"

enum {
	AUTH = 1,     /* needs a key or a session */
	IN_USER = 2,  /* the path's :user must be the caller (instructors may read anyone's) */
	DB = 4,       /* needs a database connection but no credentials */
};

#define H(fn) ((void (*)(void))(fn))
#define U "/api/v2/:user"
#define F U "/feeds/:feed"
#define D U "/dashboards/:dash"

/* Literal routes before the captures that would also match them ("data/last" before "data/:id"). */
static const struct perch_route routes[] = {
	{ "GET", "/api/v2/user", H(perch_api_user_get), AUTH },
	{ "GET", "/api/v2/time/:unit", H(perch_api_time), 0 },
	{ "GET", U "/throttle", H(perch_api_throttle_get), AUTH | IN_USER },
	{ "GET", U "/feeds", H(perch_api_feeds_list), AUTH | IN_USER },
	{ "POST", U "/feeds", H(perch_api_feeds_create), AUTH | IN_USER },
	{ "GET", F, H(perch_api_feed_get), AUTH | IN_USER },
	{ "PUT", F, H(perch_api_feed_update), AUTH | IN_USER },
	{ "PATCH", F, H(perch_api_feed_update), AUTH | IN_USER },
	{ "DELETE", F, H(perch_api_feed_delete), AUTH | IN_USER },
	{ "GET", F "/details", H(perch_api_feed_details), AUTH | IN_USER },
	{ "GET", F "/data", H(perch_api_data_list), AUTH | IN_USER },
	{ "POST", F "/data", H(perch_api_data_create), AUTH | IN_USER },
	{ "POST", F "/data/batch", H(perch_api_data_batch), AUTH | IN_USER },
	{ "GET", F "/data/last", H(perch_api_data_last), AUTH | IN_USER },
	{ "GET", F "/data/first", H(perch_api_data_first), AUTH | IN_USER },
	{ "GET", F "/data/retain", H(perch_api_data_retain), AUTH | IN_USER },
	{ "GET", F "/data/chart", H(perch_api_data_chart), AUTH | IN_USER },
	{ "GET", F "/data/:id", H(perch_api_data_get), AUTH | IN_USER },
	{ "DELETE", F "/data/:id", H(perch_api_data_delete), AUTH | IN_USER },
	{ "POST", U "/groups/:group/data", H(perch_api_group_data), AUTH | IN_USER },
	{ "GET", U "/dashboards", H(perch_api_dashboards_list), AUTH | IN_USER },
	{ "POST", U "/dashboards", H(perch_api_dashboards_create), AUTH | IN_USER },
	{ "GET", D, H(perch_api_dashboard_get), AUTH | IN_USER },
	{ "PUT", D, H(perch_api_dashboard_update), AUTH | IN_USER },
	{ "PATCH", D, H(perch_api_dashboard_update), AUTH | IN_USER },
	{ "DELETE", D, H(perch_api_dashboard_delete), AUTH | IN_USER },
	{ "POST", D "/update_layouts", H(perch_api_dashboard_layouts), AUTH | IN_USER },
	{ "GET", D "/blocks", H(perch_api_blocks_list), AUTH | IN_USER },
	{ "POST", D "/blocks", H(perch_api_blocks_create), AUTH | IN_USER },
	{ "GET", D "/blocks/:block", H(perch_api_block_get), AUTH | IN_USER },
	{ "PUT", D "/blocks/:block", H(perch_api_block_update), AUTH | IN_USER },
	{ "PATCH", D "/blocks/:block", H(perch_api_block_update), AUTH | IN_USER },
	{ "DELETE", D "/blocks/:block", H(perch_api_block_delete), AUTH | IN_USER },
	/* perch's own, for the web app */
	{ "POST", "/api/session", H(perch_api_session_create), DB },
	{ "GET", "/api/session", H(perch_api_session_get), AUTH },
	{ "DELETE", "/api/session", H(perch_api_session_delete), AUTH },
	{ "POST", "/api/live-token", H(perch_api_live_token), AUTH },
	{ "GET", "/api/server", H(perch_api_server_info), 0 },
	{ "GET", "/api/keys", H(perch_api_keys_list), AUTH },
	{ "POST", "/api/keys", H(perch_api_keys_create), AUTH },
	{ "DELETE", "/api/keys/:id", H(perch_api_keys_revoke), AUTH },
};

void perch_api_db_error(struct perch_api_ctx *c, bool db_down, const char *err)
{
	fprintf(stderr, "perch api: %s\n", err);
	if(db_down){
		perch_resp_error(c->resp, 503, "the database is unavailable, try again shortly");
	}else{
		perch_resp_error(c->resp, 500, "internal error");
	}
}

int perch_api_load_feed(struct perch_api_ctx *c, struct perch_feed_rec *feed)
{
	const char *ident = perch_req_param(c->req, "feed");
	char err[256];
	bool down = false;
	int rc = perch_q_feed_find(c->db, c->user.id, ident ? ident : "", feed, &down, err, sizeof(err));

	if(rc == 1){
		perch_resp_error(c->resp, 404, "not found: no such feed");
		return -1;
	}
	if(rc != 0){
		perch_api_db_error(c, down, err);
		return -1;
	}
	return 0;
}

int perch_api_time_param(struct perch_api_ctx *c, const char *name, bool *has, int64_t *us)
{
	const char *v = perch_req_query(c->req, name);
	char buf[64];
	size_t len;

	*has = false;
	if(!v || !*v){
		return 0;
	}
	len = strlen(v);
	if(len >= sizeof(buf)){
		perch_resp_error(c->resp, 400, "%s is not a valid ISO 8601 time", name);
		return -1;
	}
	memcpy(buf, v, len + 1);
	/* an unencoded "+01:00" arrives as " 01:00" (a query's '+' is a space): put it back */
	for(size_t i = 11; i < len; i++){
		if(buf[i] == ' '){
			buf[i] = '+';
		}
	}
	if(perch_time_parse(buf, us) != 0){
		perch_resp_error(c->resp, 400, "%s is not a valid ISO 8601 time (e.g. 2024-03-01T14:00:00Z)", name);
		return -1;
	}
	*has = true;
	return 0;
}

int perch_api_throttle(struct perch_api_ctx *c, int n)
{
	char topic[PERCH_USER_MAX + 16], text[256];
	int len;

	if(!c->env->throttle || c->user.role == PERCH_ROLE_ADMIN
			|| perch_http_throttle_take(c->env->throttle, c->user.id, c->user.rate_limit, n)){
		return 0;
	}
	snprintf(topic, sizeof(topic), "%s/throttle", c->user.username);
	len = snprintf(text, sizeof(text), "%s data rate limit reached (%d messages/s), HTTP data write refused",
			c->user.username, c->user.rate_limit);
	if(c->env->ing && len > 0){
		perch_ingest_publish(c->env->ing, topic, text, (size_t)len, 0, false);
	}
	perch_resp_error(c->resp, 429, "data rate limit reached: %d values per second", c->user.rate_limit);
	perch_resp_header(c->resp, "Retry-After", "1");
	return -1;
}

size_t perch_api_max_value(const struct perch_api_ctx *c)
{
	int v = c->env->cfg ? c->env->cfg->max_value : 0;
	return v > 0 ? (size_t)v : PERCH_VALUE_MAX_DEFAULT;
}

const char *perch_api_reason(const char *err)
{
	static const char prefix[] = "rejected, ";
	return strncmp(err, prefix, sizeof(prefix) - 1) == 0 ? err + sizeof(prefix) - 1 : err;
}

/* The key from the X-AIO-Key header (any case) or the x-aio-key query parameter. */
static const char *request_key(const struct perch_req *req)
{
	const char *key = perch_req_header(req, "X-AIO-Key");
	if(!key || !*key){
		key = perch_req_query(req, "x-aio-key");
	}
	return key && *key ? key : NULL;
}

static bool is_read_method(const char *method)
{
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* Checks an MQTT key; fills c->actor. Returns 0, or -1 after answering 401/500/503. */
static int authenticate_key(struct perch_api_ctx *c, const char *key)
{
	char err[256] = "";
	int rc = perch_user_by_key(c->db, c->env->cfg->secret, key, &c->actor, err, sizeof(err));

	if(rc == 1){
		perch_resp_error(c->resp, 401, "invalid key: send an active key of an enabled user in X-AIO-Key");
		return -1;
	}
	if(rc != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return -1;
	}
	return 0;
}

/*
 * Checks the web session of a cookie; fills c->actor. A session may change things only with
 * its CSRF token in X-CSRF-Token: a page of another site can make the browser send the
 * cookie, but it cannot read the token. Returns 0, or -1 after answering.
 */
static int authenticate_session(struct perch_api_ctx *c, const char *token)
{
	struct perch_session session;
	const char *csrf;
	char err[256] = "";
	int rc = perch_session_lookup(c->db, c->env->cfg->secret, token, &session, err, sizeof(err));

	if(rc == 1){
		perch_resp_error(c->resp, 401, "not signed in (the session has ended)");
		return -1;
	}
	if(rc != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return -1;
	}
	csrf = perch_req_header(c->req, "X-CSRF-Token");
	if(!is_read_method(c->req->method) && (!csrf || !perch_str_equal_ct(csrf, session.csrf))){
		perch_resp_error(c->resp, 403, "forbidden: missing or wrong X-CSRF-Token");
		return -1;
	}
	c->actor = session.user;
	c->session_id = session.id;
	snprintf(c->csrf, sizeof(c->csrf), "%s", session.csrf);
	return 0;
}

/*
 * Another user's path answers 403 whether that user exists or not, so that nobody can probe
 * for user names with their own key. Instructors (and admins) may read, never write, every
 * user's data: then c->user becomes the path's user.
 */
static bool own_namespace(struct perch_api_ctx *c)
{
	const char *user = perch_req_param(c->req, "user");
	char err[256];

	c->user = c->actor;
	if(user && strcasecmp(user, c->actor.username) == 0){
		return true;
	}
	if(user && is_read_method(c->req->method)
			&& (c->actor.role == PERCH_ROLE_INSTRUCTOR || c->actor.role == PERCH_ROLE_ADMIN)
			&& perch_user_get(c->db, user, &c->user, err, sizeof(err)) == 0){
		return true;
	}
	c->user = c->actor;
	perch_resp_error(c->resp, 403, "forbidden: no access to that user's data");
	return false;
}

static void run_route(const struct perch_api_env *env, const struct perch_route *route,
		struct perch_req *req, struct perch_resp *resp)
{
	struct perch_api_ctx c = { .env = env, .req = req, .resp = resp };
	const char *key = request_key(req);
	char cookie[128];
	const char *session = key ? NULL : perch_api_session_cookie(req, cookie, sizeof(cookie));
	int rc = 0;

	if((route->flags & AUTH) && !key && !session){
		perch_resp_error(resp, 401, "a key is required: send it in the X-AIO-Key header");
		return;
	}
	if(!env->cfg || !env->cfg->secret_loaded){
		perch_resp_error(resp, 500, "internal error: the server secret is not loaded");
		return;
	}
	c.db = perch_db_pool_acquire(env->pool);
	if(!c.db){
		perch_resp_error(resp, 503, "the database is unavailable, try again shortly");
		return;
	}
	if(route->flags & AUTH){
		rc = key ? authenticate_key(&c, key) : authenticate_session(&c, session);
		c.user = c.actor;
	}
	if(rc == 0 && (!(route->flags & IN_USER) || own_namespace(&c))){
		((perch_api_fn)route->handler)(&c);
	}
	perch_db_pool_release(env->pool, c.db);
}

void perch_api_handle(const struct perch_api_env *env, struct perch_req *req, struct perch_resp *resp)
{
	const struct perch_route *route = NULL;
	char allow[128];

	perch_route_strip_json(req);
	switch(perch_route_find(routes, sizeof(routes) / sizeof(routes[0]), req, &route, allow, sizeof(allow))){
	case PERCH_ROUTE_NO_PATH:
		perch_resp_error(resp, 404, "not found");
		return;
	case PERCH_ROUTE_NO_METHOD:
		perch_resp_error(resp, 405, "method not allowed: this path accepts %s", allow);
		perch_resp_header(resp, "Allow", allow);
		return;
	case PERCH_ROUTE_FOUND:
		break;
	}
	if(route->flags & (AUTH | DB)){
		run_route(env, route, req, resp);
	}else{
		struct perch_api_ctx c = { .env = env, .req = req, .resp = resp };
		((perch_api_fn)route->handler)(&c);
	}
	perch_resp_header(resp, "Cache-Control", "no-store");
}
