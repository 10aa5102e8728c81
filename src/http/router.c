#include "http/router.h"

#include <stdio.h>
#include <string.h>

/*
 * Matches the pattern against the segments, segment by segment, without copying the
 * pattern. Captures go into params (at most PERCH_HTTP_MAX_PARAMS).
 */
static bool pattern_match(const char *pattern, char *const *segs, size_t nsegs,
		struct perch_param *params, size_t *nparams)
{
	const char *p = pattern;
	size_t i = 0;

	*nparams = 0;
	for(;;){
		const char *end;
		size_t len;
		while(*p == '/'){
			p++;
		}
		if(*p == '\0'){
			return i == nsegs;
		}
		if(i == nsegs){
			return false;
		}
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if(*p == ':'){
			struct perch_param *cap;
			if(*nparams == PERCH_HTTP_MAX_PARAMS || len - 1 >= sizeof(cap->name)){
				return false;
			}
			cap = &params[(*nparams)++];
			memcpy(cap->name, p + 1, len - 1);
			cap->name[len - 1] = '\0';
			cap->value = segs[i];
		}else if(strlen(segs[i]) != len || memcmp(segs[i], p, len) != 0){
			return false;
		}
		i++;
		p += len;
	}
}

static bool method_match(const char *route_method, const char *method)
{
	if(strcmp(route_method, method) == 0){
		return true;
	}
	/* HEAD is a GET without the body; libmicrohttpd leaves the body out itself */
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

/* Adds method to the comma-separated list unless it is already there. */
static void allow_add(char *allow, size_t allowlen, const char *method)
{
	size_t mlen = strlen(method);
	size_t n = strlen(allow);

	for(const char *p = allow; (p = strstr(p, method)) != NULL; p += mlen){
		bool starts = p == allow || p[-1] == ' ';
		bool ends = p[mlen] == ',' || p[mlen] == '\0';
		if(starts && ends){
			return;
		}
	}
	snprintf(allow + n, allowlen - n, "%s%s", n ? ", " : "", method);
}

enum perch_route_result perch_route_find(const struct perch_route *routes, size_t nroutes,
		struct perch_req *req, const struct perch_route **found, char *allow, size_t allowlen)
{
	struct perch_param params[PERCH_HTTP_MAX_PARAMS];
	size_t nparams;
	bool path_known = false;

	allow[0] = '\0';
	for(size_t i = 0; i < nroutes; i++){
		if(!pattern_match(routes[i].pattern, req->segs, req->nsegs, params, &nparams)){
			continue;
		}
		if(method_match(routes[i].method, req->method)){
			memcpy(req->params, params, nparams * sizeof(params[0]));
			req->nparams = nparams;
			*found = &routes[i];
			return PERCH_ROUTE_FOUND;
		}
		path_known = true;
		allow_add(allow, allowlen, routes[i].method);
		if(strcmp(routes[i].method, "GET") == 0){
			allow_add(allow, allowlen, "HEAD");
		}
	}
	if(!path_known){
		return PERCH_ROUTE_NO_PATH;
	}
	allow_add(allow, allowlen, "OPTIONS");
	return PERCH_ROUTE_NO_METHOD;
}

void perch_route_strip_json(struct perch_req *req)
{
	char *last;
	size_t len;

	if(req->nsegs == 0){
		return;
	}
	last = req->segs[req->nsegs - 1];
	len = strlen(last);
	if(len > 5 && strcmp(last + len - 5, ".json") == 0){
		last[len - 5] = '\0';
	}
}
