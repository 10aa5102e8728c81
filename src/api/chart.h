/*
 * How a chart request is answered: the bucket width (the resolution, in minutes, chosen when
 * the client gives none) and where the aggregates come from. Short ranges aggregate the
 * points themselves; longer ones read the rollups the writer keeps (hour rollups when a
 * bucket is whole hours, minute rollups otherwise), so 30 days never scan millions of rows.
 */
#ifndef PERCH_API_CHART_H
#define PERCH_API_CHART_H

#include <stdint.h>

#include "store/query.h"

#define PERCH_CHART_MAX_HOURS (24 * 3660)    /* about ten years */
#define PERCH_CHART_AUTO_POINTS 1000          /* buckets aimed at when no resolution is given */
#define PERCH_CHART_MAX_POINTS 10000          /* a finer resolution is coarsened to this */
#define PERCH_CHART_RAW_RANGE_US INT64_C(3600000000) /* up to one hour: from the points */

struct perch_chart_plan {
	int64_t start_us;    /* aligned down to a bucket boundary */
	int64_t end_us;
	int resolution;      /* minutes per bucket */
	int64_t bucket_s;
	enum perch_chart_source source;
};

/*
 * Plans [start, end) at the given resolution (minutes; 0 chooses one). Returns 0, or -1 when
 * the range is empty, reversed or longer than PERCH_CHART_MAX_HOURS.
 */
int perch_chart_plan(int64_t start_us, int64_t end_us, int resolution, struct perch_chart_plan *out);

#endif
