#include "api/pager.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http/url.h"

int perch_cursor_encode(int64_t created_us, int64_t id, char *out, size_t outlen)
{
	char plain[48];
	int n = snprintf(plain, sizeof(plain), "%" PRId64 ":%" PRId64, created_us, id);

	if(outlen < sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING)){
		return -1;
	}
	sodium_bin2base64(out, outlen, (const unsigned char *)plain, (size_t)n,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

/* A whole decimal number (optionally negative for times before 1970). */
static int parse_i64(const char *s, const char *end, int64_t *out)
{
	char *stop = NULL;

	if(s == end || (*s != '-' && (*s < '0' || *s > '9'))){
		return -1;
	}
	errno = 0;
	*out = strtoll(s, &stop, 10);
	return errno || stop != end ? -1 : 0;
}

int perch_cursor_decode(const char *cursor, int64_t *created_us, int64_t *id)
{
	unsigned char plain[48];
	size_t len = 0;
	char *colon;

	if(strlen(cursor) > PERCH_CURSOR_MAX
			|| sodium_base642bin(plain, sizeof(plain) - 1, cursor, strlen(cursor), NULL, &len, NULL,
				sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0){
		return -1;
	}
	plain[len] = '\0';
	colon = strchr((char *)plain, ':');
	if(!colon || parse_i64((char *)plain, colon, created_us) != 0
			|| parse_i64(colon + 1, (char *)plain + len, id) != 0 || *id < 0){
		return -1;
	}
	return 0;
}

/* Host header characters: names, IPv4, [IPv6] and a port. Anything else is not echoed. */
static bool host_safe(const char *host)
{
	size_t len = strlen(host);
	return len > 0 && len < 256 && strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_") == len;
}

void perch_page_origin(const struct perch_req *req, const char *public_url, char *out, size_t outlen)
{
	const char *host = perch_req_header(req, "Host");
	const char *proto = perch_req_header(req, "X-Forwarded-Proto");

	if(host && host_safe(host)){
		snprintf(out, outlen, "%s://%s", proto && strcasecmp(proto, "https") == 0 ? "https" : "http", host);
	}else if(public_url && *public_url){
		snprintf(out, outlen, "%s", public_url);
		/* the path is appended: no trailing slash */
		for(size_t n = strlen(out); n > 0 && out[n - 1] == '/'; n--){
			out[n - 1] = '\0';
		}
	}else{
		snprintf(out, outlen, "http://localhost");
	}
}

static bool kept_param(const char *name)
{
	return strcasecmp(name, "x-aio-key") != 0 && strcasecmp(name, "before") != 0;
}

/* An upper bound of the URL's length: every character percent-encoded. */
static size_t url_bound(const struct perch_req *req, const char *origin, const char *cursor)
{
	size_t n = strlen(origin) + (cursor ? strlen(cursor) * 3 + 8 : 0) + 1;

	for(size_t i = 0; i < req->nsegs; i++){
		n += strlen(req->segs[i]) * 3 + 1;
	}
	for(size_t i = 0; i < req->nquery; i++){
		n += (strlen(req->query[i].key) + strlen(req->query[i].value)) * 3 + 2;
	}
	return n;
}

static void append_param(char *url, size_t size, bool *first, const char *key, const char *value)
{
	strcat(url, *first ? "?" : "&");
	*first = false;
	perch_url_encode_append(url, size, key);
	strcat(url, "=");
	perch_url_encode_append(url, size, value);
}

char *perch_page_url(const struct perch_req *req, const char *origin, const char *cursor)
{
	size_t size = url_bound(req, origin, cursor);
	char *url = malloc(size);
	bool first = true;

	if(!url){
		return NULL;
	}
	snprintf(url, size, "%s", origin);
	for(size_t i = 0; i < req->nsegs; i++){
		strcat(url, "/");
		perch_url_encode_append(url, size, req->segs[i]);
	}
	for(size_t i = 0; i < req->nquery; i++){
		if(kept_param(req->query[i].key)){
			append_param(url, size, &first, req->query[i].key, req->query[i].value);
		}
	}
	if(cursor){
		append_param(url, size, &first, "before", cursor);
	}
	return url;
}

char *perch_page_link(const char *current_url, const char *next_url)
{
	size_t size = strlen(current_url) + (next_url ? strlen(next_url) : 0) + 32;
	char *link = malloc(size);

	if(!link){
		return NULL;
	}
	if(next_url){
		snprintf(link, size, "<%s>; rel=\"next\", <%s>", current_url, next_url);
	}else{
		snprintf(link, size, "<%s>; rel=\"self\"", current_url);
	}
	return link;
}
