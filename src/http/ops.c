/* What an administrator's monitoring reads: /healthz for probes, /metrics for Prometheus. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"
#include "ingest/ingest.h"
#include "store/db.h"
#include "store/query.h"

static const char *const metric_methods[PERCH_METRIC_METHODS] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
};
static const unsigned metric_codes[PERCH_METRIC_CODES] = {
	200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 409, 413, 414, 422, 429, 500, 503, 0,
};

void perch_http_metrics_count(struct perch_http_metrics *m, const char *method, unsigned status,
		int64_t duration_us)
{
	size_t mi = PERCH_METRIC_METHODS - 1, ci = PERCH_METRIC_CODES - 1;

	for(size_t i = 0; i + 1 < PERCH_METRIC_METHODS; i++){
		if(method && strcmp(method, metric_methods[i]) == 0){
			mi = i;
			break;
		}
	}
	for(size_t i = 0; i + 1 < PERCH_METRIC_CODES; i++){
		if(status == metric_codes[i]){
			ci = i;
			break;
		}
	}
	atomic_fetch_add_explicit(&m->requests[mi][ci], 1, memory_order_relaxed);
	if(duration_us > 0){
		atomic_fetch_add_explicit(&m->duration_us, (uint64_t)duration_us, memory_order_relaxed);
	}
}

static bool database_up(struct perch_http *http)
{
	PGconn *conn = perch_db_pool_acquire(http->env.pool);
	bool up = conn && perch_q_ping(conn);

	if(conn){
		perch_db_pool_release(http->env.pool, conn);
	}
	return up;
}

void perch_http_healthz(struct perch_http *http, struct perch_resp *resp)
{
	bool db = database_up(http);
	bool mqtt = http->env.ing && perch_ingest_connected(http->env.ing);

	perch_resp_json(resp, db && mqtt ? 200 : 503, json_pack("{s:s,s:b,s:b}",
			"status", db && mqtt ? "ok" : "degraded", "database", db, "mqtt", mqtt));
}

/* A growing text buffer; a failed allocation marks it broken and later appends are ignored. */
struct text {
	char *buf;
	size_t len, cap;
	bool broken;
};

static void text_add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if(t->broken){
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if(n < 0){
		t->broken = true;
		return;
	}
	if(t->len + (size_t)n + 1 > t->cap){
		size_t cap = (t->cap ? t->cap * 2 : 4096) + (size_t)n;
		char *grown = realloc(t->buf, cap);
		if(!grown){
			t->broken = true;
			return;
		}
		t->buf = grown;
		t->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

static void ingest_metrics(struct perch_http *http, struct text *t)
{
	struct perch_ingest_stats st = { 0 };
	bool up = http->env.ing && perch_ingest_connected(http->env.ing);

	if(http->env.ing){
		perch_ingest_stats(http->env.ing, &st);
	}
	text_add(t, "# HELP perch_mqtt_connected Whether the daemon's MQTT connection to the broker is up.\n"
			"# TYPE perch_mqtt_connected gauge\nperch_mqtt_connected %d\n", up ? 1 : 0);
	text_add(t, "# HELP perch_ingest_received_total Messages the ingest took from the broker.\n"
			"# TYPE perch_ingest_received_total counter\nperch_ingest_received_total %" PRIu64 "\n", st.received);
	text_add(t, "# HELP perch_ingest_stored_total Data points committed to PostgreSQL.\n"
			"# TYPE perch_ingest_stored_total counter\nperch_ingest_stored_total %" PRIu64 "\n", st.stored);
	text_add(t, "# HELP perch_ingest_rejected_total Messages refused with a notice on {user}/errors.\n"
			"# TYPE perch_ingest_rejected_total counter\nperch_ingest_rejected_total %" PRIu64 "\n", st.rejected);
	text_add(t, "# HELP perch_ingest_batches_total Batches written to PostgreSQL.\n"
			"# TYPE perch_ingest_batches_total counter\nperch_ingest_batches_total %" PRIu64 "\n", st.batches);
	text_add(t, "# HELP perch_ingest_queued Rows waiting to be written.\n"
			"# TYPE perch_ingest_queued gauge\nperch_ingest_queued %" PRIu64 "\n", st.queued);
}

static void http_metrics(struct perch_http *http, struct text *t)
{
	struct perch_http_metrics *m = &http->metrics;

	text_add(t, "# HELP perch_http_requests_total HTTP requests answered, by method and status.\n"
			"# TYPE perch_http_requests_total counter\n");
	for(size_t mi = 0; mi < PERCH_METRIC_METHODS; mi++){
		for(size_t ci = 0; ci < PERCH_METRIC_CODES; ci++){
			uint64_t v = atomic_load_explicit(&m->requests[mi][ci], memory_order_relaxed);
			if(v == 0){
				continue;
			}
			if(metric_codes[ci]){
				text_add(t, "perch_http_requests_total{method=\"%s\",code=\"%u\"} %" PRIu64 "\n",
						metric_methods[mi], metric_codes[ci], v);
			}else{
				text_add(t, "perch_http_requests_total{method=\"%s\",code=\"other\"} %" PRIu64 "\n",
						metric_methods[mi], v);
			}
		}
	}
	text_add(t, "# HELP perch_http_request_seconds_total Time spent answering HTTP requests.\n"
			"# TYPE perch_http_request_seconds_total counter\nperch_http_request_seconds_total %.6f\n",
			(double)atomic_load_explicit(&m->duration_us, memory_order_relaxed) / 1e6);
	text_add(t, "# HELP perch_http_body_too_large_total Requests refused for a body over the limit.\n"
			"# TYPE perch_http_body_too_large_total counter\nperch_http_body_too_large_total %" PRIu64 "\n",
			(uint64_t)atomic_load_explicit(&m->body_too_large, memory_order_relaxed));
}

void perch_http_metrics_page(struct perch_http *http, struct perch_resp *resp)
{
	struct text t = { 0 };

	ingest_metrics(http, &t);
	http_metrics(http, &t);
	if(t.broken || !t.buf){
		free(t.buf);
		perch_resp_error(resp, 500, "out of memory");
		return;
	}
	free(resp->body);
	resp->body = t.buf;
	resp->body_len = t.len;
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
