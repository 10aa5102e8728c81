#include "fanout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "uthash_cfg.h"

struct perch_fanout_user {
	char name[PERCH_USER_MAX + 1];
	int subs[PERCH_FORM_COUNT];
	UT_hash_handle hh;
};

/* One counted subscription of a connection. */
struct counted {
	char *filter;
	char user[PERCH_USER_MAX + 1];
	int form;
};

struct perch_fanout_client {
	const void *client;
	struct counted *subs;
	size_t n, cap;
	UT_hash_handle hh;
};

void perch_fanout_init(struct perch_fanout *fo)
{
	fo->users = NULL;
	fo->clients = NULL;
}

static void client_free(struct perch_fanout_client *c)
{
	for(size_t i = 0; i < c->n; i++){
		free(c->subs[i].filter);
	}
	free(c->subs);
	free(c);
}

void perch_fanout_clear(struct perch_fanout *fo)
{
	struct perch_fanout_user *u, *utmp;
	struct perch_fanout_client *c, *ctmp;

	HASH_ITER(hh, fo->users, u, utmp){
		HASH_DEL(fo->users, u);
		free(u);
	}
	HASH_ITER(hh, fo->clients, c, ctmp){
		HASH_DEL(fo->clients, c);
		client_free(c);
	}
}

/* Splits "a/b/c/d" into at most 5 levels; returns the count, or -1 for more. */
static int split_levels(const char *s, const char *lv[5], size_t len[5])
{
	int n = 0;
	const char *p = s;

	for(;;){
		const char *slash = strchr(p, '/');
		if(n == 5){
			return -1;
		}
		lv[n] = p;
		len[n] = slash ? (size_t)(slash - p) : strlen(p);
		n++;
		if(!slash){
			return n;
		}
		p = slash + 1;
	}
}

static bool level_is(const char *lv, size_t len, const char *word)
{
	return strlen(word) == len && memcmp(lv, word, len) == 0;
}

/* Form of "{user}/{feeds|f}/{key}[/json|/csv]"; key may be '+' when wildcard_key. */
static int form_of(const char *s, char *user, char *key, bool wildcard_key)
{
	const char *lv[5];
	size_t len[5];
	int n = split_levels(s, lv, len), base, kind = 0;

	if(n < 3 || n > 4 || len[0] == 0 || len[0] > PERCH_USER_MAX || len[2] == 0 || len[2] > PERCH_KEY_MAX){
		return -1;
	}
	if(level_is(lv[1], len[1], "feeds")){
		base = PERCH_FORM_FEEDS_RAW;
	}else if(level_is(lv[1], len[1], "f")){
		base = PERCH_FORM_F_RAW;
	}else{
		return -1;
	}
	if(n == 4){
		if(level_is(lv[3], len[3], "json")){
			kind = 1;
		}else if(level_is(lv[3], len[3], "csv")){
			kind = 2;
		}else{
			return -1; /* …/get and anything else */
		}
	}
	if(memchr(lv[0], '+', len[0]) || memchr(lv[0], '#', len[0]) || lv[0][0] == '$'
			|| memchr(lv[2], '#', len[2]) || (!wildcard_key && memchr(lv[2], '+', len[2]))){
		return -1;
	}
	memcpy(user, lv[0], len[0]);
	user[len[0]] = '\0';
	if(key){
		memcpy(key, lv[2], len[2]);
		key[len[2]] = '\0';
	}
	return base + kind;
}

int perch_fanout_filter_form(const char *filter, char *user)
{
	if(strncmp(filter, "$share/", 7) == 0){
		return -1; /* shared subscriptions are for scaling consumers, not boards */
	}
	return form_of(filter, user, NULL, true);
}

int perch_fanout_topic_form(const char *topic, char *user, char *key)
{
	return form_of(topic, user, key, false);
}

static struct perch_fanout_user *user_get(struct perch_fanout *fo, const char *name, bool create)
{
	struct perch_fanout_user *u;
	bool hash_oom = false;

	HASH_FIND_STR(fo->users, name, u);
	if(u || !create){
		return u;
	}
	u = calloc(1, sizeof(*u));
	if(!u){
		return NULL;
	}
	snprintf(u->name, sizeof(u->name), "%s", name);
	HASH_ADD_STR(fo->users, name, u);
	if(hash_oom){
		free(u);
		return NULL;
	}
	return u;
}

static void count(struct perch_fanout *fo, const char *user, int form, int delta)
{
	struct perch_fanout_user *u = user_get(fo, user, delta > 0);
	if(u){
		u->subs[form] += delta;
		if(u->subs[form] < 0){
			u->subs[form] = 0;
		}
	}
}

static struct perch_fanout_client *client_get(struct perch_fanout *fo, const void *client, bool create)
{
	struct perch_fanout_client *c;
	bool hash_oom = false;

	HASH_FIND_PTR(fo->clients, &client, c);
	if(c || !create){
		return c;
	}
	c = calloc(1, sizeof(*c));
	if(!c){
		return NULL;
	}
	c->client = client;
	HASH_ADD_PTR(fo->clients, client, c);
	if(hash_oom){
		free(c);
		return NULL;
	}
	return c;
}

static int find_filter(const struct perch_fanout_client *c, const char *filter)
{
	for(size_t i = 0; i < c->n; i++){
		if(strcmp(c->subs[i].filter, filter) == 0){
			return (int)i;
		}
	}
	return -1;
}

int perch_fanout_subscribe(struct perch_fanout *fo, const void *client, const char *filter)
{
	char user[PERCH_USER_MAX + 1];
	int form = perch_fanout_filter_form(filter, user);
	struct perch_fanout_client *c;

	if(form < 0){
		return 0;
	}
	c = client_get(fo, client, true);
	if(!c){
		return -1;
	}
	if(find_filter(c, filter) >= 0){
		return 0; /* a repeated SUBSCRIBE replaces the subscription: count it once */
	}
	if(c->n == c->cap){
		size_t cap = c->cap ? c->cap * 2 : 4;
		struct counted *grown = realloc(c->subs, cap * sizeof(*grown));
		if(!grown){
			return -1;
		}
		c->subs = grown;
		c->cap = cap;
	}
	c->subs[c->n].filter = strdup(filter);
	if(!c->subs[c->n].filter){
		return -1;
	}
	snprintf(c->subs[c->n].user, sizeof(c->subs[c->n].user), "%s", user);
	c->subs[c->n].form = form;
	c->n++;
	count(fo, user, form, +1);
	return 0;
}

void perch_fanout_unsubscribe(struct perch_fanout *fo, const void *client, const char *filter)
{
	struct perch_fanout_client *c = client_get(fo, client, false);
	int i = c ? find_filter(c, filter) : -1;

	if(i < 0){
		return;
	}
	count(fo, c->subs[i].user, c->subs[i].form, -1);
	free(c->subs[i].filter);
	c->subs[i] = c->subs[--c->n];
}

void perch_fanout_client_gone(struct perch_fanout *fo, const void *client)
{
	struct perch_fanout_client *c = client_get(fo, client, false);

	if(!c){
		return;
	}
	for(size_t i = 0; i < c->n; i++){
		count(fo, c->subs[i].user, c->subs[i].form, -1);
	}
	HASH_DEL(fo->clients, c);
	client_free(c);
}

unsigned perch_fanout_wanted(const struct perch_fanout *fo, const char *user, int from_form)
{
	struct perch_fanout_user *u;
	unsigned bits = 0;

	HASH_FIND_STR(fo->users, user, u);
	for(int f = 0; u && f < PERCH_FORM_COUNT; f++){
		if(f != from_form && u->subs[f] > 0){
			bits |= 1u << f;
		}
	}
	return bits;
}

int perch_fanout_topic(char *out, size_t outlen, const char *user, const char *key, int form)
{
	static const char *const prefix[] = { "feeds", "feeds", "feeds", "f", "f", "f" };
	static const char *const suffix[] = { "", "/json", "/csv", "", "/json", "/csv" };
	int n;

	if(form < 0 || form >= PERCH_FORM_COUNT){
		return -1;
	}
	n = snprintf(out, outlen, "%s/%s/%s%s", user, prefix[form], key, suffix[form]);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

enum perch_format perch_fanout_format(int form)
{
	switch(form % 3){
	case 1: return PERCH_FMT_JSON;
	case 2: return PERCH_FMT_CSV;
	default: return PERCH_FMT_RAW;
	}
}

/* RFC 4180: quote a value holding a comma, a quote or a line break. */
static char *csv_line(const struct perch_datum *d)
{
	bool quote = strpbrk(d->value, ",\"\r\n") != NULL;
	size_t cap = d->value_len * 2 + 3 + 3 * 32 + 1;
	char *out = malloc(cap), *p = out;

	if(!out){
		return NULL;
	}
	if(quote){
		*p++ = '"';
	}
	for(const char *v = d->value; *v; v++){
		if(*v == '"'){
			*p++ = '"';
		}
		*p++ = *v;
	}
	if(quote){
		*p++ = '"';
	}
	*p = '\0';
	/* lat,lon,ele with empty fields when unset, as Adafruit IO sends them */
	const bool has[3] = { d->has_lat, d->has_lon, d->has_ele };
	const double val[3] = { d->lat, d->lon, d->ele };
	for(int i = 0; i < 3; i++){
		size_t used = strlen(out);
		if(has[i]){
			snprintf(out + used, cap - used, ",%.15g", val[i]);
		}else{
			snprintf(out + used, cap - used, ",");
		}
	}
	return out;
}

static char *json_text(const struct perch_datum *d)
{
	json_t *o = json_pack("{s:s}", "value", d->value);
	char *out;

	if(!o){
		return NULL;
	}
	if(d->has_lat){
		json_object_set_new(o, "lat", json_real(d->lat));
	}
	if(d->has_lon){
		json_object_set_new(o, "lon", json_real(d->lon));
	}
	if(d->has_ele){
		json_object_set_new(o, "ele", json_real(d->ele));
	}
	out = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(o);
	return out;
}

char *perch_fanout_render(int form, const struct perch_datum *d)
{
	switch(perch_fanout_format(form)){
	case PERCH_FMT_JSON:
		return json_text(d);
	case PERCH_FMT_CSV:
		return csv_line(d);
	case PERCH_FMT_RAW:
	default:
		return strdup(d->value);
	}
}
