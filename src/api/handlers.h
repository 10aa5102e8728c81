/* What the API's handlers share: the context of one authenticated request, and the handlers. */
#ifndef PERCH_API_HANDLERS_H
#define PERCH_API_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "api/api.h"
#include "store/query.h"
#include "store/users.h"

struct perch_api_ctx {
	const struct perch_api_env *env;
	struct perch_req *req;
	struct perch_resp *resp;
	PGconn *db;                 /* held for the whole request; NULL for routes without auth */
	struct perch_user user;     /* whose data the request is about: the path's user */
	struct perch_user actor;    /* who asks: the key's or the session's user */
	int64_t session_id;         /* the web session used, 0 for a key */
	char csrf[64];              /* that session's CSRF token */
};

typedef void (*perch_api_fn)(struct perch_api_ctx *c);

/* Answers 503 when the database link is down, else 500; the detail goes to the log only. */
void perch_api_db_error(struct perch_api_ctx *c, bool db_down, const char *err);

/* Loads the feed the path names (:feed). Returns 0, or -1 after answering (404, 500, 503). */
int perch_api_load_feed(struct perch_api_ctx *c, struct perch_feed_rec *feed);

/*
 * Reads a time query parameter (ISO 8601 or epoch seconds). Returns 0, with *has false when it
 * is absent, or -1 after answering 400.
 */
int perch_api_time_param(struct perch_api_ctx *c, const char *name, bool *has, int64_t *us);

/*
 * Counts n data points against the user's message rate. Returns 0, or -1 after answering 429
 * (and telling the user on {user}/throttle, as the broker does for MQTT).
 */
int perch_api_throttle(struct perch_api_ctx *c, int n);

/* The longest value a data point may carry. */
size_t perch_api_max_value(const struct perch_api_ctx *c);

/* An error message from common/ (written for the {user}/errors topic) without "rejected, ". */
const char *perch_api_reason(const char *err);

/* api_user.c */
void perch_api_user_get(struct perch_api_ctx *c);
void perch_api_throttle_get(struct perch_api_ctx *c);
void perch_api_time(struct perch_api_ctx *c);

/* api_feeds.c */
void perch_api_feeds_list(struct perch_api_ctx *c);
void perch_api_feeds_create(struct perch_api_ctx *c);
void perch_api_feed_get(struct perch_api_ctx *c);
void perch_api_feed_update(struct perch_api_ctx *c);
void perch_api_feed_delete(struct perch_api_ctx *c);
void perch_api_feed_details(struct perch_api_ctx *c);

/* api_data.c */
void perch_api_data_create(struct perch_api_ctx *c);
void perch_api_data_batch(struct perch_api_ctx *c);
void perch_api_data_list(struct perch_api_ctx *c);
void perch_api_data_last(struct perch_api_ctx *c);
void perch_api_data_first(struct perch_api_ctx *c);
void perch_api_data_retain(struct perch_api_ctx *c);
void perch_api_data_get(struct perch_api_ctx *c);
void perch_api_data_delete(struct perch_api_ctx *c);

/* api_chart.c */
void perch_api_data_chart(struct perch_api_ctx *c);

/* api_session.c: web sign-in and perch's own endpoints for the web app */
void perch_api_session_create(struct perch_api_ctx *c);
void perch_api_session_get(struct perch_api_ctx *c);
void perch_api_session_delete(struct perch_api_ctx *c);
void perch_api_live_token(struct perch_api_ctx *c);
void perch_api_server_info(struct perch_api_ctx *c);
void perch_api_keys_list(struct perch_api_ctx *c);
void perch_api_keys_create(struct perch_api_ctx *c);
void perch_api_keys_revoke(struct perch_api_ctx *c);

/* The session cookie's value in this request, or NULL. Copies at most outlen - 1 bytes. */
const char *perch_api_session_cookie(const struct perch_req *req, char *out, size_t outlen);

/* api_dashboards.c */
void perch_api_dashboards_list(struct perch_api_ctx *c);
void perch_api_dashboards_create(struct perch_api_ctx *c);
void perch_api_dashboard_get(struct perch_api_ctx *c);
void perch_api_dashboard_update(struct perch_api_ctx *c);
void perch_api_dashboard_delete(struct perch_api_ctx *c);
void perch_api_dashboard_layouts(struct perch_api_ctx *c);
void perch_api_blocks_list(struct perch_api_ctx *c);
void perch_api_blocks_create(struct perch_api_ctx *c);
void perch_api_block_get(struct perch_api_ctx *c);
void perch_api_block_update(struct perch_api_ctx *c);
void perch_api_block_delete(struct perch_api_ctx *c);

/* api_groups.c */
void perch_api_group_data(struct perch_api_ctx *c);

#endif
