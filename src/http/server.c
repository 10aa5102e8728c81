/*
 * The HTTP server: libmicrohttpd with its own polling thread and a pool of worker threads,
 * each request handled entirely on one worker (handlers may block on PostgreSQL; the pool of
 * database connections bounds how many do at once).
 *
 * A request's life: the access handler's first call (headers read) makes our context from the
 * path as the client sent it (libmicrohttpd's own decoding is turned off, so encoded slashes
 * and NULs can be told apart); later calls bring the body in pieces (kept up to a hard cap);
 * the final call dispatches; the completion callback frees the context.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "http/internal.h"
#include "http/url.h"
#include "api/throttle.h"
#include "auth/login_guard.h"

#define CONNECTION_LIMIT 1024u
/* a classroom often sits behind one NAT address: be generous per IP */
#define PER_IP_LIMIT 256u
#define CONNECTION_MEMORY (64u * 1024u)  /* request line + headers must fit */
#define CONNECTION_TIMEOUT 30u            /* seconds of silence before a connection is dropped */
#define LOG_LINES_PER_SECOND 20           /* clients decide what gets logged: keep it bounded */

struct request {
	struct perch_req req;
	size_t body_cap;
	bool too_large;
	bool oom;
	bool answered;
};

static int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * libmicrohttpd would percent-decode the path before perch sees it, turning "%2F" into a
 * separator and "%00" into the end of the string: leave it as sent; perch_url_split decodes
 * each segment itself and refuses those two. (Query values are decoded by add_query.)
 */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
	(void)cls;
	(void)conn;
	return strlen(s);
}

/* One query parameter, as libmicrohttpd split it ('+' already a space, %XX still encoded). */
static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct request *r = cls;
	int rc = perch_url_add_query(&r->req, key, value);

	(void)kind;
	if(rc < 0){
		r->oom = true;
	}
	return rc == 0 ? MHD_YES : MHD_NO;
}

/*
 * The request's context, made on the handler's first call: libmicrohttpd then always calls
 * on_completed, whatever happens to the connection afterwards.
 */
static struct request *new_request(struct MHD_Connection *conn, const char *url, const char *method)
{
	struct request *r = calloc(1, sizeof(*r));

	if(!r){
		return NULL;
	}
	r->req.conn = conn;
	r->req.method = method;
	r->req.start_us = mono_us();
	if(perch_url_split(&r->req, url) != 0){
		r->oom = true;
	}else{
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_query, r);
	}
	return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		enum MHD_RequestTerminationCode toe)
{
	struct request *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if(r){
		perch_req_clear(&r->req);
		free(r);
		*con_cls = NULL;
	}
}

/* True while this second's log lines are under the limit (a broken client must not flood the log). */
static bool log_allowed(struct perch_http *http)
{
	long long now = (long long)time(NULL);

	if(atomic_exchange(&http->log_second, now) != now){
		atomic_store(&http->log_lines, 0);
	}
	return atomic_fetch_add(&http->log_lines, 1) < LOG_LINES_PER_SECOND;
}

static void log_line(void *cls, const char *fmt, va_list ap)
{
	if(log_allowed(cls)){
		fprintf(stderr, "perch http: ");
		vfprintf(stderr, fmt, ap);
	}
}

/* The raw path for a log line: at most 200 characters, control characters replaced. */
static void printable_path(const char *path, char *out, size_t outlen)
{
	size_t n = 0;

	for(const char *p = path ? path : ""; *p && n + 1 < outlen && n < 200; p++){
		out[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
	}
	out[n] = '\0';
}

static enum MHD_Result queue(struct perch_http *http, struct request *r, struct perch_resp *resp)
{
	struct MHD_Connection *conn = r->req.conn;
	struct MHD_Response *mr;
	enum MHD_Result ok;

	if(resp->fd >= 0){
		mr = MHD_create_response_from_fd64(resp->fd_size, resp->fd);
		if(mr){
			resp->fd = -1; /* libmicrohttpd closes it */
		}
	}else{
		mr = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
		if(mr){
			resp->body = NULL;
		}
	}
	if(!mr){
		return MHD_NO;
	}
	if(resp->content_type){
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	}
	for(size_t i = 0; i < resp->nheaders; i++){
		MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value);
	}
	ok = MHD_queue_response(conn, resp->status, mr);
	MHD_destroy_response(mr);
	r->answered = true;
	perch_http_metrics_count(&http->metrics, r->req.method, resp->status, mono_us() - r->req.start_us);
	if(resp->status >= 500 && log_allowed(http)){
		char path[256];
		printable_path(r->req.raw_path, path, sizeof(path));
		fprintf(stderr, "perch http: %s %s answered %u\n", r->req.method, path, resp->status);
	}
	return ok;
}

/* Answers at once, before the body arrives (a body over the cap). */
static enum MHD_Result answer_now(struct perch_http *http, struct request *r, unsigned status, const char *msg)
{
	struct perch_resp resp;
	enum MHD_Result ok;

	perch_resp_init(&resp);
	perch_resp_error(&resp, status, "%s", msg);
	perch_resp_header(&resp, "Access-Control-Allow-Origin", "*");
	ok = queue(http, r, &resp);
	perch_resp_clear(&resp);
	return ok;
}

static enum MHD_Result first_call(struct perch_http *http, struct request *r)
{
	const char *cl = MHD_lookup_connection_value(r->req.conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	if(cl && strtoull(cl, NULL, 10) > PERCH_HTTP_BODY_MAX){
		/* refuse before the body is sent: libmicrohttpd then skips "100 Continue" and closes */
		r->too_large = true;
		atomic_fetch_add_explicit(&http->metrics.body_too_large, 1, memory_order_relaxed);
		return answer_now(http, r, 413, "the request body is larger than 1 MiB");
	}
	return MHD_YES;
}

static void take_body(struct perch_http *http, struct request *r, const char *data, size_t len)
{
	struct perch_req *req = &r->req;

	if(r->too_large || r->oom){
		return; /* read and dropped: the answer is already decided */
	}
	if(req->body_len + len > PERCH_HTTP_BODY_MAX){
		r->too_large = true;
		atomic_fetch_add_explicit(&http->metrics.body_too_large, 1, memory_order_relaxed);
		free(req->body);
		req->body = NULL;
		req->body_len = 0;
		return;
	}
	if(req->body_len + len + 1 > r->body_cap){
		size_t cap = r->body_cap ? r->body_cap : 4096;
		char *grown;
		while(cap < req->body_len + len + 1){
			cap *= 2;
		}
		grown = realloc(req->body, cap);
		if(!grown){
			r->oom = true;
			return;
		}
		req->body = grown;
		r->body_cap = cap;
	}
	memcpy(req->body + req->body_len, data, len);
	req->body_len += len;
	req->body[req->body_len] = '\0';
}

static void cors(struct perch_resp *resp)
{
	perch_resp_header(resp, "Access-Control-Allow-Origin", "*");
	perch_resp_header(resp, "Access-Control-Expose-Headers",
			"X-Pagination-Count, X-Pagination-Limit, X-Pagination-Total, X-Pagination-Start, "
			"X-Pagination-End, Link");
}

static void preflight(struct perch_resp *resp)
{
	perch_resp_text(resp, 204, NULL, "", 0);
	perch_resp_header(resp, "Access-Control-Allow-Methods", "POST, PUT, DELETE, GET, OPTIONS, PATCH");
	perch_resp_header(resp, "Access-Control-Allow-Headers",
			"DNT, Origin, X-Requested-With, X-AIO-Key, Content-Type, Accept, Authorization");
	perch_resp_header(resp, "Access-Control-Max-Age", "86400");
	perch_resp_header(resp, "Allow", "POST, PUT, DELETE, GET, HEAD, OPTIONS, PATCH");
}

static bool is_get(const struct perch_req *req)
{
	return strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
}

static bool single(const struct perch_req *req, const char *name)
{
	return req->nsegs == 1 && strcmp(req->segs[0], name) == 0;
}

/* /healthz and /metrics: GET only. */
static void ops(struct perch_http *http, struct perch_req *req, struct perch_resp *resp)
{
	if(!is_get(req)){
		perch_resp_error(resp, 405, "method not allowed");
		perch_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
	}else if(single(req, "healthz")){
		perch_http_healthz(http, resp);
	}else{
		perch_http_metrics_page(http, resp);
	}
	perch_resp_header(resp, "Cache-Control", "no-store");
}

static void dispatch(struct perch_http *http, struct perch_req *req, struct perch_resp *resp)
{
	bool api = req->nsegs > 0 && strcmp(req->segs[0], "api") == 0;

	if(req->path_bad){
		perch_resp_error(resp, 400, "the path is not valid (an encoded '/' or NUL, or a broken %%-escape)");
	}else if(req->path_long){
		perch_resp_error(resp, 404, "not found");
	}else if(strcmp(req->method, "OPTIONS") == 0){
		preflight(resp);
	}else if(api){
		perch_api_handle(&http->env, req, resp);
	}else if(single(req, "healthz") || single(req, "metrics")){
		ops(http, req, resp);
		api = true;
	}else if(is_get(req)){
		perch_http_static(http, req, resp);
	}else{
		perch_resp_error(resp, 405, "method not allowed");
		perch_resp_header(resp, "Allow", "GET, HEAD, OPTIONS");
	}
	if(resp->status == 0){
		perch_resp_error(resp, 500, "internal error: no answer");
	}
	if(api || strcmp(req->method, "OPTIONS") == 0){
		cors(resp);
	}
}

static enum MHD_Result respond(struct perch_http *http, struct request *r)
{
	struct perch_resp resp;
	enum MHD_Result ok;

	perch_resp_init(&resp);
	if(r->oom){
		perch_resp_error(&resp, 500, "out of memory");
	}else if(r->too_large){
		perch_resp_error(&resp, 413, "the request body is larger than 1 MiB");
		cors(&resp);
	}else{
		dispatch(http, &r->req, &resp);
	}
	ok = queue(http, r, &resp);
	perch_resp_clear(&resp);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
		const char *method, const char *version, const char *upload_data, size_t *upload_data_size,
		void **con_cls)
{
	struct perch_http *http = cls;
	struct request *r = *con_cls;

	(void)version;
	if(!r){
		r = new_request(conn, url, method);
		if(!r){
			return MHD_NO; /* out of memory: drop the connection */
		}
		*con_cls = r;
		return first_call(http, r);
	}
	if(*upload_data_size > 0){
		take_body(http, r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if(r->answered){
		return MHD_YES;
	}
	return respond(http, r);
}

/* Resolves http_bind:http_port; "" or "*" is every address. The caller frees with freeaddrinfo. */
static struct addrinfo *listen_address(const struct perch_config *cfg, char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	const char *host = cfg->http_bind;
	char port[16];
	int rc;

	if(!host || !*host || strcmp(host, "*") == 0){
		host = NULL;
		hints.ai_family = AF_INET;
	}
	snprintf(port, sizeof(port), "%d", cfg->http_port);
	rc = getaddrinfo(host, port, &hints, &ai);
	if(rc != 0 || !ai){
		snprintf(err, errlen, "cannot resolve the HTTP bind address %s: %s", host ? host : "*", gai_strerror(rc));
		return NULL;
	}
	return ai;
}

static struct MHD_Daemon *start_daemon(struct perch_http *http, const struct perch_config *cfg,
		const struct addrinfo *ai, unsigned poller)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | poller
		| (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	unsigned threads = cfg->http_threads > 0 ? (unsigned)cfg->http_threads : 4;

	/* the logger goes first, so that errors about the later options reach it */
	return MHD_start_daemon(flags, (uint16_t)cfg->http_port, NULL, NULL, on_request, http,
			MHD_OPTION_EXTERNAL_LOGGER, log_line, http,
			MHD_OPTION_SOCK_ADDR, ai->ai_addr,
			MHD_OPTION_THREAD_POOL_SIZE, threads,
			MHD_OPTION_CONNECTION_LIMIT, CONNECTION_LIMIT,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, PER_IP_LIMIT,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
			MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT,
			MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, http,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
			MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
			MHD_OPTION_END);
}

/* epoll scales best; poll is the fallback where epoll is missing or refuses to start. */
static struct MHD_Daemon *start_any(struct perch_http *http, const struct perch_config *cfg,
		const struct addrinfo *ai)
{
	struct MHD_Daemon *d = NULL;

	if(MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES){
		d = start_daemon(http, cfg, ai, MHD_USE_EPOLL);
	}
	return d ? d : start_daemon(http, cfg, ai, MHD_USE_POLL);
}

struct perch_http *perch_http_start(const struct perch_config *cfg, struct perch_db_pool *pool,
		struct perch_ingest *ing, char *err, size_t errlen)
{
	struct perch_http *http = calloc(1, sizeof(*http));
	struct addrinfo *ai;

	if(!http){
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	http->env.cfg = cfg;
	http->env.pool = pool;
	http->env.ing = ing;
	http->env.guard = perch_login_guard_new();
	http->env.throttle = perch_http_throttle_new();
	if(!http->env.guard || !http->env.throttle){
		perch_login_guard_free(http->env.guard);
		perch_http_throttle_free(http->env.throttle);
		snprintf(err, errlen, "out of memory");
		free(http);
		return NULL;
	}
	ai = listen_address(cfg, err, errlen);
	if(ai){
		http->daemon = start_any(http, cfg, ai);
		if(!http->daemon){
			snprintf(err, errlen, "cannot start the HTTP server on %s:%d (is the port in use?)",
					cfg->http_bind && *cfg->http_bind ? cfg->http_bind : "*", cfg->http_port);
		}
		freeaddrinfo(ai);
	}
	if(!http->daemon){
		perch_login_guard_free(http->env.guard);
		perch_http_throttle_free(http->env.throttle);
		free(http);
		return NULL;
	}
	return http;
}

void perch_http_stop(struct perch_http *http)
{
	if(!http){
		return;
	}
	MHD_stop_daemon(http->daemon);
	perch_login_guard_free(http->env.guard);
	perch_http_throttle_free(http->env.throttle);
	free(http);
}
