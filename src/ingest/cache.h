/*
 * What the writer knows about users and feeds, so that a message costs no database round trip:
 * user name -> id, limits, state; and per user, feed key -> feed id. Owned and used by the
 * writer thread alone, so it needs no lock. Entries are checked again after a while (users)
 * or when the database says a feed is gone (see perch_feeds_set_last).
 */
#ifndef PERCH_INGEST_CACHE_H
#define PERCH_INGEST_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "topic.h"

#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (cache_oom = true)
#include <uthash.h>

struct ingest_feed {
	int64_t id;        /* 0: refused (feed limit) until retry_us */
	int64_t retry_us;
	UT_hash_handle hh;
	char key[];
};

struct ingest_user {
	char name[PERCH_USER_MAX + 1];
	bool exists;       /* false: no such user (remembered too, to spare the database) */
	bool disabled;
	int64_t id;
	int max_feeds;
	int64_t checked_us; /* when the database was last asked */
	struct ingest_feed *feeds;
	UT_hash_handle hh;
};

struct ingest_cache {
	struct ingest_user *users;
};

struct ingest_user *ingest_cache_user(struct ingest_cache *c, const char *name);

/*
 * Records what the database said about a user (exists false: no such user), creating the
 * entry when needed. A user whose id changed loses its feeds. NULL when out of memory.
 */
struct ingest_user *ingest_cache_put_user(struct ingest_cache *c, const char *name, bool exists,
		bool disabled, int64_t id, int max_feeds, int64_t now_us);

struct ingest_feed *ingest_cache_feed(struct ingest_user *u, const char *key);
/* Adds or updates u's feed key. NULL when out of memory. */
struct ingest_feed *ingest_cache_put_feed(struct ingest_user *u, const char *key, int64_t id, int64_t retry_us);
void ingest_cache_drop_feed(struct ingest_user *u, const char *key);

void ingest_cache_free(struct ingest_cache *c);

#endif
