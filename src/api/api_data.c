/*
 * Data points of a feed: create (one or a batch), list with Adafruit's pagination, the newest,
 * the oldest, the retain CSV, one point by id, delete. A created value is also published on
 * the feed's MQTT topic, so that boards and dashboards subscribed to it get it live.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/pager.h"
#include "api/shape.h"
#include "payload.h"
#include "store/feeds.h"
#include "timefmt.h"

/* created_at may be a little ahead of the server's clock (a board's clock drifts) */
#define FUTURE_SLACK_US INT64_C(60000000)
/* X-Pagination-Total counts at most this many points: a count must stay cheap */
#define TOTAL_CAP 100000
#define BATCH_MAX 1000                 /* values in one batch, as in one page of a list */

/* Sends the value to subscribers of the feed's topics (Adafruit form, and its free-form one). */
static void publish_live(struct perch_api_ctx *c, const struct perch_feed_rec *f, const char *value)
{
	char topic[PERCH_TOPIC_MAX + PERCH_USER_MAX + 16], own[sizeof(topic)];
	size_t len = strlen(value);

	if(!c->env->ing){
		return;
	}
	snprintf(topic, sizeof(topic), "%s/feeds/%s", c->user.username, f->key);
	/* QoS 1 so that QoS 1 subscribers get it reliably; failure (broker away) only loses the live copy */
	perch_ingest_publish(c->env->ing, topic, value, len, 1, false);
	perch_shape_feed_topic(f, c->user.username, own, sizeof(own));
	if(strcmp(own, topic) != 0){
		perch_ingest_publish(c->env->ing, own, value, len, 1, false);
	}
}

/*
 * Reads one datum ({value, lat, lon, ele, created_at, epoch}, or wrapped {"datum":{…}}) with
 * the same rules as an MQTT /json payload. Returns 0, or -1 with a reason in err.
 */
static int read_datum(struct perch_api_ctx *c, json_t *obj, struct perch_datum *d, char *err, size_t errlen)
{
	json_t *inner = json_is_object(obj) ? json_object_get(obj, "datum") : NULL;
	char *text;
	int rc;

	if(json_is_object(inner)){
		obj = inner;
	}
	if(!json_is_object(obj)){
		snprintf(err, errlen, "a datum must be a JSON object with a \"value\"");
		return -1;
	}
	if(!json_object_get(obj, "value")){
		snprintf(err, errlen, "value is required");
		return -1;
	}
	text = json_dumps(obj, JSON_COMPACT | JSON_REAL_PRECISION(17));
	if(!text){
		snprintf(err, errlen, "the datum cannot be read");
		return -1;
	}
	rc = perch_payload_parse(PERCH_FMT_JSON, text, strlen(text), perch_api_max_value(c), d, err, errlen);
	free(text);
	if(rc == 0 && d->has_time && d->created_us > perch_wall_us() + FUTURE_SLACK_US){
		perch_datum_clear(d);
		snprintf(err, errlen, "created_at may not be in the future");
		rc = -1;
	}
	return rc;
}

/*
 * Stores one datum, which it consumes (cleared whatever happens); fills *out, whose value the
 * caller frees. Returns -1 after answering.
 */
static int store_datum(struct perch_api_ctx *c, const struct perch_feed_rec *f, struct perch_datum *d,
		struct perch_data_rec *out)
{
	char err[256];

	if(perch_data_insert(c->db, f->id, d, &out->id, &out->created_us, err, sizeof(err)) != 0){
		perch_api_db_error(c, PQstatus(c->db) == CONNECTION_BAD, err);
		perch_datum_clear(d);
		return -1;
	}
	/* the record now owns the value */
	out->value = d->value;
	out->has_lat = d->has_lat;
	out->has_lon = d->has_lon;
	out->has_ele = d->has_ele;
	out->lat = d->lat;
	out->lon = d->lon;
	out->ele = d->ele;
	d->value = NULL;
	perch_datum_clear(d);
	return 0;
}

void perch_api_data_create(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	struct perch_datum d;
	struct perch_data_rec rec = { 0 };
	char err[256];
	json_t *body;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	body = perch_req_body_object(c->req, c->resp, NULL);
	if(body && read_datum(c, body, &d, err, sizeof(err)) != 0){
		perch_resp_error(c->resp, 422, "%s", perch_api_reason(err));
	}else if(body && perch_api_throttle(c, 1) != 0){
		perch_datum_clear(&d);
	}else if(body && store_datum(c, &f, &d, &rec) == 0){
		publish_live(c, &f, rec.value);
		perch_resp_json(c->resp, 200, perch_shape_data(&rec, &f));
		free(rec.value);
	}
	json_decref(body);
	perch_feed_rec_clear(&f);
}

/* The array of a batch body: {"data":[…]} or a bare array. NULL after answering. */
static json_t *batch_items(struct perch_api_ctx *c, json_t *body)
{
	json_t *items = json_is_array(body) ? body : json_object_get(body, "data");

	if(!json_is_array(items)){
		perch_resp_error(c->resp, 422, "a batch is {\"data\":[{\"value\":…},…]}");
		return NULL;
	}
	if(json_array_size(items) > BATCH_MAX){
		perch_resp_error(c->resp, 422, "a batch holds at most %d values", BATCH_MAX);
		return NULL;
	}
	return items;
}

/* Parses every item before storing any: a batch with one bad item stores nothing. */
static struct perch_datum *parse_batch(struct perch_api_ctx *c, json_t *items)
{
	size_t n = json_array_size(items);
	struct perch_datum *d = calloc(n ? n : 1, sizeof(*d));
	char err[256];

	if(!d){
		perch_resp_error(c->resp, 500, "out of memory");
		return NULL;
	}
	for(size_t i = 0; i < n; i++){
		if(read_datum(c, json_array_get(items, i), &d[i], err, sizeof(err)) != 0){
			perch_resp_error(c->resp, 422, "data[%zu]: %s", i, perch_api_reason(err));
			for(size_t k = 0; k < i; k++){
				perch_datum_clear(&d[k]);
			}
			free(d);
			return NULL;
		}
	}
	return d;
}

/* Stores the parsed items; answers the array of stored points. */
static void store_batch(struct perch_api_ctx *c, const struct perch_feed_rec *f, struct perch_datum *d, size_t n)
{
	json_t *list = json_array();
	struct perch_data_rec newest = { 0 };
	size_t i;

	for(i = 0; i < n; i++){
		struct perch_data_rec rec = { 0 };
		if(store_datum(c, f, &d[i], &rec) != 0){
			break;
		}
		if(list && json_array_append_new(list, perch_shape_data(&rec, f)) != 0){
			json_decref(list);
			list = NULL;
		}
		if(!newest.value || rec.created_us >= newest.created_us){
			free(newest.value);
			newest = rec;
		}else{
			free(rec.value);
		}
	}
	/* store_datum consumed items 0..i; the rest were never stored */
	for(size_t k = i + 1; k < n; k++){
		perch_datum_clear(&d[k]);
	}
	if(i == n){
		/* only the newest goes out live: a backfill must not replay history to a board */
		if(newest.value){
			publish_live(c, f, newest.value);
		}
		perch_resp_json(c->resp, 200, list);
	}else{
		json_decref(list);
	}
	free(newest.value);
}

void perch_api_data_batch(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	struct perch_datum *d;
	json_t *body, *items;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	body = perch_req_body_json(c->req, c->resp);
	items = body ? batch_items(c, body) : NULL;
	d = items ? parse_batch(c, items) : NULL;
	if(d && perch_api_throttle(c, (int)json_array_size(items)) == 0){
		store_batch(c, &f, d, json_array_size(items));
	}else if(d){
		for(size_t i = 0; i < json_array_size(items); i++){
			perch_datum_clear(&d[i]);
		}
	}
	free(d);
	json_decref(body);
	perch_feed_rec_clear(&f);
}

/* limit: absent is 1000; a number is clamped to 1..1000; anything else answers 400. */
static int read_limit(struct perch_api_ctx *c, int *limit)
{
	const char *v = perch_req_query(c->req, "limit");
	char *end = NULL;
	long long n;

	*limit = PERCH_PAGE_MAX;
	if(!v || !*v){
		return 0;
	}
	errno = 0;
	n = strtoll(v, &end, 10);
	if(end == v || *end != '\0'){
		perch_resp_error(c->resp, 400, "limit must be a number from 1 to %d", PERCH_PAGE_MAX);
		return -1;
	}
	if(errno == ERANGE || n > PERCH_PAGE_MAX){
		n = n < 0 ? 1 : PERCH_PAGE_MAX;
	}
	*limit = n < 1 ? 1 : (int)n;
	return 0;
}

static int read_range(struct perch_api_ctx *c, struct perch_data_range *r)
{
	const char *before = perch_req_query(c->req, "before");

	memset(r, 0, sizeof(*r));
	if(perch_api_time_param(c, "start_time", &r->has_start, &r->start_us) != 0
			|| perch_api_time_param(c, "end_time", &r->has_end, &r->end_us) != 0
			|| read_limit(c, &r->limit) != 0){
		return -1;
	}
	if(before && *before){
		if(perch_cursor_decode(before, &r->before_us, &r->before_id) != 0){
			perch_resp_error(c->resp, 400, "before is not a cursor from a Link header");
			return -1;
		}
		r->has_before = true;
	}
	return 0;
}

static void time_header(struct perch_resp *resp, const char *name, int64_t us)
{
	char buf[40];
	perch_time_format_ms(us, buf, sizeof(buf));
	perch_resp_header(resp, name, buf);
}

/* X-Pagination-* and Link. */
static void page_headers(struct perch_api_ctx *c, const struct perch_data_range *r,
		const struct perch_data_rec *rows, size_t shown, bool more, int64_t total)
{
	char num[24], origin[320], cursor[PERCH_CURSOR_MAX + 1];
	int64_t now = perch_wall_us();
	const char *cfg_url = c->env->cfg ? c->env->cfg->public_url : NULL;
	char *current, *next = NULL, *link;

	snprintf(num, sizeof(num), "%zu", shown);
	perch_resp_header(c->resp, "X-Pagination-Count", num);
	snprintf(num, sizeof(num), "%d", r->limit);
	perch_resp_header(c->resp, "X-Pagination-Limit", num);
	snprintf(num, sizeof(num), "%" PRId64, total);
	perch_resp_header(c->resp, "X-Pagination-Total", num);
	/* the window asked for; without start_time, the oldest point shown stands for it */
	time_header(c->resp, "X-Pagination-Start", r->has_start ? r->start_us : shown ? rows[shown - 1].created_us : now);
	time_header(c->resp, "X-Pagination-End", r->has_end ? r->end_us : now);

	perch_page_origin(c->req, cfg_url, origin, sizeof(origin));
	current = perch_page_url(c->req, origin, perch_req_query(c->req, "before"));
	if(more && perch_cursor_encode(rows[shown - 1].created_us, rows[shown - 1].id, cursor, sizeof(cursor)) == 0){
		next = perch_page_url(c->req, origin, cursor);
	}
	link = current ? perch_page_link(current, next) : NULL;
	if(link){
		perch_resp_header(c->resp, "Link", link);
	}
	free(link);
	free(next);
	free(current);
}

static json_t *data_array(struct perch_api_ctx *c, const struct perch_feed_rec *f,
		const struct perch_data_rec *rows, size_t n)
{
	const char *include = perch_req_query(c->req, "include");
	json_t *list = json_array();

	for(size_t i = 0; list && i < n; i++){
		json_t *d = perch_shape_data(&rows[i], f);
		perch_shape_include(d, include);
		if(json_array_append_new(list, d) != 0){
			json_decref(list);
			list = NULL;
		}
	}
	return list;
}

/* One page: limit + 1 points are read to learn whether an older page follows. */
static void list_page(struct perch_api_ctx *c, const struct perch_feed_rec *f, struct perch_data_range *r)
{
	struct perch_data_rec *rows = NULL;
	size_t n = 0, shown;
	int64_t total = 0;
	char err[256];
	bool down = false;

	r->limit++;
	if(perch_q_data_page(c->db, f->id, r, &rows, &n, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return;
	}
	r->limit--;
	shown = n > (size_t)r->limit ? (size_t)r->limit : n;
	if(perch_q_data_count(c->db, f->id, r, TOTAL_CAP, &total, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
	}else{
		perch_resp_json(c->resp, 200, data_array(c, f, rows, shown));
		page_headers(c, r, rows, shown, n > shown, total);
	}
	perch_data_recs_free(rows, n);
}

void perch_api_data_list(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	struct perch_data_range r;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	if(read_range(c, &r) == 0){
		list_page(c, &f, &r);
	}
	perch_feed_rec_clear(&f);
}

/* Answers one point of the feed: the newest, the oldest, or the one with an id. */
static void answer_point(struct perch_api_ctx *c, int which, int64_t id, bool csv)
{
	struct perch_feed_rec f;
	struct perch_data_rec d;
	char err[256];
	bool down = false;
	int rc;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	rc = which == 0 ? perch_q_data_get(c->db, f.id, id, &d, &down, err, sizeof(err))
		: perch_q_data_edge(c->db, f.id, which > 0, &d, &down, err, sizeof(err));
	if(rc == 1){
		perch_resp_error(c->resp, 404, "not found: no such data");
	}else if(rc != 0){
		perch_api_db_error(c, down, err);
	}else if(csv){
		char *text = perch_shape_csv(&d);
		perch_resp_text(c->resp, text ? 200 : 500, "text/csv; charset=utf-8", text ? text : "", text ? strlen(text) : 0);
		free(text);
	}else{
		perch_resp_json(c->resp, 200, perch_shape_data(&d, &f));
	}
	if(rc == 0){
		free(d.value);
	}
	perch_feed_rec_clear(&f);
}

void perch_api_data_last(struct perch_api_ctx *c)
{
	answer_point(c, 1, 0, false);
}

void perch_api_data_first(struct perch_api_ctx *c)
{
	answer_point(c, -1, 0, false);
}

void perch_api_data_retain(struct perch_api_ctx *c)
{
	answer_point(c, 1, 0, true);
}

/* The :id of the path as a point id; -1 when it is not one. */
static int64_t path_id(const struct perch_api_ctx *c)
{
	const char *s = perch_req_param(c->req, "id");
	size_t len = s ? strlen(s) : 0;

	if(len == 0 || len > 18 || strspn(s, "0123456789") != len){
		return -1;
	}
	return strtoll(s, NULL, 10);
}

void perch_api_data_get(struct perch_api_ctx *c)
{
	int64_t id = path_id(c);

	if(id < 0){
		perch_resp_error(c->resp, 404, "not found: no such data");
		return;
	}
	answer_point(c, 0, id, false);
}

void perch_api_data_delete(struct perch_api_ctx *c)
{
	int64_t id = path_id(c);
	struct perch_feed_rec f;
	struct perch_data_rec d;
	char err[256];
	bool down = false;
	int rc;

	if(id < 0){
		perch_resp_error(c->resp, 404, "not found: no such data");
		return;
	}
	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	rc = perch_q_data_get(c->db, f.id, id, &d, &down, err, sizeof(err));
	if(rc == 0){
		rc = perch_q_data_delete(c->db, f.id, id, &down, err, sizeof(err));
		if(rc == 0){
			perch_resp_json(c->resp, 200, perch_shape_data(&d, &f));
		}
		free(d.value);
	}
	if(rc == 1){
		perch_resp_error(c->resp, 404, "not found: no such data");
	}else if(rc < 0){
		perch_api_db_error(c, down, err);
	}
	perch_feed_rec_clear(&f);
}
