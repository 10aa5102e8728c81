/*
 * perch's router: a route is a method and a pattern of segments ("/api/v2/:user/feeds/:feed");
 * ":name" captures one segment. Routes are tried in table order, so literal routes
 * ("data/last") go before the captures that would also match ("data/:id").
 */
#ifndef PERCH_HTTP_ROUTER_H
#define PERCH_HTTP_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

struct perch_route {
	const char *method;  /* "GET", "POST", …; GET also answers HEAD */
	const char *pattern;
	void (*handler)(void); /* the owner's handler, cast back to its real type before the call */
	unsigned flags;      /* the owner's flags */
};

enum perch_route_result {
	PERCH_ROUTE_FOUND,
	PERCH_ROUTE_NO_PATH,   /* no route has this path: 404 */
	PERCH_ROUTE_NO_METHOD, /* the path exists for other methods: 405 with allow */
};

/*
 * Finds the route for req's method and segments, filling req->params on success. With
 * PERCH_ROUTE_NO_METHOD, allow receives the comma-separated methods the path accepts.
 */
enum perch_route_result perch_route_find(const struct perch_route *routes, size_t nroutes,
		struct perch_req *req, const struct perch_route **found, char *allow, size_t allowlen);

/* Drops a ".json" suffix from the last segment ("data.json" → "data"), as Adafruit accepts it. */
void perch_route_strip_json(struct perch_req *req);

#endif
