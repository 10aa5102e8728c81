/*
 * The scheduler: the time/seconds, time/millis and time/ISO-8601 topics each second, data
 * partitions made ahead of time, and retention purges (data older than the feed's or the
 * owner's retention is removed).
 */
#ifndef PERCH_SCHED_H
#define PERCH_SCHED_H

#include <stddef.h>

#include "config/config.h"
#include "ingest/ingest.h"

struct perch_sched;

struct perch_sched *perch_sched_start(const struct perch_config *cfg, struct perch_ingest *ing,
		char *err, size_t errlen);
void perch_sched_stop(struct perch_sched *s);

#endif
