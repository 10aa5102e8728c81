#include "auth/login_guard.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#define FREE_FAILURES 5          /* failures allowed before any wait */
#define MAX_WAIT_S (15 * 60)
#define FORGET_AFTER_S (60 * 60) /* a record untouched this long is dropped */
#define MAX_RECORDS 100000       /* bound memory under a flood of made-up names */

struct record {
	char key[400];               /* "a:<account>" or "i:<address>" */
	int failures;
	int64_t blocked_until;
	int64_t last_seen;
	UT_hash_handle hh;
};

struct perch_login_guard {
	pthread_mutex_t lock;
	struct record *records;
};

struct perch_login_guard *perch_login_guard_new(void)
{
	struct perch_login_guard *g = calloc(1, sizeof(*g));
	if(g){
		pthread_mutex_init(&g->lock, NULL);
	}
	return g;
}

void perch_login_guard_free(struct perch_login_guard *g)
{
	struct record *r, *tmp;
	if(!g){
		return;
	}
	HASH_ITER(hh, g->records, r, tmp){
		HASH_DEL(g->records, r);
		free(r);
	}
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static void make_key(char *key, size_t len, char kind, const char *value)
{
	snprintf(key, len, "%c:%.390s", kind, value ? value : "");
}

static int wait_for(struct perch_login_guard *g, const char *key, int64_t now_s)
{
	struct record *r;
	HASH_FIND_STR(g->records, key, r);
	return (r && r->blocked_until > now_s) ? (int)(r->blocked_until - now_s) : 0;
}

int perch_login_guard_wait(struct perch_login_guard *g, const char *account, const char *address, int64_t now_s)
{
	char ka[400], ki[400];
	int wa, wi;

	make_key(ka, sizeof(ka), 'a', account);
	make_key(ki, sizeof(ki), 'i', address);
	pthread_mutex_lock(&g->lock);
	wa = wait_for(g, ka, now_s);
	wi = wait_for(g, ki, now_s);
	pthread_mutex_unlock(&g->lock);
	return wa > wi ? wa : wi;
}

static void forget_old(struct perch_login_guard *g, int64_t now_s)
{
	struct record *r, *tmp;
	HASH_ITER(hh, g->records, r, tmp){
		if(now_s - r->last_seen > FORGET_AFTER_S){
			HASH_DEL(g->records, r);
			free(r);
		}
	}
}

static void count_failure(struct perch_login_guard *g, const char *key, int free_failures, int64_t now_s)
{
	struct record *r;
	HASH_FIND_STR(g->records, key, r);
	if(!r){
		if(HASH_COUNT(g->records) >= MAX_RECORDS){
			forget_old(g, now_s);
			if(HASH_COUNT(g->records) >= MAX_RECORDS){
				return;
			}
		}
		r = calloc(1, sizeof(*r));
		if(!r){
			return;
		}
		snprintf(r->key, sizeof(r->key), "%s", key);
		HASH_ADD_STR(g->records, key, r);
	}
	r->failures++;
	r->last_seen = now_s;
	if(r->failures > free_failures){
		int shift = r->failures - free_failures - 1;
		int64_t wait = shift >= 10 ? MAX_WAIT_S : (1LL << shift);
		r->blocked_until = now_s + (wait > MAX_WAIT_S ? MAX_WAIT_S : wait);
	}
}

void perch_login_guard_failed(struct perch_login_guard *g, const char *account, const char *address, int64_t now_s)
{
	char ka[400], ki[400];

	make_key(ka, sizeof(ka), 'a', account);
	make_key(ki, sizeof(ki), 'i', address);
	pthread_mutex_lock(&g->lock);
	count_failure(g, ka, FREE_FAILURES, now_s);
	/* a classroom shares one address behind NAT: allow it more before slowing it */
	count_failure(g, ki, FREE_FAILURES * 6, now_s);
	pthread_mutex_unlock(&g->lock);
}

void perch_login_guard_succeeded(struct perch_login_guard *g, const char *account, const char *address)
{
	char ka[400];
	struct record *r;

	(void)address;
	make_key(ka, sizeof(ka), 'a', account);
	pthread_mutex_lock(&g->lock);
	HASH_FIND_STR(g->records, ka, r);
	if(r){
		HASH_DEL(g->records, r);
		free(r);
	}
	pthread_mutex_unlock(&g->lock);
}
