/* Chart planning: the resolution and the source of the aggregates (see chart.h). */
#include "api/chart.h"

#define US_PER_HOUR INT64_C(3600000000)

/* Adafruit's resolutions, then coarser ones for long ranges. */
static const int steps[] = { 1, 5, 10, 30, 60, 120, 240, 480, 960, 1440, 2880, 10080, 43200 };

static int64_t buckets(int64_t range_us, int resolution)
{
	int64_t width = (int64_t)resolution * 60000000;
	return (range_us + width - 1) / width;
}

static int auto_resolution(int64_t range_us)
{
	size_t n = sizeof(steps) / sizeof(steps[0]);

	for(size_t i = 0; i < n; i++){
		if(buckets(range_us, steps[i]) <= PERCH_CHART_AUTO_POINTS){
			return steps[i];
		}
	}
	return steps[n - 1];
}

int perch_chart_plan(int64_t start_us, int64_t end_us, int resolution, struct perch_chart_plan *out)
{
	int64_t range = end_us - start_us;
	int64_t rem;

	if(range <= 0 || range > (int64_t)PERCH_CHART_MAX_HOURS * US_PER_HOUR || resolution < 0){
		return -1;
	}
	if(resolution == 0){
		resolution = auto_resolution(range);
	}else if(resolution > 60 && resolution % 60 != 0){
		/* whole hours can be read from the hourly rollups, several times cheaper over weeks */
		resolution -= resolution % 60;
	}
	while(buckets(range, resolution) > PERCH_CHART_MAX_POINTS){
		resolution *= 2;
	}
	out->resolution = resolution;
	out->bucket_s = (int64_t)resolution * 60;
	/* buckets are aligned to the epoch so that rollup buckets fall wholly inside one */
	rem = start_us % (out->bucket_s * 1000000);
	out->start_us = start_us - (rem < 0 ? rem + out->bucket_s * 1000000 : rem);
	out->end_us = end_us;
	if(range <= PERCH_CHART_RAW_RANGE_US){
		out->source = PERCH_CHART_RAW;
	}else if(out->bucket_s % 3600 == 0){
		out->source = PERCH_CHART_HOUR;
	}else{
		out->source = PERCH_CHART_MINUTE;
	}
	return 0;
}

