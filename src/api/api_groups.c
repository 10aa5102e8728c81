/*
 * POST /api/v2/{u}/groups/{g}/data: several feeds of a group at once,
 * {"feeds":[{"key":"k","value":"v"},…],"location":{"lat":…,"lon":…},"created_at":"…"}.
 * Like Adafruit, missing feeds are created (as "g.k", within the feed limit); the answer is the
 * array of stored points.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/shape.h"
#include "payload.h"
#include "store/feeds.h"

/* The group key of the path, normalised; -1 after answering 404. */
static int group_key(struct perch_api_ctx *c, char *out, size_t outlen)
{
	const char *g = perch_req_param(c->req, "group");

	if(!g || perch_feed_key_normalize(g, strlen(g), out, outlen) != 0 || strchr(out, '.')){
		perch_resp_error(c->resp, 404, "not found: no such group");
		return -1;
	}
	return 0;
}

/* Finds or creates feed "g.k"; loads it into f. Returns -1 after answering. */
static int group_feed(struct perch_api_ctx *c, const char *gkey, const struct perch_group_item *it,
		struct perch_feed_rec *f)
{
	char key[PERCH_KEY_MAX * 2 + 2], err[256];
	bool down = false;
	int64_t id = 0;
	int rc;

	if((size_t)snprintf(key, sizeof(key), "%s.%s", gkey, it->key) > PERCH_KEY_MAX){
		perch_resp_error(c->resp, 422, "a group key and a feed key are at most 128 characters each");
		return -1;
	}
	rc = perch_feed_find_or_create(c->db, c->user.id, key, it->name, NULL, true, &id, err, sizeof(err));
	if(rc == 2){
		perch_resp_error(c->resp, 422, "feed limit reached: %d feeds at most", c->user.max_feeds);
		return -1;
	}
	if(rc == 0){
		rc = perch_q_feed_get(c->db, c->user.id, id, f, &down, err, sizeof(err));
	}else{
		down = PQstatus(c->db) == CONNECTION_BAD;
	}
	if(rc != 0){
		perch_api_db_error(c, down, rc == 1 ? "feed vanished after creation" : err);
		return -1;
	}
	return 0;
}

/* Stores one item and appends its JSON to list. Returns -1 after answering. */
static int store_item(struct perch_api_ctx *c, const char *gkey, struct perch_group_item *it, json_t *list)
{
	struct perch_feed_rec f;
	struct perch_data_rec rec = { 0 };
	char err[256], topic[PERCH_TOPIC_MAX + PERCH_USER_MAX + 16];

	if(group_feed(c, gkey, it, &f) != 0){
		return -1;
	}
	if(perch_data_insert(c->db, f.id, &it->datum, &rec.id, &rec.created_us, err, sizeof(err)) != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		perch_feed_rec_clear(&f);
		return -1;
	}
	rec.value = it->datum.value;
	rec.has_lat = it->datum.has_lat;
	rec.has_lon = it->datum.has_lon;
	rec.has_ele = it->datum.has_ele;
	rec.lat = it->datum.lat;
	rec.lon = it->datum.lon;
	rec.ele = it->datum.ele;
	json_array_append_new(list, perch_shape_data(&rec, &f));
	if(c->env->ing){
		snprintf(topic, sizeof(topic), "%s/feeds/%s", c->user.username, f.key);
		perch_ingest_publish(c->env->ing, topic, rec.value, strlen(rec.value), 1, false);
	}
	perch_feed_rec_clear(&f);
	return 0;
}

void perch_api_group_data(struct perch_api_ctx *c)
{
	char gkey[PERCH_KEY_MAX + 1], err[256];
	struct perch_group_item *items = NULL;
	size_t n = 0, i;
	json_t *list;

	if(group_key(c, gkey, sizeof(gkey)) != 0){
		return;
	}
	if(perch_group_parse(PERCH_FMT_JSON, c->req->body ? c->req->body : "", c->req->body_len,
			perch_api_max_value(c), &items, &n, err, sizeof(err)) != 0){
		perch_resp_error(c->resp, 422, "%s", perch_api_reason(err));
		return;
	}
	if(perch_api_throttle(c, (int)n) != 0){
		perch_group_free(items, n);
		return;
	}
	list = json_array();
	for(i = 0; list && i < n; i++){
		if(store_item(c, gkey, &items[i], list) != 0){
			break;
		}
	}
	if(!list){
		perch_resp_error(c->resp, 500, "out of memory");
	}else if(i == n){
		perch_resp_json(c->resp, 200, list);
	}else{
		json_decref(list);
	}
	perch_group_free(items, n);
}
