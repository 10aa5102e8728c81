/* What the HTTP server's own files share: the server, its counters, static files, /healthz. */
#ifndef PERCH_HTTP_INTERNAL_H
#define PERCH_HTTP_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/request.h"
#include "http/server.h"

#define PERCH_METRIC_METHODS 8
#define PERCH_METRIC_CODES 18

/* Request counters, written by every worker thread without a lock. */
struct perch_http_metrics {
	atomic_uint_fast64_t requests[PERCH_METRIC_METHODS][PERCH_METRIC_CODES];
	atomic_uint_fast64_t duration_us;   /* sum over all requests */
	atomic_uint_fast64_t body_too_large;
};

struct perch_http {
	struct MHD_Daemon *daemon;
	struct perch_api_env env;
	struct perch_http_metrics metrics;
	atomic_llong log_second;            /* the second the log lines below were counted in */
	atomic_int log_lines;
};

void perch_http_metrics_count(struct perch_http_metrics *m, const char *method, unsigned status,
		int64_t duration_us);

/* GET /healthz and GET /metrics. */
void perch_http_healthz(struct perch_http *http, struct perch_resp *resp);
void perch_http_metrics_page(struct perch_http *http, struct perch_resp *resp);

/* The built web app: files under web_dir, index.html for client-side routes. */
void perch_http_static(struct perch_http *http, struct perch_req *req, struct perch_resp *resp);

#endif
