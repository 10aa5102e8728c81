/*
 * The API's route table and what every request goes through: route lookup (404/405), the key
 * (401), a database connection (503), the namespace check (403), then the handler.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "http/router.h"
#include "payload.h"
#include "timefmt.h"

enum {
	AUTH = 1,     /* needs a key */
	IN_USER = 2,  /* the path's :user must be the key's user */
};

#define H(fn) ((void (*)(void))(fn))
#define U "/api/v2/:user"
#define F U "/feeds/:feed"

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

/* Checks the key; fills c->user. Returns 0, or -1 after answering 401/500/503. */
static int authenticate(struct perch_api_ctx *c, const char *key)
{
	char err[256] = "";
	int rc;

	if(!c->env->cfg || !c->env->cfg->secret_loaded){
		perch_resp_error(c->resp, 500, "internal error: the server secret is not loaded");
		return -1;
	}
	rc = perch_user_by_key(c->db, c->env->cfg->secret, key, &c->user, err, sizeof(err));
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
 * Another user's path answers 403 whether that user exists or not, so that nobody can probe
 * for user names with their own key.
 */
static bool own_namespace(struct perch_api_ctx *c)
{
	const char *user = perch_req_param(c->req, "user");

	if(user && strcasecmp(user, c->user.username) == 0){
		return true;
	}
	perch_resp_error(c->resp, 403, "forbidden: this key does not give access to that user's data");
	return false;
}

static void run_authenticated(const struct perch_api_env *env, const struct perch_route *route,
		struct perch_req *req, struct perch_resp *resp)
{
	struct perch_api_ctx c = { .env = env, .req = req, .resp = resp };
	const char *key = request_key(req);

	if(!key){
		perch_resp_error(resp, 401, "a key is required: send it in the X-AIO-Key header");
		return;
	}
	c.db = perch_db_pool_acquire(env->pool);
	if(!c.db){
		perch_resp_error(resp, 503, "the database is unavailable, try again shortly");
		return;
	}
	if(authenticate(&c, key) == 0 && (!(route->flags & IN_USER) || own_namespace(&c))){
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
	if(route->flags & AUTH){
		run_authenticated(env, route, req, resp);
	}else{
		struct perch_api_ctx c = { .env = env, .req = req, .resp = resp };
		((perch_api_fn)route->handler)(&c);
	}
	perch_resp_header(resp, "Cache-Control", "no-store");
}
