/*
 * GET …/data/chart: a feed's values aggregated per time bucket, in Adafruit's shape
 * {"feed":{…},"parameters":{…},"columns":["date","avg",…],"data":[["…Z",62.57,…],…]}.
 * Adafruit's columns are ["date","avg"]; perch keeps those first and adds min, max and count.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/chart.h"
#include "api/handlers.h"
#include "api/shape.h"
#include "payload.h"
#include "timefmt.h"

#define US_PER_HOUR INT64_C(3600000000)

struct chart_query {
	int64_t start_us, end_us;
	double hours;
	int resolution;      /* 0: automatic */
	const char *field;   /* NULL: every column */
	bool raw;
};

/* A number query parameter; absent leaves *out. Returns -1 when it is not a finite number. */
static int number_param(const struct perch_req *req, const char *name, double *out)
{
	const char *v = perch_req_query(req, name);
	char *end = NULL;
	double d;

	if(!v || !*v){
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if(errno || *end != '\0' || !isfinite(d)){
		return -1;
	}
	*out = d;
	return 0;
}

static int read_field(struct perch_api_ctx *c, struct chart_query *q)
{
	static const char *const fields[] = { "avg", "min", "max", "sum", "count", NULL };
	const char *f = perch_req_query(c->req, "field");

	if(!f || !*f){
		return 0;
	}
	if(strcmp(f, "val_count") == 0){
		f = "count";
	}
	for(int i = 0; fields[i]; i++){
		if(strcmp(f, fields[i]) == 0){
			q->field = fields[i];
			return 0;
		}
	}
	perch_resp_error(c->resp, 400, "field must be one of avg, min, max, sum, count");
	return -1;
}

static int read_window(struct perch_api_ctx *c, struct chart_query *q)
{
	bool has_start, has_end;
	double hours = 24;

	if(perch_api_time_param(c, "start_time", &has_start, &q->start_us) != 0
			|| perch_api_time_param(c, "end_time", &has_end, &q->end_us) != 0){
		return -1;
	}
	if(number_param(c->req, "hours", &hours) != 0 || hours <= 0 || hours > PERCH_CHART_MAX_HOURS){
		perch_resp_error(c->resp, 400, "hours must be a number above 0 and at most %d", PERCH_CHART_MAX_HOURS);
		return -1;
	}
	if(!has_end){
		q->end_us = perch_wall_us();
	}
	if(!has_start){
		q->start_us = q->end_us - (int64_t)(hours * (double)US_PER_HOUR);
	}
	q->hours = has_start ? (double)(q->end_us - q->start_us) / (double)US_PER_HOUR : hours;
	return 0;
}

static int read_query(struct perch_api_ctx *c, struct chart_query *q)
{
	double res = 0;
	const char *raw = perch_req_query(c->req, "raw");

	memset(q, 0, sizeof(*q));
	if(read_window(c, q) != 0 || read_field(c, q) != 0){
		return -1;
	}
	if(number_param(c->req, "resolution", &res) != 0 || res < 0 || res > 43200 || res != floor(res)){
		perch_resp_error(c->resp, 400, "resolution must be a whole number of minutes from 1 to 43200");
		return -1;
	}
	q->resolution = (int)res;
	q->raw = raw && (strcmp(raw, "1") == 0 || strcasecmp(raw, "true") == 0);
	return 0;
}

static json_t *chart_columns(const struct chart_query *q)
{
	if(q->raw){
		return json_pack("[s,s]", "date", "value");
	}
	if(q->field){
		return json_pack("[s,s]", "date", q->field);
	}
	return json_pack("[s,s,s,s,s]", "date", "avg", "min", "max", "count");
}

static json_t *num_or_null(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

static json_t *chart_row(const struct chart_query *q, const struct perch_chart_point *p)
{
	if(!q->field){
		return json_pack("[o,o,o,o,I]", perch_shape_time(p->bucket_us), num_or_null(p->has_num, p->avg),
				num_or_null(p->has_num, p->min), num_or_null(p->has_num, p->max), (json_int_t)p->count);
	}
	if(strcmp(q->field, "count") == 0){
		return json_pack("[o,I]", perch_shape_time(p->bucket_us), (json_int_t)p->count);
	}
	double v = strcmp(q->field, "min") == 0 ? p->min : strcmp(q->field, "max") == 0 ? p->max
		: strcmp(q->field, "sum") == 0 ? p->sum : p->avg;
	return json_pack("[o,o]", perch_shape_time(p->bucket_us), num_or_null(p->has_num, v));
}

/* The aggregated rows; NULL after answering an error. */
static json_t *aggregated(struct perch_api_ctx *c, const struct perch_feed_rec *f, const struct chart_query *q,
		const struct perch_chart_plan *plan)
{
	struct perch_chart_point *pts = NULL;
	size_t n = 0;
	char err[256];
	bool down = false;
	json_t *rows;

	if(perch_q_chart(c->db, f->id, plan->start_us, plan->end_us, plan->bucket_s, plan->source,
			&pts, &n, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return NULL;
	}
	rows = json_array();
	for(size_t i = 0; rows && i < n; i++){
		if(json_array_append_new(rows, chart_row(q, &pts[i])) != 0){
			json_decref(rows);
			rows = NULL;
		}
	}
	free(pts);
	if(!rows){
		perch_resp_error(c->resp, 500, "out of memory");
	}
	return rows;
}

/* A stored value as a number when it is one, else as its text. */
static json_t *value_json(const char *value)
{
	double v;
	return perch_parse_number(value, strlen(value), &v) ? json_real(v) : json_string(value);
}

/* raw=1: the newest 1000 points of the window, oldest first. NULL after answering. */
static json_t *raw_points(struct perch_api_ctx *c, const struct perch_feed_rec *f, const struct chart_query *q)
{
	struct perch_data_range r = { .has_start = true, .has_end = true, .start_us = q->start_us,
		.end_us = q->end_us, .limit = PERCH_PAGE_MAX };
	struct perch_data_rec *d = NULL;
	size_t n = 0;
	char err[256];
	bool down = false;
	json_t *rows;

	if(perch_q_data_page(c->db, f->id, &r, &d, &n, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return NULL;
	}
	rows = json_array();
	for(size_t i = n; rows && i > 0; i--){
		if(json_array_append_new(rows, json_pack("[o,o]", perch_shape_time(d[i - 1].created_us),
				value_json(d[i - 1].value))) != 0){
			json_decref(rows);
			rows = NULL;
		}
	}
	perch_data_recs_free(d, n);
	if(!rows){
		perch_resp_error(c->resp, 500, "out of memory");
	}
	return rows;
}

static void answer_chart(struct perch_api_ctx *c, const struct perch_feed_rec *f, const struct chart_query *q,
		const struct perch_chart_plan *plan, json_t *rows)
{
	json_t *params = json_pack("{s:o,s:o,s:i,s:f,s:s}",
			"start_time", perch_shape_time(q->raw ? q->start_us : plan->start_us),
			"end_time", perch_shape_time(plan->end_us),
			"resolution", plan->resolution,
			"hours", q->hours,
			"field", q->field ? q->field : q->raw ? "val" : "avg");

	perch_resp_json(c->resp, 200, json_pack("{s:{s:I,s:s,s:o},s:o,s:o,s:o}",
			"feed", "id", (json_int_t)f->id, "key", f->key, "name", json_string(f->name ? f->name : f->key),
			"parameters", params, "columns", chart_columns(q), "data", rows));
}

void perch_api_data_chart(struct perch_api_ctx *c)
{
	struct perch_feed_rec f;
	struct chart_query q;
	struct perch_chart_plan plan;
	json_t *rows;

	if(perch_api_load_feed(c, &f) != 0){
		return;
	}
	if(read_query(c, &q) == 0){
		if(perch_chart_plan(q.start_us, q.end_us, q.resolution, &plan) != 0){
			perch_resp_error(c->resp, 400, "the time range is empty, reversed or longer than %d hours",
					PERCH_CHART_MAX_HOURS);
		}else{
			rows = q.raw ? raw_points(c, &f, &q) : aggregated(c, &f, &q, &plan);
			if(rows){
				answer_chart(c, &f, &q, &plan, rows);
			}
		}
	}
	perch_feed_rec_clear(&f);
}
