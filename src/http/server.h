/*
 * The HTTP server (libmicrohttpd): the REST API (Adafruit IO v2 compatible under /api/v2,
 * perch's own under /api), /healthz, /metrics, and the built web app.
 */
#ifndef PERCH_HTTP_SERVER_H
#define PERCH_HTTP_SERVER_H

#include <stddef.h>

#include "config/config.h"
#include "ingest/ingest.h"
#include "store/db.h"

struct perch_http;

struct perch_http *perch_http_start(const struct perch_config *cfg, struct perch_db_pool *pool,
		struct perch_ingest *ing, char *err, size_t errlen);
void perch_http_stop(struct perch_http *http);

#endif
