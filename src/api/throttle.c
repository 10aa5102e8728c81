#include "api/throttle.h"

#include <pthread.h>
#include <stdlib.h>

#include <uthash.h>

#include "ratelimit.h"

struct user_bucket {
	int64_t user_id;
	struct perch_bucket bucket;
	UT_hash_handle hh;
};

struct perch_http_throttle {
	pthread_mutex_t lock;
	struct user_bucket *users;
};

struct perch_http_throttle *perch_http_throttle_new(void)
{
	struct perch_http_throttle *t = calloc(1, sizeof(*t));
	if(t){
		pthread_mutex_init(&t->lock, NULL);
	}
	return t;
}

void perch_http_throttle_free(struct perch_http_throttle *t)
{
	struct user_bucket *u, *tmp;
	if(!t){
		return;
	}
	HASH_ITER(hh, t->users, u, tmp){
		HASH_DEL(t->users, u);
		free(u);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

/* A batch larger than the bucket can ever hold still passes when the bucket is full. */
static bool take(struct perch_bucket *b, double rate, int n, int64_t now)
{
	double burst = perch_bucket_burst(rate);
	double need = n > burst ? burst : n;

	if(!perch_bucket_take(b, rate, now)){
		return false;
	}
	if(b->tokens + 1.0 < need){
		b->tokens += 1.0; /* give back the one taken: all or nothing */
		return false;
	}
	b->tokens -= need - 1.0;
	return true;
}

bool perch_http_throttle_take(struct perch_http_throttle *t, int64_t user_id, double rate, int n)
{
	struct user_bucket *u;
	int64_t now = perch_now_ns();
	bool ok;

	pthread_mutex_lock(&t->lock);
	HASH_FIND(hh, t->users, &user_id, sizeof(user_id), u);
	if(!u){
		u = calloc(1, sizeof(*u));
		if(!u){
			pthread_mutex_unlock(&t->lock);
			return true; /* out of memory: do not refuse data for it */
		}
		u->user_id = user_id;
		perch_bucket_init(&u->bucket, rate, now);
		HASH_ADD(hh, t->users, user_id, sizeof(u->user_id), u);
	}
	ok = take(&u->bucket, rate, n, now);
	pthread_mutex_unlock(&t->lock);
	return ok;
}
