/*
 * One HTTP request and its response as perch's handlers see them: the path already split
 * into decoded segments, the query string decoded, the body accumulated, and a response that
 * owns everything it will send. Handlers never touch libmicrohttpd directly except through
 * req->conn for request headers.
 */
#ifndef PERCH_HTTP_REQUEST_H
#define PERCH_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define PERCH_HTTP_BODY_MAX (1024 * 1024) /* a bigger body answers 413 */
#define PERCH_HTTP_MAX_SEGS 32            /* a path with more segments answers 404 */
#define PERCH_HTTP_MAX_QUERY 64           /* query parameters kept; the rest are ignored */
#define PERCH_HTTP_MAX_PARAMS 6           /* :name captures of one route */
#define PERCH_HTTP_MAX_HEADERS 16         /* extra headers of one response */

struct MHD_Connection;

struct perch_kv {
	char *key;   /* decoded, owned */
	char *value; /* decoded, owned, never NULL */
};

struct perch_param {
	char name[16];
	const char *value; /* points into the request's segments */
};

struct perch_req {
	struct MHD_Connection *conn;
	const char *method;            /* as the client sent it; owned by libmicrohttpd */
	char *raw_path;                /* the request target before '?', not decoded */
	char *raw_query;               /* after '?', not decoded; NULL when absent */
	char *segs[PERCH_HTTP_MAX_SEGS];
	size_t nsegs;
	bool path_bad;                 /* %00, %2F or a broken escape in the path */
	bool path_long;                /* more than PERCH_HTTP_MAX_SEGS segments */
	struct perch_kv query[PERCH_HTTP_MAX_QUERY];
	size_t nquery;
	char *body;                    /* NUL-terminated (the NUL is not counted) */
	size_t body_len;
	struct perch_param params[PERCH_HTTP_MAX_PARAMS];
	size_t nparams;
	int64_t start_us;              /* monotonic, for the duration metric */
};

struct perch_header {
	char *name;
	char *value;
};

struct perch_resp {
	unsigned status;               /* 0 until a handler answers */
	char *body;                    /* malloc'd, handed to libmicrohttpd */
	size_t body_len;
	const char *content_type;      /* static string */
	int fd;                        /* >= 0: send this file instead of body (closed by the server) */
	uint64_t fd_size;
	struct perch_header headers[PERCH_HTTP_MAX_HEADERS];
	size_t nheaders;
};

void perch_resp_init(struct perch_resp *resp);
void perch_resp_clear(struct perch_resp *resp);

/* Adds a header (copied). Extra headers beyond the table's size are dropped. */
void perch_resp_header(struct perch_resp *resp, const char *name, const char *value);

/* Answers with json (the reference is stolen); a JSON that cannot be encoded answers 500. */
void perch_resp_json(struct perch_resp *resp, unsigned status, json_t *json);

/* Answers {"error":"…"} with status. */
void perch_resp_error(struct perch_resp *resp, unsigned status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Answers a text body (copied) of the given content type (static string). */
void perch_resp_text(struct perch_resp *resp, unsigned status, const char *content_type,
		const char *text, size_t len);

/* Answers 200 with the content of an open file; resp takes the descriptor. */
void perch_resp_file(struct perch_resp *resp, int fd, uint64_t size, const char *content_type);

/* A request header (case-insensitive name) or NULL. */
const char *perch_req_header(const struct perch_req *req, const char *name);

/* A query parameter (case-insensitive name), the first one given, or NULL. */
const char *perch_req_query(const struct perch_req *req, const char *name);

/* A route capture (":feed") or NULL. */
const char *perch_req_param(const struct perch_req *req, const char *name);

/*
 * Reads the request body as JSON of any type (forms give an object of strings; an empty body
 * an empty object). Returns the new value, or NULL after answering 400 in resp.
 */
json_t *perch_req_body_json(struct perch_req *req, struct perch_resp *resp);

/*
 * Reads the request body as a JSON object: JSON, application/x-www-form-urlencoded or
 * multipart/form-data (form fields become string members). An empty body is an empty object.
 * When the object has a member named wrap that is itself an object ({"feed":{…}}), that member
 * is returned instead. Returns the new object, or NULL after answering 400 in resp.
 */
json_t *perch_req_body_object(struct perch_req *req, struct perch_resp *resp, const char *wrap);

/*
 * The client's IP address as text ("unknown" when it cannot be told). When the connection
 * comes from one of trusted_proxies (comma-separated addresses), the last address of its
 * X-Forwarded-For header is the client instead.
 */
void perch_req_client_address(const struct perch_req *req, const char *trusted_proxies, char *out, size_t outlen);

/* Frees everything the request owns (not the struct itself). */
void perch_req_clear(struct perch_req *req);

#endif
