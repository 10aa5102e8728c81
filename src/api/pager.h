/*
 * Pagination of data lists as Adafruit IO does it: an opaque `before` cursor and a Link header
 * with Adafruit's quirk, `<current-url>; rel="next", <next-url>`, which Adafruit's Python client
 * reads with the regex `rel="next", <(.+?)>`. The last page carries `<current-url>; rel="self"`
 * only, so that regex finds nothing and the client stops.
 */
#ifndef PERCH_API_PAGER_H
#define PERCH_API_PAGER_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"

#define PERCH_CURSOR_MAX 64

/* The cursor of a point: "created_us:id" as unpadded base64url. Returns 0, or -1 if out is short. */
int perch_cursor_encode(int64_t created_us, int64_t id, char *out, size_t outlen);

/* Reads a cursor back. Returns 0, or -1 when it is not one perch made. */
int perch_cursor_decode(const char *cursor, int64_t *created_us, int64_t *id);

/*
 * "http://host:port" of this request, from its Host header (and X-Forwarded-Proto behind a
 * proxy), else public_url, else "http://localhost".
 */
void perch_page_origin(const struct perch_req *req, const char *public_url, char *out, size_t outlen);

/*
 * The URL of this list with before=cursor (none when cursor is NULL): the request's path and
 * query parameters, minus any key (a secret never goes into a URL perch writes) and any
 * previous `before`. Returns a malloc'd string, or NULL when out of memory.
 */
char *perch_page_url(const struct perch_req *req, const char *origin, const char *cursor);

/* The Link header: with a next page, the quirk form; without, the current page as rel="self". */
char *perch_page_link(const char *current_url, const char *next_url);

#endif
