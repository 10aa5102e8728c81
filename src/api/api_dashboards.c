/*
 * Dashboards and their blocks, in Adafruit IO v2's paths and shapes: /{user}/dashboards,
 * /{user}/dashboards/{key}, …/update_layouts, …/blocks, …/blocks/{id}. The JSON is built by the
 * database (perch_dashboard_json, perch_block_json in sql/002_web.sql), so every answer has
 * the same shape whichever handler gives it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/handlers.h"
#include "store/db.h"
#include "topic.h"

#define NAME_MAX_LEN 128
#define DESCRIPTION_MAX_LEN 4096
#define PROPERTIES_MAX 16384
#define LAYOUTS_MAX 65536
#define BLOCK_FEEDS_MAX 16
#define GRID_MAX 48

static const char *const visual_types[] = {
	"line_chart", "gauge", "line_gauge", "toggle_button", "slider", "momentary_button", "text",
	"multiline_text", "rich_text", "stream", "indicator", "color_picker", "number_pad",
	"remote_control", "map", "image", "icon", "battery", "selector", "dashboard_link", "divider", NULL,
};

/* Text, one per handler call, formatted into a small buffer the caller owns. */
static const char *id_text(char *buf, size_t len, int64_t id)
{
	snprintf(buf, len, "%lld", (long long)id);
	return buf;
}

/* Runs a query whose single row and column is JSON text and answers it; 404 when no row. */
static void answer(struct perch_api_ctx *c, unsigned status, const char *sql, int n, const char *const *params)
{
	char err[256];
	PGresult *res = perch_db_exec(c->db, err, sizeof(err), sql, n, params);

	if(!res){
		/* a unique violation is the only expected failure: a key that is taken */
		if(strstr(err, "duplicate key")){
			perch_resp_error(c->resp, 409, "a dashboard with that key exists already");
		}else if(strstr(err, "violates check constraint")){
			perch_resp_error(c->resp, 422, "invalid name or key");
		}else{
			perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		}
		return;
	}
	if(PQntuples(res) != 1 || PQgetisnull(res, 0, 0)){
		perch_resp_error(c->resp, 404, "not found");
	}else{
		perch_resp_text(c->resp, status, "application/json", PQgetvalue(res, 0, 0), (size_t)PQgetlength(res, 0, 0));
	}
	PQclear(res);
}

static bool plain_text(const char *s, size_t max)
{
	size_t len = strlen(s);
	if(len == 0 || len > max){
		return false;
	}
	for(const unsigned char *p = (const unsigned char *)s; *p; p++){
		if(*p < 0x20 && *p != '\n' && *p != '\t'){
			return false;
		}
	}
	return true;
}

/* "My Dashboard!" -> "my-dashboard" */
static int key_from_name(const char *name, char *key, size_t keylen)
{
	size_t n = 0;
	bool dash = true;
	for(const char *p = name; *p && n + 1 < keylen && n < 128; p++){
		if(isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80)){
			key[n++] = (char)tolower((unsigned char)*p);
			dash = false;
		}else if(!dash){
			key[n++] = '-';
			dash = true;
		}
	}
	while(n > 0 && key[n - 1] == '-'){
		n--;
	}
	key[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* A boolean member as text for SQL ("true"/"false"), NULL when absent or unreadable. */
static const char *bool_text(json_t *body, const char *name)
{
	json_t *v = json_object_get(body, name);
	const char *s;
	if(json_is_boolean(v)){
		return json_is_true(v) ? "true" : "false";
	}
	s = json_string_value(v);
	if(s && (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on") || !strcmp(s, "1"))){
		return "true";
	}
	if(s && (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off") || !strcmp(s, "0"))){
		return "false";
	}
	return NULL;
}

struct dash_input {
	const char *name, *key, *description, *color_mode, *visibility;
	const char *show_header, *block_borders, *allow_overlap;
	char keybuf[130];
};

/* Reads and checks the writable dashboard fields; -1 after answering 422. */
static int read_dashboard(struct perch_api_ctx *c, json_t *body, struct dash_input *in, bool creating)
{
	json_t *key = json_object_get(body, "key");
	memset(in, 0, sizeof(*in));
	in->name = json_string_value(json_object_get(body, "name"));
	in->description = json_string_value(json_object_get(body, "description"));
	in->color_mode = json_string_value(json_object_get(body, "color_mode"));
	in->visibility = json_string_value(json_object_get(body, "visibility"));
	in->show_header = bool_text(body, "show_header");
	in->block_borders = bool_text(body, "block_borders");
	in->allow_overlap = bool_text(body, "allow_overlap");
	if((creating && !in->name) || (in->name && !plain_text(in->name, NAME_MAX_LEN))){
		perch_resp_error(c->resp, 422, "a dashboard needs a name of 1 to %d characters", NAME_MAX_LEN);
		return -1;
	}
	if(in->description && strlen(in->description) > DESCRIPTION_MAX_LEN){
		perch_resp_error(c->resp, 422, "description is too long");
		return -1;
	}
	if(in->color_mode && strcmp(in->color_mode, "dark") && strcmp(in->color_mode, "light")){
		perch_resp_error(c->resp, 422, "color_mode is \"dark\" or \"light\"");
		return -1;
	}
	if(in->visibility && strcasecmp(in->visibility, "private") && strcasecmp(in->visibility, "public")){
		perch_resp_error(c->resp, 422, "visibility is \"private\" or \"public\"");
		return -1;
	}
	if(json_is_string(key) || (creating && in->name)){
		const char *src = json_is_string(key) ? json_string_value(key) : in->name;
		if(key_from_name(src, in->keybuf, sizeof(in->keybuf)) != 0){
			perch_resp_error(c->resp, 422, "a dashboard key needs letters or digits");
			return -1;
		}
		in->key = in->keybuf;
	}
	return 0;
}

#define DASH_MATCH "d.user_id = $1 AND (d.key = $2 OR d.id::text = $2)"

void perch_api_dashboards_list(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[1] = { id_text(uid, sizeof(uid), c->user.id) };
	answer(c, 200, "SELECT coalesce(json_agg(perch_dashboard_json(d, false) ORDER BY d.id), '[]') "
			"FROM dashboards d WHERE d.user_id = $1", 1, params);
}

void perch_api_dashboards_create(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "dashboard");
	struct dash_input in;
	char uid[24];

	if(!body){
		return;
	}
	if(read_dashboard(c, body, &in, true) == 0){
		const char *params[9] = { id_text(uid, sizeof(uid), c->user.id), in.key, in.name, in.description,
			in.color_mode, in.show_header, in.block_borders, in.allow_overlap, in.visibility };
		/* the limit is checked in the same statement, so two requests cannot both slip under it */
		answer(c, 201,
				"INSERT INTO dashboards (user_id, key, name, description, color_mode, show_header, "
				"block_borders, allow_overlap, visibility) "
				"SELECT $1, $2, $3, $4, coalesce($5, 'dark'), coalesce($6::boolean, true), "
				"coalesce($7::boolean, true), coalesce($8::boolean, false), lower(coalesce($9, 'private')) "
				"FROM users u WHERE u.id = $1 AND (SELECT count(*) FROM dashboards WHERE user_id = $1) < u.max_dashboards "
				"RETURNING perch_dashboard_json(dashboards, true)", 9, params);
		if(c->resp->status == 404){
			perch_resp_clear(c->resp);
			perch_resp_error(c->resp, 422, "dashboard limit reached: %d dashboards at most", c->user.max_dashboards);
		}
	}
	json_decref(body);
}

void perch_api_dashboard_get(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[2] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash") };
	answer(c, 200, "SELECT perch_dashboard_json(d, true) FROM dashboards d WHERE " DASH_MATCH, 2, params);
}

void perch_api_dashboard_update(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "dashboard");
	struct dash_input in;
	char uid[24];

	if(!body){
		return;
	}
	if(read_dashboard(c, body, &in, false) == 0){
		const char *params[10] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"),
			in.key, in.name, in.description, in.color_mode, in.show_header, in.block_borders,
			in.allow_overlap, in.visibility };
		answer(c, 200,
				"UPDATE dashboards d SET key = coalesce($3, key), name = coalesce($4, name), "
				"description = coalesce($5, description), color_mode = coalesce($6, color_mode), "
				"show_header = coalesce($7::boolean, show_header), block_borders = coalesce($8::boolean, block_borders), "
				"allow_overlap = coalesce($9::boolean, allow_overlap), visibility = lower(coalesce($10, visibility)), "
				"updated_at = now() WHERE " DASH_MATCH " RETURNING perch_dashboard_json(d, true)", 10, params);
	}
	json_decref(body);
}

void perch_api_dashboard_delete(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[2] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash") };
	answer(c, 200, "DELETE FROM dashboards d WHERE " DASH_MATCH " RETURNING '\"OK\"'", 2, params);
}

void perch_api_dashboard_layouts(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, NULL);
	json_t *layouts;
	char *text = NULL, uid[24];

	if(!body){
		return;
	}
	layouts = json_object_get(body, "layouts");
	if(!json_is_object(layouts) || !(text = json_dumps(layouts, JSON_COMPACT)) || strlen(text) > LAYOUTS_MAX){
		perch_resp_error(c->resp, 422, "send {\"layouts\": {\"lg\": [{\"i\": \"<block id>\", \"x\": 0, \"y\": 0, \"w\": 4, \"h\": 4}], …}}");
	}else{
		const char *params[3] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"), text };
		answer(c, 200, "UPDATE dashboards d SET layouts = $3::jsonb, updated_at = now() WHERE " DASH_MATCH
				" RETURNING perch_dashboard_json(d, true)", 3, params);
	}
	free(text);
	json_decref(body);
}

/* ---- blocks ---- */

#define BLOCK_OF_DASH "b.dashboard_id = (SELECT d.id FROM dashboards d WHERE " DASH_MATCH ")"

struct block_input {
	const char *visual_type, *name, *description;
	char *properties;     /* JSON text, owned */
	char *feeds;          /* JSON array of normalised feed references, owned; NULL: unchanged */
	int nfeeds;
	char col[12], row[12], size_x[12], size_y[12];
	bool has_col, has_row, has_size_x, has_size_y;
};

static void block_input_free(struct block_input *in)
{
	free(in->properties);
	free(in->feeds);
}

/* An integer member given as a number or a numeric string (Arduino sends "4"). */
static int grid_int(json_t *body, const char *name, int lo, char *out, size_t outlen, bool *has)
{
	json_t *v = json_object_get(body, name);
	long n;
	char *end = NULL;

	*has = false;
	if(!v || json_is_null(v)){
		return 0;
	}
	if(json_is_integer(v)){
		n = (long)json_integer_value(v);
	}else if(json_is_string(v) && *json_string_value(v)){
		n = strtol(json_string_value(v), &end, 10);
		if(*end){
			return -1;
		}
	}else{
		return -1;
	}
	if(n < lo || n > GRID_MAX * 100){
		return -1;
	}
	snprintf(out, outlen, "%ld", n);
	*has = true;
	return 0;
}

/* One block_feeds entry: {"feed_id": 12 | "key" | "group.key"}, {"feed": {"key"|"id"}} or {"feed_key"}. */
static json_t *feed_reference(json_t *entry)
{
	json_t *v = json_object_get(entry, "feed_id");
	char key[PERCH_KEY_MAX + 1];
	const char *s;

	if(!v){
		v = json_object_get(entry, "feed_key");
	}
	if(!v && json_is_object(json_object_get(entry, "feed"))){
		json_t *feed = json_object_get(entry, "feed");
		v = json_object_get(feed, "key");
		if(!v){
			v = json_object_get(feed, "id");
		}
	}
	if(json_is_integer(v)){
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
		return json_string(key);
	}
	s = json_string_value(v);
	if(!s || perch_feed_key_normalize(s, strlen(s), key, sizeof(key)) != 0){
		return NULL;
	}
	return json_string(key);
}

static int read_block_feeds(struct perch_api_ctx *c, json_t *list, struct block_input *in)
{
	json_t *refs, *entry;
	size_t i;

	if(!json_is_array(list) || json_array_size(list) > BLOCK_FEEDS_MAX){
		perch_resp_error(c->resp, 422, "block_feeds must be a list of at most %d feeds", BLOCK_FEEDS_MAX);
		return -1;
	}
	refs = json_array();
	json_array_foreach(list, i, entry){
		json_t *ref = feed_reference(entry);
		if(!ref){
			json_decref(refs);
			perch_resp_error(c->resp, 422, "block_feeds entry %zu names no feed (use {\"feed_id\": key or id})", i);
			return -1;
		}
		json_array_append_new(refs, ref);
	}
	in->feeds = json_dumps(refs, JSON_COMPACT);
	in->nfeeds = (int)json_array_size(refs);
	json_decref(refs);
	return in->feeds ? 0 : -1;
}

static int read_block(struct perch_api_ctx *c, json_t *body, struct block_input *in, bool creating)
{
	json_t *props = json_object_get(body, "properties");
	bool known = false;

	memset(in, 0, sizeof(*in));
	in->visual_type = json_string_value(json_object_get(body, "visual_type"));
	in->name = json_string_value(json_object_get(body, "name"));
	in->description = json_string_value(json_object_get(body, "description"));
	for(int i = 0; in->visual_type && visual_types[i]; i++){
		known |= strcmp(in->visual_type, visual_types[i]) == 0;
	}
	if((creating || in->visual_type) && !known){
		perch_resp_error(c->resp, 422, "visual_type must be one of line_chart, gauge, toggle_button, slider, "
				"momentary_button, text, stream, indicator, color_picker, number_pad, …");
		return -1;
	}
	if((in->name && strlen(in->name) > NAME_MAX_LEN) || (in->description && strlen(in->description) > DESCRIPTION_MAX_LEN)){
		perch_resp_error(c->resp, 422, "name or description is too long");
		return -1;
	}
	if(props && !json_is_null(props)){
		if(!json_is_object(props) || !(in->properties = json_dumps(props, JSON_COMPACT)) || strlen(in->properties) > PROPERTIES_MAX){
			perch_resp_error(c->resp, 422, "properties must be an object of at most %d bytes", PROPERTIES_MAX);
			return -1;
		}
	}
	if(grid_int(body, "column", 0, in->col, sizeof(in->col), &in->has_col)
			|| grid_int(body, "row", 0, in->row, sizeof(in->row), &in->has_row)
			|| grid_int(body, "size_x", 1, in->size_x, sizeof(in->size_x), &in->has_size_x)
			|| grid_int(body, "size_y", 1, in->size_y, sizeof(in->size_y), &in->has_size_y)){
		perch_resp_error(c->resp, 422, "column, row, size_x and size_y are whole numbers");
		return -1;
	}
	if(json_object_get(body, "block_feeds")){
		return read_block_feeds(c, json_object_get(body, "block_feeds"), in);
	}
	return 0;
}

static bool run(struct perch_api_ctx *c, const char *sql, int n, const char *const *params, PGresult **out)
{
	char err[256];
	PGresult *res = perch_db_exec(c->db, err, sizeof(err), sql, n, params);
	if(!res){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		return false;
	}
	if(out){
		*out = res;
	}else{
		PQclear(res);
	}
	return true;
}

/* Replaces a block's feeds; false after answering (422 when a feed is not the owner's). */
static bool set_block_feeds(struct perch_api_ctx *c, const char *block_id, const struct block_input *in)
{
	char uid[24];
	const char *params[3] = { block_id, id_text(uid, sizeof(uid), c->user.id), in->feeds };
	PGresult *res = NULL;
	bool ok;

	if(!run(c, "DELETE FROM block_feeds WHERE block_id = $1", 1, params, NULL)
			|| !run(c, "INSERT INTO block_feeds (block_id, feed_id, position) "
				"SELECT $1, f.id, r.pos FROM json_array_elements_text($3::json) WITH ORDINALITY r(ref, pos) "
				"JOIN feeds f ON f.user_id = $2 AND (f.key = r.ref OR f.id::text = r.ref)", 3, params, &res)){
		return false;
	}
	ok = atoi(PQcmdTuples(res)) == in->nfeeds;
	PQclear(res);
	if(!ok){
		perch_resp_error(c->resp, 422, "block_feeds names a feed that does not exist");
	}
	return ok;
}

/* Runs the block change inside a transaction and answers the block's JSON. */
static void save_block(struct perch_api_ctx *c, const char *sql, int n, const char *const *params,
		const struct block_input *in, unsigned status)
{
	PGresult *res = NULL;
	char id[24];

	if(!run(c, "BEGIN", 0, NULL, NULL)){
		return;
	}
	if(!run(c, sql, n, params, &res)){
		run(c, "ROLLBACK", 0, NULL, NULL);
		return;
	}
	if(PQntuples(res) != 1){
		PQclear(res);
		run(c, "ROLLBACK", 0, NULL, NULL);
		perch_resp_error(c->resp, 404, "not found");
		return;
	}
	snprintf(id, sizeof(id), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if(in->feeds && !set_block_feeds(c, id, in)){
		run(c, "ROLLBACK", 0, NULL, NULL);
		return;
	}
	if(!run(c, "COMMIT", 0, NULL, NULL)){
		return;
	}
	const char *p[1] = { id };
	answer(c, status, "SELECT perch_block_json(b) FROM blocks b WHERE b.id = $1", 1, p);
}

void perch_api_blocks_list(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[2] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash") };
	answer(c, 200, "SELECT CASE WHEN d.id IS NULL THEN NULL ELSE (SELECT coalesce(json_agg(perch_block_json(b) "
			"ORDER BY b.id), '[]') FROM blocks b WHERE b.dashboard_id = d.id) END "
			"FROM (SELECT (SELECT d.id FROM dashboards d WHERE " DASH_MATCH ") AS id) d", 2, params);
}

void perch_api_blocks_create(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "block");
	struct block_input in;
	char uid[24];

	if(!body){
		return;
	}
	if(read_block(c, body, &in, true) == 0){
		const char *params[10] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"),
			in.visual_type, in.name, in.description, in.properties,
			in.has_col ? in.col : NULL, in.has_row ? in.row : NULL,
			in.has_size_x ? in.size_x : NULL, in.has_size_y ? in.size_y : NULL };
		save_block(c, "INSERT INTO blocks (dashboard_id, visual_type, name, description, properties, col, row, size_x, size_y) "
				"SELECT d.id, $3, $4, $5, coalesce($6::jsonb, '{}'), coalesce($7::int, 0), coalesce($8::int, 0), "
				"coalesce($9::int, 4), coalesce($10::int, 4) FROM dashboards d WHERE " DASH_MATCH " RETURNING id",
				10, params, &in, 200);
	}
	block_input_free(&in);
	json_decref(body);
}

void perch_api_block_get(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[3] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"),
		perch_req_param(c->req, "block") };
	answer(c, 200, "SELECT perch_block_json(b) FROM blocks b WHERE b.id::text = $3 AND " BLOCK_OF_DASH, 3, params);
}

void perch_api_block_update(struct perch_api_ctx *c)
{
	json_t *body = perch_req_body_object(c->req, c->resp, "block");
	struct block_input in;
	char uid[24];

	if(!body){
		return;
	}
	if(read_block(c, body, &in, false) == 0){
		const char *params[11] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"),
			perch_req_param(c->req, "block"), in.visual_type, in.name, in.description, in.properties,
			in.has_col ? in.col : NULL, in.has_row ? in.row : NULL,
			in.has_size_x ? in.size_x : NULL, in.has_size_y ? in.size_y : NULL };
		save_block(c, "UPDATE blocks b SET visual_type = coalesce($4, visual_type), name = coalesce($5, name), "
				"description = coalesce($6, description), properties = coalesce($7::jsonb, properties), "
				"col = coalesce($8::int, col), row = coalesce($9::int, row), size_x = coalesce($10::int, size_x), "
				"size_y = coalesce($11::int, size_y), updated_at = now() "
				"WHERE b.id::text = $3 AND " BLOCK_OF_DASH " RETURNING b.id", 11, params, &in, 200);
	}
	block_input_free(&in);
	json_decref(body);
}

void perch_api_block_delete(struct perch_api_ctx *c)
{
	char uid[24];
	const char *params[3] = { id_text(uid, sizeof(uid), c->user.id), perch_req_param(c->req, "dash"),
		perch_req_param(c->req, "block") };
	answer(c, 200, "DELETE FROM blocks b WHERE b.id::text = $3 AND " BLOCK_OF_DASH " RETURNING '\"OK\"'", 3, params);
}
