/*
 * Retention: data points older than their feed's retention (the feed's own retention_days, or
 * else its owner's) are deleted; whole day partitions older than the longest retention in use
 * are dropped; minute rollups are kept at most PERCH_ROLLUP_MINUTE_DAYS (longer ranges are
 * charted from the hour rollups), hour rollups as long as the data.
 */
#ifndef PERCH_RETENTION_H
#define PERCH_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#define PERCH_ROLLUP_MINUTE_DAYS 30

/* Purges what is past its retention at now_us. Returns 0, or -1 with err (the rest still ran). */
int perch_retention_purge(PGconn *conn, int64_t now_us, char *err, size_t errlen);

#endif
