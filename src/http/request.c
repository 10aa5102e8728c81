#include "http/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/url.h"

#define FORM_FIELDS_MAX 256

void perch_resp_init(struct perch_resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->fd = -1;
}

void perch_resp_clear(struct perch_resp *resp)
{
	free(resp->body);
	if(resp->fd >= 0){
		close(resp->fd);
	}
	for(size_t i = 0; i < resp->nheaders; i++){
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	perch_resp_init(resp);
}

void perch_resp_header(struct perch_resp *resp, const char *name, const char *value)
{
	struct perch_header *h;

	if(resp->nheaders == PERCH_HTTP_MAX_HEADERS){
		return;
	}
	h = &resp->headers[resp->nheaders];
	h->name = strdup(name);
	h->value = strdup(value);
	if(!h->name || !h->value){
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return;
	}
	resp->nheaders++;
}

/* Replaces any body already set (a handler may answer an error after starting a success). */
static void set_body(struct perch_resp *resp, unsigned status, const char *content_type, char *body, size_t len)
{
	free(resp->body);
	if(resp->fd >= 0){
		close(resp->fd);
		resp->fd = -1;
	}
	resp->status = status;
	resp->content_type = content_type;
	resp->body = body;
	resp->body_len = len;
}

void perch_resp_json(struct perch_resp *resp, unsigned status, json_t *json)
{
	char *text = json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15)) : NULL;

	json_decref(json);
	if(!text){
		static const char fallback[] = "{\"error\":\"internal error: cannot encode the response\"}";
		perch_resp_text(resp, 500, "application/json; charset=utf-8", fallback, sizeof(fallback) - 1);
		return;
	}
	set_body(resp, status, "application/json; charset=utf-8", text, strlen(text));
}

void perch_resp_error(struct perch_resp *resp, unsigned status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* json_string refuses invalid UTF-8 (a message may quote client input): fall back */
	json_t *text = json_string(msg);
	perch_resp_json(resp, status, json_pack("{s:o}", "error", text ? text : json_string("invalid request")));
}

void perch_resp_text(struct perch_resp *resp, unsigned status, const char *content_type,
		const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if(!copy){
		set_body(resp, 500, content_type, NULL, 0);
		return;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	set_body(resp, status, content_type, copy, len);
}

void perch_resp_file(struct perch_resp *resp, int fd, uint64_t size, const char *content_type)
{
	set_body(resp, 200, content_type, NULL, 0);
	resp->fd = fd;
	resp->fd_size = size;
}

const char *perch_req_header(const struct perch_req *req, const char *name)
{
	if(!req->conn){
		return NULL;
	}
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *perch_req_query(const struct perch_req *req, const char *name)
{
	for(size_t i = 0; i < req->nquery; i++){
		if(strcasecmp(req->query[i].key, name) == 0){
			return req->query[i].value;
		}
	}
	return NULL;
}

const char *perch_req_param(const struct perch_req *req, const char *name)
{
	for(size_t i = 0; i < req->nparams; i++){
		if(strcmp(req->params[i].name, name) == 0){
			return req->params[i].value;
		}
	}
	return NULL;
}

static bool content_type_is(const struct perch_req *req, const char *type)
{
	const char *ct = perch_req_header(req, "Content-Type");
	size_t n = strlen(type);
	return ct && strncasecmp(ct, type, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Form fields become string members; fields that are not UTF-8 text are refused. */
static json_t *form_object(const struct perch_req *req)
{
	struct perch_kv *kv = calloc(FORM_FIELDS_MAX, sizeof(*kv));
	json_t *obj = json_object();
	int n = -1;

	if(kv && obj){
		n = perch_url_parse_pairs(req->body, req->body_len, kv, FORM_FIELDS_MAX);
	}
	for(int i = 0; i < n && obj; i++){
		json_t *v = json_string(kv[i].value);
		if(!v || json_object_set_new(obj, kv[i].key, v) != 0){
			json_decref(obj);
			obj = NULL;
		}
	}
	for(size_t i = 0; kv && i < FORM_FIELDS_MAX && kv[i].key; i++){
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	if(n < 0){
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* libmicrohttpd hands a field's value in pieces: append each one to the member. */
static enum MHD_Result multipart_field(void *cls, enum MHD_ValueKind kind, const char *key,
		const char *filename, const char *content_type, const char *transfer_encoding,
		const char *data, uint64_t off, size_t size)
{
	json_t *obj = cls;
	json_t *old = json_object_get(obj, key);
	size_t oldlen = off > 0 && json_is_string(old) ? json_string_length(old) : 0;
	char *joined = malloc(oldlen + size + 1);
	json_t *v;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if(!joined){
		return MHD_NO;
	}
	if(oldlen){
		memcpy(joined, json_string_value(old), oldlen);
	}
	memcpy(joined + oldlen, data, size);
	joined[oldlen + size] = '\0';
	v = json_stringn(joined, oldlen + size);
	free(joined);
	if(!v){
		return MHD_NO;
	}
	return json_object_set_new(obj, key, v) == 0 ? MHD_YES : MHD_NO;
}

static json_t *multipart_object(struct perch_req *req)
{
	json_t *obj = json_object();
	struct MHD_PostProcessor *pp = obj ? MHD_create_post_processor(req->conn, 16 * 1024, multipart_field, obj) : NULL;
	enum MHD_Result ok;

	if(!pp){
		json_decref(obj);
		return NULL;
	}
	ok = MHD_post_process(pp, req->body, req->body_len);
	MHD_destroy_post_processor(pp);
	if(ok != MHD_YES){
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* The first character that is not white space, or '\0'. */
static char body_first(const struct perch_req *req)
{
	for(size_t i = 0; i < req->body_len; i++){
		if(!strchr(" \t\r\n", req->body[i])){
			return req->body[i];
		}
	}
	return '\0';
}

static json_t *json_body(const struct perch_req *req, struct perch_resp *resp)
{
	json_error_t jerr;
	json_t *root = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &jerr);

	if(!root){
		perch_resp_error(resp, 400, "the body is not valid JSON: %s (line %d, column %d)",
				jerr.text, jerr.line, jerr.column);
	}
	return root;
}

json_t *perch_req_body_json(struct perch_req *req, struct perch_resp *resp)
{
	char first = body_first(req);
	json_t *root;

	if(first == '\0'){
		return json_object();
	}
	if(content_type_is(req, "multipart/form-data")){
		root = req->conn ? multipart_object(req) : NULL;
	}else if(content_type_is(req, "application/x-www-form-urlencoded") && first != '{' && first != '['){
		root = form_object(req);
	}else{
		/*
		 * JSON, also when it came with a form's content type: curl -d sends that type unless
		 * told otherwise, and a form body never starts with '{' or '['.
		 */
		return json_body(req, resp);
	}
	if(!root){
		perch_resp_error(resp, 400, "the form body cannot be read (fields must be UTF-8 text)");
	}
	return root;
}

json_t *perch_req_body_object(struct perch_req *req, struct perch_resp *resp, const char *wrap)
{
	json_t *root = perch_req_body_json(req, resp);
	json_t *inner;

	if(!root){
		return NULL;
	}
	if(!json_is_object(root)){
		json_decref(root);
		perch_resp_error(resp, 400, "the body must be a JSON object");
		return NULL;
	}
	inner = wrap ? json_object_get(root, wrap) : NULL;
	if(json_is_object(inner)){
		json_incref(inner);
		json_decref(root);
		return inner;
	}
	return root;
}

void perch_req_clear(struct perch_req *req)
{
	free(req->raw_path);
	free(req->raw_query);
	for(size_t i = 0; i < req->nsegs; i++){
		free(req->segs[i]);
	}
	for(size_t i = 0; i < req->nquery; i++){
		free(req->query[i].key);
		free(req->query[i].value);
	}
	free(req->body);
	memset(req, 0, sizeof(*req));
}

/* Is addr one of the comma-separated entries of list? */
static bool in_list(const char *list, const char *addr)
{
	size_t n = strlen(addr);
	const char *p = list;

	while(p && *p){
		size_t len;
		while(*p == ' ' || *p == ','){
			p++;
		}
		len = strcspn(p, ", ");
		if(len == n && len > 0 && strncmp(p, addr, n) == 0){
			return true;
		}
		p += len;
	}
	return false;
}

/* The last entry of an X-Forwarded-For header (the one the trusted proxy itself added). */
static bool forwarded_for(const char *header, char *out, size_t outlen)
{
	const char *last = strrchr(header, ',');
	size_t len;

	last = last ? last + 1 : header;
	while(*last == ' '){
		last++;
	}
	len = strcspn(last, " ");
	if(len == 0 || len >= outlen || len > 45){
		return false;
	}
	memcpy(out, last, len);
	out[len] = '\0';
	return true;
}

void perch_req_client_address(const struct perch_req *req, const char *trusted_proxies, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *info = req->conn ?
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;

	snprintf(out, outlen, "unknown");
	if(!info || !info->client_addr){
		return;
	}
	if(getnameinfo(info->client_addr, info->client_addr->sa_family == AF_INET6 ?
			sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
			out, (socklen_t)outlen, NULL, 0, NI_NUMERICHOST) != 0){
		snprintf(out, outlen, "unknown");
		return;
	}
	if(trusted_proxies && *trusted_proxies && in_list(trusted_proxies, out)){
		const char *xff = perch_req_header(req, "X-Forwarded-For");
		if(xff){
			forwarded_for(xff, out, outlen);
		}
	}
}
