/*
 * Feeds: list, create (POST /feeds, wrapped {"feed":{…}}, bare or form), get, update
 * (PUT/PATCH), delete, details. Input is read leniently, as Adafruit's clients send it:
 * "history":"ON", "visibility":"Private", numbers as strings, every model field with nulls.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "api/shape.h"
#include "store/feeds.h"
#include "topic.h"

#define NAME_MAX_LEN 128
#define TEXT_MAX_LEN 1024
#define DESCRIPTION_MAX_LEN 4096
#define RETENTION_MAX_DAYS 3650

/* A feed change read from a request body, with the key normalised. */
struct feed_input {
	struct perch_feed_patch patch;
	char key[PERCH_KEY_MAX + 1];
};

/* Text of 1..max bytes without control characters (names and units are shown in the web app). */
static bool plain_text(const char *s, size_t max)
{
	size_t len = strlen(s);

	if(len == 0 || len > max){
		return false;
	}
	for(const unsigned char *p = (const unsigned char *)s; *p; p++){
		if(*p < 0x20 || *p == 0x7f){
			return false;
		}
	}
	return true;
}

/*
 * An optional text member: absent leaves *set false; null clears (when allowed); a string is
 * checked; numbers are taken as their text. Returns -1 after answering 422.
 */
static int text_member(struct perch_api_ctx *c, json_t *body, const char *name, size_t max,
		bool nullable, bool *set, const char **out)
{
	json_t *v = json_object_get(body, name);

	if(!v){
		return 0;
	}
	if(json_is_null(v)){
		*set = nullable;
		*out = NULL;
		return 0;
	}
	if(!json_is_string(v) || (json_string_length(v) > 0 && !plain_text(json_string_value(v), max))){
		perch_resp_error(c->resp, 422, "%s must be text of at most %zu characters", name, max);
		return -1;
	}
	*set = true;
	/* an empty unit or description is no unit or description */
	*out = json_string_length(v) > 0 ? json_string_value(v) : NULL;
	if(!*out && !nullable){
		perch_resp_error(c->resp, 422, "%s cannot be empty", name);
		return -1;
	}
	return 0;
}

/* true/false, 1/0, and the strings "ON", "off", "yes", "true", "1"… Returns -1 when unreadable. */
static int lenient_bool(json_t *v, bool *out)
{
	static const char *const yes[] = { "true", "on", "yes", "1", "t", "y", NULL };
	static const char *const no[] = { "false", "off", "no", "0", "f", "n", NULL };

	if(json_is_boolean(v)){
		*out = json_is_true(v);
		return 0;
	}
	if(json_is_integer(v)){
		*out = json_integer_value(v) != 0;
		return 0;
	}
	if(!json_is_string(v)){
		return -1;
	}
	for(int i = 0; yes[i]; i++){
		if(strcasecmp(json_string_value(v), yes[i]) == 0){
			*out = true;
			return 0;
		}
		if(strcasecmp(json_string_value(v), no[i]) == 0){
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* A positive integer given as a number or a decimal string. */
static int lenient_int(json_t *v, long long *out)
{
	char *end = NULL;

	if(json_is_integer(v)){
		*out = json_integer_value(v);
		return 0;
	}
	if(json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v)){
		*out = (long long)json_real_value(v);
		return 0;
	}
	if(!json_is_string(v)){
		return -1;
	}
	errno = 0;
	*out = strtoll(json_string_value(v), &end, 10);
	return errno || end == json_string_value(v) || *end ? -1 : 0;
}

static int read_flags(struct perch_api_ctx *c, json_t *body, struct perch_feed_patch *p)
{
	json_t *history = json_object_get(body, "history");
	json_t *vis = json_object_get(body, "visibility");

	if(history && !json_is_null(history)){
		if(lenient_bool(history, &p->history) != 0){
			perch_resp_error(c->resp, 422, "history must be true or false");
			return -1;
		}
		p->set_history = true;
	}
	if(vis && !json_is_null(vis)){
		const char *s = json_is_string(vis) ? json_string_value(vis) : "";
		if(strcasecmp(s, "private") != 0 && strcasecmp(s, "public") != 0){
			perch_resp_error(c->resp, 422, "visibility must be \"private\" or \"public\"");
			return -1;
		}
		p->visibility = strcasecmp(s, "public") == 0 ? "public" : "private";
		p->set_visibility = true;
	}
	return 0;
}

static int read_retention(struct perch_api_ctx *c, json_t *body, struct perch_feed_patch *p)
{
	json_t *v = json_object_get(body, "retention_days");
	long long days;

	if(!v){
		return 0;
	}
	p->set_retention = true;
	if(json_is_null(v)){
		p->retention_days = 0; /* back to the owner's retention */
		return 0;
	}
	if(lenient_int(v, &days) != 0 || days < 1 || days > RETENTION_MAX_DAYS){
		perch_resp_error(c->resp, 422, "retention_days must be a number of days from 1 to %d, or null",
				RETENTION_MAX_DAYS);
		return -1;
	}
	p->retention_days = (int)days;
	return 0;
}

/* A name shows in the web app and becomes a key: it needs a letter or a digit. */
static bool name_valid(const char *name)
{
	if(!plain_text(name, NAME_MAX_LEN)){
		return false;
	}
	for(const char *p = name; *p; p++){
		if(isalnum((unsigned char)*p)){
			return true;
		}
	}
	return false;
}

static int read_name_key(struct perch_api_ctx *c, json_t *body, struct feed_input *in)
{
	struct perch_feed_patch *p = &in->patch;
	json_t *key = json_object_get(body, "key");

	if(text_member(c, body, "name", NAME_MAX_LEN, false, &p->set_name, &p->name) != 0){
		return -1;
	}
	if(p->set_name && !name_valid(p->name)){
		perch_resp_error(c->resp, 422, "name must contain a letter or a digit and no control characters");
		return -1;
	}
	if(key && !json_is_null(key)){
		const char *k = json_is_string(key) ? json_string_value(key) : "";
		if(perch_feed_key_normalize(k, strlen(k), in->key, sizeof(in->key)) != 0){
			perch_resp_error(c->resp, 422, "key may contain only letters, digits, '-' and '_' "
					"(and one '.' after a group key), at most 128 characters");
			return -1;
		}
		p->key = in->key;
		p->set_key = true;
	}
	return 0;
}

/* Reads every writable member of a feed; returns -1 after answering 422. */
static int read_feed_input(struct perch_api_ctx *c, json_t *body, struct feed_input *in)
{
	struct perch_feed_patch *p = &in->patch;

	memset(in, 0, sizeof(*in));
	if(read_name_key(c, body, in) != 0
			|| text_member(c, body, "description", DESCRIPTION_MAX_LEN, true, &p->set_description, &p->description)
			|| text_member(c, body, "unit_type", TEXT_MAX_LEN, true, &p->set_unit_type, &p->unit_type)
			|| text_member(c, body, "unit_symbol", TEXT_MAX_LEN, true, &p->set_unit_symbol, &p->unit_symbol)
			|| text_member(c, body, "license", TEXT_MAX_LEN, true, &p->set_license, &p->license)
			|| read_flags(c, body, p) != 0 || read_retention(c, body, p) != 0){
		return -1;
	}
	return 0;
}

/* Answers 200/201 with the feed as it is now in the database. */
static void answer_feed(struct perch_api_ctx *c, unsigned status, int64_t feed_id)
{
	struct perch_feed_rec f;
	char err[256];
	bool down = false;
	int rc = perch_q_feed_get(c->db, c->user.id, feed_id, &f, &down, err, sizeof(err));

	if(rc == 1){
		perch_resp_error(c->resp, 404, "not found: the feed was deleted meanwhile");
		return;
	}
	if(rc != 0){
		perch_api_db_error(c, down, err);
		return;
	}
	perch_resp_json(c->resp, status, perch_shape_feed(&f, c->user.username));
	perch_feed_rec_clear(&f);
}

void perch_api_feeds_list(struct perch_api_ctx *c)
{
	struct perch_feed_rec *feeds = NULL;
	size_t n = 0;
	char err[256];
	bool down = false;
	json_t *list;

	if(perch_q_feed_list(c->db, c->user.id, &feeds, &n, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return;
	}
	list = json_array();
	for(size_t i = 0; list && i < n; i++){
		if(json_array_append_new(list, perch_shape_feed(&feeds[i], c->user.username)) != 0){
			json_decref(list);
			list = NULL;
		}
	}
	perch_feed_recs_free(feeds, n);
	perch_resp_json(c->resp, 200, list);
}

/* The key of a new feed: the one given, else one made from the name ("Lab Temp" → lab-temp). */
static int new_feed_key(struct perch_api_ctx *c, struct feed_input *in)
{
	if(in->patch.set_key){
		return 0;
	}
	if(!in->patch.set_name){
		perch_resp_error(c->resp, 422, "a new feed needs a name (or a key)");
		return -1;
	}
	if(perch_freeform_key(in->patch.name, in->key, sizeof(in->key)) != 0){
		perch_resp_error(c->resp, 422, "no key can be made from this name: give a key "
				"(letters, digits and '-')");
		return -1;
	}
	in->patch.key = in->key;
	return 0;
}

/* Creates the feed (within the user's feed limit); returns its id, or -1 after answering. */
static int64_t create_feed(struct perch_api_ctx *c, struct feed_input *in)
{
	const char *name = in->patch.set_name ? in->patch.name : in->key;
	char err[256];
	int64_t id = 0;
	int rc = perch_feed_find_or_create(c->db, c->user.id, in->key, NULL, NULL, false, &id, err, sizeof(err));

	if(rc == 0){
		perch_resp_error(c->resp, 409, "a feed with the key %s already exists", in->key);
		return -1;
	}
	if(rc == 1){
		rc = perch_feed_find_or_create(c->db, c->user.id, in->key, name, NULL, true, &id, err, sizeof(err));
	}
	if(rc == 2){
		perch_resp_error(c->resp, 422, "feed limit reached: %d feeds at most", c->user.max_feeds);
		return -1;
	}
	if(rc != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return -1;
	}
	return id;
}

/* Applies the patch; returns 0, or -1 after answering (409 for a taken key). */
static int apply_patch(struct perch_api_ctx *c, int64_t feed_id, const struct perch_feed_patch *p)
{
	char err[256];
	bool down = false;
	int rc = perch_q_feed_update(c->db, feed_id, p, &down, err, sizeof(err));

	if(rc == 1){
		perch_resp_error(c->resp, 409, "another feed already has the key %s", p->key ? p->key : "");
		return -1;
	}
	if(rc != 0){
		perch_api_db_error(c, down, err);
		return -1;
	}
	return 0;
}

void perch_api_feeds_create(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "feed");
	struct feed_input in;
	int64_t id = -1;

	if(!body){
		return;
	}
	if(read_feed_input(c, body, &in) == 0 && new_feed_key(c, &in) == 0){
		id = create_feed(c, &in);
	}
	if(id >= 0){
		/* name and key are in place; the rest (description, units…) is set now */
		in.patch.set_name = in.patch.set_key = false;
		if(apply_patch(c, id, &in.patch) == 0){
			answer_feed(c, 201, id);
		}
	}
	json_decref(body);
}

void perch_api_feed_get(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	perch_resp_json(c->resp, 200, perch_shape_feed(&f, c->user.username));
	perch_feed_rec_clear(&f);
}

void perch_api_feed_update(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "feed");
	struct perch_feed_rec f;
	struct feed_input in;

	if(!body){
		return;
	}
	if(read_feed_input(c, body, &in) == 0 && perch_api_load_feed(c, &f) == 0){
		if(apply_patch(c, f.id, &in.patch) == 0){
			answer_feed(c, 200, f.id);
		}
		perch_feed_rec_clear(&f);
	}
	json_decref(body);
}

void perch_api_feed_delete(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	char err[256];
	bool down = false;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	if(perch_q_feed_delete(c->db, f.id, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
	}else{
		/* the feed as it was, so a client can show what it removed */
		perch_resp_json(c->resp, 200, perch_shape_feed(&f, c->user.username));
	}
	perch_feed_rec_clear(&f);
}

/* One edge point as JSON, or null when the feed has no data. */
static json_t *edge_point(struct perch_api_ctx *c, const struct perch_feed_rec *f, bool newest, int *rc)
{
	struct perch_data_rec d;
	char err[256];
	bool down = false;
	json_t *out;

	*rc = perch_q_data_edge(c->db, f->id, newest, &d, &down, err, sizeof(err));
	if(*rc < 0){
		perch_api_db_error(c, down, err);
		return NULL;
	}
	if(*rc == 1){
		*rc = 0;
		return json_null();
	}
	out = perch_shape_data(&d, f);
	free(d.value);
	return out;
}

/* {"shared_with":[],"data":{"first":…,"last":…,"count":N}}; NULL after answering an error. */
static json_t *details(struct perch_api_ctx *c, const struct perch_feed_rec *f)
{
	struct perch_data_range all = { 0 };
	char err[256];
	bool down = false;
	int64_t count = 0;
	int rc1 = 0, rc2 = 0;
	json_t *first, *last;

	/* the Python client sizes a full download by this count: it must not be capped low */
	if(perch_q_data_count(c->db, f->id, &all, INT64_C(1) << 40, &count, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return NULL;
	}
	first = edge_point(c, f, false, &rc1);
	last = rc1 == 0 ? edge_point(c, f, true, &rc2) : NULL;
	if(rc1 != 0 || rc2 != 0){
		json_decref(first);
		json_decref(last);
		return NULL;
	}
	return json_pack("{s:[],s:{s:o,s:o,s:I}}", "shared_with", "data",
			"first", first, "last", last, "count", (json_int_t)count);
}

void perch_api_feed_details(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	json_t *obj, *det;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	det = details(c, &f);
	if(det){
		obj = perch_shape_feed(&f, c->user.username);
		if(obj && json_object_set_new(obj, "details", det) != 0){
			json_decref(obj);
			obj = NULL;
		}else if(!obj){
			json_decref(det);
		}
		perch_resp_json(c->resp, 200, obj);
	}
	perch_feed_rec_clear(&f);
}
