/*
 * The REST API under /api: Adafruit IO v2 compatible paths and JSON shapes (/api/v2/…),
 * authenticated by an MQTT key in the X-AIO-Key header or the x-aio-key query parameter, or by
 * the web app's session cookie (mutations then also need the X-CSRF-Token header).
 */
#ifndef PERCH_API_H
#define PERCH_API_H

#include "config/config.h"
#include "http/request.h"
#include "ingest/ingest.h"
#include "store/db.h"

struct perch_login_guard;
struct perch_http_throttle;

struct perch_api_env {
	const struct perch_config *cfg;
	struct perch_db_pool *pool;
	struct perch_ingest *ing;   /* may be NULL: values are then stored but not sent live */
	struct perch_login_guard *guard; /* slows repeated failed sign-ins */
	struct perch_http_throttle *throttle; /* the message rate of data written over HTTP */
};

/* Answers a request whose path starts with /api. Always sets resp->status. */
void perch_api_handle(const struct perch_api_env *env, struct perch_req *req, struct perch_resp *resp);

#endif
