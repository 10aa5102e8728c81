/*
 * Request targets: splitting a path into decoded segments, decoding query strings and forms,
 * and encoding text back into URLs (pagination links).
 */
#ifndef PERCH_HTTP_URL_H
#define PERCH_HTTP_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "http/request.h"

/*
 * Splits a raw request target ("/api/v2/alice//feeds/?x=1") into req->raw_path, req->raw_query
 * and decoded segments, dropping empty segments (trailing and double slashes, as Adafruit's
 * Python client sends them). A segment whose escape decodes to '/' or NUL, or is broken,
 * sets req->path_bad; more than PERCH_HTTP_MAX_SEGS segments set req->path_long.
 * An absolute-form target ("http://host/path") is reduced to its path.
 * Returns 0, or -1 when out of memory.
 */
int perch_url_split(struct perch_req *req, const char *target);

/*
 * Decodes a query string or an application/x-www-form-urlencoded body into kv pairs ('+' is a
 * space; a broken escape is kept as written). Stops after max pairs.
 * Returns the number of pairs, or -1 when out of memory (pairs already stored stay owned by kv).
 */
int perch_url_parse_pairs(const char *s, size_t len, struct perch_kv *kv, size_t max);

/*
 * Adds a query parameter given still percent-encoded (a NULL value is ""). Returns 0, 1 when
 * the table is full (the parameter is dropped), -1 when out of memory.
 */
int perch_url_add_query(struct perch_req *req, const char *key, const char *value);

/* Percent-decodes src[0..len) into a new string. *bad is set for %00, %2F or a broken escape. */
char *perch_url_decode(const char *src, size_t len, bool plus_is_space, bool *bad);

/*
 * Appends the percent-encoded form of s to out (size outlen, always NUL-terminated).
 * Unreserved characters (RFC 3986) stay as they are. Returns false when out is too small.
 */
bool perch_url_encode_append(char *out, size_t outlen, const char *s);

/* True when the last segment of the path names a file ("app.js"), i.e. it contains a dot. */
bool perch_url_has_extension(const struct perch_req *req);

#endif
