#include "ingest/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_feeds(struct ingest_user *u)
{
	struct ingest_feed *f, *tmp;

	HASH_ITER(hh, u->feeds, f, tmp){
		HASH_DEL(u->feeds, f);
		free(f);
	}
}

struct ingest_user *ingest_cache_user(struct ingest_cache *c, const char *name)
{
	struct ingest_user *u = NULL;
	HASH_FIND_STR(c->users, name, u);
	return u;
}

struct ingest_user *ingest_cache_put_user(struct ingest_cache *c, const char *name, bool exists,
		bool disabled, int64_t id, int max_feeds, int64_t now_us)
{
	struct ingest_user *u = ingest_cache_user(c, name);
	bool cache_oom = false;

	if(!u){
		u = calloc(1, sizeof(*u));
		if(!u){
			return NULL;
		}
		snprintf(u->name, sizeof(u->name), "%s", name);
		HASH_ADD_STR(c->users, name, u);
		if(cache_oom){
			free(u);
			return NULL;
		}
	}
	if(!exists || u->id != id){
		/* a user deleted and made again has other feeds under the same keys */
		free_feeds(u);
	}
	u->exists = exists;
	u->disabled = disabled;
	u->id = exists ? id : 0;
	u->max_feeds = max_feeds;
	u->checked_us = now_us;
	return u;
}

struct ingest_feed *ingest_cache_feed(struct ingest_user *u, const char *key)
{
	struct ingest_feed *f = NULL;
	HASH_FIND_STR(u->feeds, key, f);
	return f;
}

struct ingest_feed *ingest_cache_put_feed(struct ingest_user *u, const char *key, int64_t id, int64_t retry_us)
{
	struct ingest_feed *f = ingest_cache_feed(u, key);
	bool cache_oom = false;

	if(!f){
		size_t len = strlen(key);
		f = calloc(1, sizeof(*f) + len + 1);
		if(!f){
			return NULL;
		}
		memcpy(f->key, key, len + 1);
		HASH_ADD_KEYPTR(hh, u->feeds, f->key, len, f);
		if(cache_oom){
			free(f);
			return NULL;
		}
	}
	f->id = id;
	f->retry_us = retry_us;
	return f;
}

void ingest_cache_drop_feed(struct ingest_user *u, const char *key)
{
	struct ingest_feed *f = ingest_cache_feed(u, key);
	if(f){
		HASH_DEL(u->feeds, f);
		free(f);
	}
}

void ingest_cache_free(struct ingest_cache *c)
{
	struct ingest_user *u, *tmp;

	HASH_ITER(hh, c->users, u, tmp){
		free_feeds(u);
		HASH_DEL(c->users, u);
		free(u);
	}
}
