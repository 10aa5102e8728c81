#include "ratelimit.h"

#include <time.h>

double perch_bucket_burst(double rate)
{
	double burst = rate / 2.0;
	return burst < 1.0 ? 1.0 : burst;
}

void perch_bucket_init(struct perch_bucket *b, double rate, int64_t now_ns)
{
	b->tokens = perch_bucket_burst(rate);
	b->last_ns = now_ns;
}

bool perch_bucket_take(struct perch_bucket *b, double rate, int64_t now_ns)
{
	double burst = perch_bucket_burst(rate);

	if(now_ns > b->last_ns){
		b->tokens += (double)(now_ns - b->last_ns) * rate / 1e9;
		if(b->tokens > burst){
			b->tokens = burst;
		}
		b->last_ns = now_ns;
	}
	if(b->tokens < 1.0){
		return false;
	}
	b->tokens -= 1.0;
	return true;
}

int64_t perch_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
