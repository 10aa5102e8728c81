/* A token bucket: the per-user message rate (DESIGN.md, "Limits"). Not thread-safe by itself. */
#ifndef PERCH_RATELIMIT_H
#define PERCH_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct perch_bucket {
	double tokens;
	int64_t last_ns; /* monotonic time of the last refill */
};

/* The burst a bucket holds for a rate: half a second's worth, at least one message. */
double perch_bucket_burst(double rate);

/* Starts a full bucket. */
void perch_bucket_init(struct perch_bucket *b, double rate, int64_t now_ns);

/* Refills for the time passed and takes one token; false when the bucket is empty. */
bool perch_bucket_take(struct perch_bucket *b, double rate, int64_t now_ns);

/* Monotonic clock in nanoseconds. */
int64_t perch_now_ns(void);

#endif
