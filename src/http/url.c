#include "http/url.h"

#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
	if(c >= '0' && c <= '9'){
		return c - '0';
	}
	if(c >= 'a' && c <= 'f'){
		return c - 'a' + 10;
	}
	if(c >= 'A' && c <= 'F'){
		return c - 'A' + 10;
	}
	return -1;
}

char *perch_url_decode(const char *src, size_t len, bool plus_is_space, bool *bad)
{
	char *out = malloc(len + 1);
	size_t n = 0;

	if(!out){
		return NULL;
	}
	for(size_t i = 0; i < len; i++){
		char c = src[i];
		if(c == '%'){
			int hi = i + 2 < len ? hex_value(src[i + 1]) : -1;
			int lo = hi >= 0 ? hex_value(src[i + 2]) : -1;
			if(lo < 0){
				/* a broken escape stays as written; the caller decides whether that matters */
				*bad = true;
				out[n++] = c;
				continue;
			}
			c = (char)(hi * 16 + lo);
			if(c == '\0' || c == '/'){
				/* NUL would cut the string short; an encoded slash would hide a segment */
				*bad = true;
			}
			i += 2;
		}else if(c == '+' && plus_is_space){
			c = ' ';
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return out;
}

/* "http://host:port/path" → "/path"; anything else not starting with '/' → NULL. */
static const char *origin_form(const char *target)
{
	const char *p;

	if(target[0] == '/'){
		return target;
	}
	p = strstr(target, "://");
	if(!p || p - target > 8){
		return NULL;
	}
	p = strchr(p + 3, '/');
	return p ? p : "/";
}

static int split_segments(struct perch_req *req)
{
	const char *p = req->raw_path;

	while(*p){
		const char *end;
		if(*p == '/'){
			p++;
			continue;
		}
		end = strchr(p, '/');
		if(!end){
			end = p + strlen(p);
		}
		if(req->nsegs == PERCH_HTTP_MAX_SEGS){
			req->path_long = true;
			return 0;
		}
		req->segs[req->nsegs] = perch_url_decode(p, (size_t)(end - p), false, &req->path_bad);
		if(!req->segs[req->nsegs]){
			return -1;
		}
		req->nsegs++;
		p = end;
	}
	return 0;
}

int perch_url_split(struct perch_req *req, const char *target)
{
	const char *path = origin_form(target);
	const char *q;
	size_t plen;
	int n;

	if(!path){
		req->path_bad = true;
		path = "/";
	}
	q = strchr(path, '?');
	plen = q ? (size_t)(q - path) : strlen(path);
	/* a fragment is never sent by browsers, but a hand-written client might */
	if(memchr(path, '#', plen)){
		plen = (size_t)((const char *)memchr(path, '#', plen) - path);
	}
	req->raw_path = strndup(path, plen);
	if(!req->raw_path){
		return -1;
	}
	if(q){
		req->raw_query = strdup(q + 1);
		if(!req->raw_query){
			return -1;
		}
		n = perch_url_parse_pairs(req->raw_query, strlen(req->raw_query), req->query, PERCH_HTTP_MAX_QUERY);
		if(n < 0){
			return -1;
		}
		req->nquery = (size_t)n;
	}
	return split_segments(req);
}

static int parse_pair(const char *p, size_t len, struct perch_kv *kv)
{
	const char *eq = memchr(p, '=', len);
	size_t klen = eq ? (size_t)(eq - p) : len;
	bool ignored = false;

	kv->key = perch_url_decode(p, klen, true, &ignored);
	kv->value = eq ? perch_url_decode(eq + 1, len - klen - 1, true, &ignored) : strdup("");
	if(!kv->key || !kv->value){
		free(kv->key);
		free(kv->value);
		kv->key = kv->value = NULL;
		return -1;
	}
	return 0;
}

int perch_url_parse_pairs(const char *s, size_t len, struct perch_kv *kv, size_t max)
{
	size_t n = 0, i = 0;

	while(i < len && n < max){
		const char *amp = memchr(s + i, '&', len - i);
		size_t plen = amp ? (size_t)(amp - (s + i)) : len - i;
		if(plen > 0){
			if(parse_pair(s + i, plen, &kv[n]) != 0){
				return -1;
			}
			n++;
		}
		i += plen + 1;
	}
	return (int)n;
}

int perch_url_add_query(struct perch_req *req, const char *key, const char *value)
{
	struct perch_kv *kv;
	bool ignored = false;

	if(req->nquery == PERCH_HTTP_MAX_QUERY){
		return 1;
	}
	kv = &req->query[req->nquery];
	kv->key = perch_url_decode(key, strlen(key), false, &ignored);
	kv->value = perch_url_decode(value ? value : "", value ? strlen(value) : 0, false, &ignored);
	if(!kv->key || !kv->value){
		free(kv->key);
		free(kv->value);
		kv->key = kv->value = NULL;
		return -1;
	}
	req->nquery++;
	return 0;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
		|| c == '-' || c == '.' || c == '_' || c == '~';
}

bool perch_url_encode_append(char *out, size_t outlen, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(out);

	for(const unsigned char *p = (const unsigned char *)s; *p; p++){
		if(unreserved(*p)){
			if(n + 1 >= outlen){
				return false;
			}
			out[n++] = (char)*p;
		}else{
			if(n + 3 >= outlen){
				return false;
			}
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
		out[n] = '\0';
	}
	return true;
}

bool perch_url_has_extension(const struct perch_req *req)
{
	return req->nsegs > 0 && strchr(req->segs[req->nsegs - 1], '.') != NULL;
}
