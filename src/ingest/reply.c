/*
 * /get: Adafruit IO has no retained messages; a board publishes to {topic}/get and the last
 * value comes back on {topic}, in that topic's format: the raw value, "value,lat,lon,ele" for
 * /csv, the REST data record for /json. A group's /get sends each of its feeds' last values.
 * perch cannot address one client, so everyone subscribed to the topic receives the answer.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/shape.h"
#include "ingest/internal.h"
#include "store/db.h"
#include "store/query.h"

#define GROUP_VALUES_SQL \
	"SELECT CASE WHEN f.key LIKE g.key || '.%' THEN substr(f.key, length(g.key) + 2) ELSE f.key END, " \
	"f.last_value FROM groups g JOIN feeds f ON f.group_id = g.id " \
	"WHERE g.user_id = $1 AND g.key = $2 AND f.last_value IS NOT NULL ORDER BY f.key"

/* The topic the answer goes to: the request's topic without "/get". */
static void answer_topic(const char *topic, char *out, size_t outlen)
{
	size_t len = strlen(topic);
	if(len >= 4 && strcmp(topic + len - 4, "/get") == 0){
		len -= 4;
	}
	snprintf(out, outlen, "%.*s", (int)len, topic);
}

static void publish_answer(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec,
		const char *payload, size_t len)
{
	char topic[PERCH_TOPIC_MAX + 1];
	answer_topic(rec_str(b, rec->topic), topic, sizeof(topic));
	if(perch_ingest_publish(w->ing, topic, payload, len, 0, false) != 0){
		ingest_log("cannot answer %s: not connected", rec_str(b, rec->topic));
	}
}

/* RFC 4180: quoted when it holds a comma, a quote or a line break. */
static void csv_value(const char *v, FILE *f)
{
	if(!strpbrk(v, ",\"\r\n")){
		fputs(v, f);
		return;
	}
	fputc('"', f);
	for(const char *p = v; *p; p++){
		if(*p == '"'){
			fputc('"', f);
		}
		fputc(*p, f);
	}
	fputc('"', f);
}

/* The point in the request's format, as the REST API shows it; NULL when out of memory. */
static char *format_point(const struct ingest_rec *rec, const struct perch_data_rec *d,
		const struct perch_feed_rec *f)
{
	json_t *o;
	char *text;

	if(rec->format == PERCH_FMT_CSV){
		return perch_shape_csv(d);
	}
	if(rec->format != PERCH_FMT_JSON){
		return strdup(d->value);
	}
	o = perch_shape_data(d, f);
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return text;
}

/*
 * The feed's newest point; when retention has removed every point, its last value still
 * answers (without an id or location).
 */
static int newest_point(PGconn *conn, const struct perch_feed_rec *f, struct perch_data_rec *d, bool *found)
{
	char err[256];
	bool db_down = false;
	int rc = perch_q_data_edge(conn, f->id, true, d, &db_down, err, sizeof(err));

	if(rc < 0){
		ingest_log("/get: %s", err);
		return -1;
	}
	*found = rc == 0;
	if(rc == 1 && f->last_value){
		memset(d, 0, sizeof(*d));
		d->value = strdup(f->last_value);
		d->created_us = f->last_value_us;
		*found = d->value != NULL;
	}
	return 0;
}

static int answer_feed_value(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec,
		const struct ingest_user *u, int64_t feed_id)
{
	struct perch_feed_rec f;
	struct perch_data_rec d;
	char err[256], *text;
	bool db_down = false, found = false;
	int rc = perch_q_feed_get(w->conn, u->id, feed_id, &f, &db_down, err, sizeof(err));

	if(rc != 0){
		if(rc < 0){
			ingest_log("/get: %s", err);
		}
		return rc < 0 ? -1 : 0; /* deleted meanwhile: nothing to send */
	}
	rc = newest_point(w->conn, &f, &d, &found);
	if(rc == 0 && found){
		text = format_point(rec, &d, &f);
		if(text){
			publish_answer(w, b, rec, text, strlen(text));
		}
		free(text);
		free(d.value);
	}
	perch_feed_rec_clear(&f);
	return rc;
}

/* {"feeds":{"key":"value",...}} or "key,value" lines: the group's feeds' last values. */
static char *group_payload(PGresult *res, enum perch_format fmt, size_t *len)
{
	char *buf = NULL;
	FILE *f;

	if(fmt != PERCH_FMT_CSV){
		json_t *feeds = json_object(), *o = json_pack("{s:o}", "feeds", feeds);
		char *text;
		for(int r = 0; o && r < PQntuples(res); r++){
			json_object_set_new(feeds, PQgetvalue(res, r, 0), json_string(PQgetvalue(res, r, 1)));
		}
		text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		json_decref(o);
		*len = text ? strlen(text) : 0;
		return text;
	}
	f = open_memstream(&buf, len);
	if(!f){
		return NULL;
	}
	for(int r = 0; r < PQntuples(res); r++){
		fprintf(f, "%s,", PQgetvalue(res, r, 0));
		csv_value(PQgetvalue(res, r, 1), f);
		fputc('\n', f);
	}
	if(fclose(f) != 0){
		free(buf);
		return NULL;
	}
	return buf;
}

static int answer_group(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec,
		const struct ingest_user *u)
{
	char uid[24], err[256];
	const char *params[2] = { uid, rec_str(b, rec->key) };
	PGresult *res;
	char *text;
	size_t len = 0;

	snprintf(uid, sizeof(uid), "%" PRId64, u->id);
	res = perch_db_exec(w->conn, err, sizeof(err), GROUP_VALUES_SQL, 2, params);
	if(!res){
		ingest_log("/get: %s", err);
		return -1;
	}
	if(PQntuples(res) == 0){
		ingest_reject(w->ing, u->name, rec_str(b, rec->topic), "rejected, no such group or no values yet");
	}else if((text = group_payload(res, (enum perch_format)rec->format, &len)) != NULL){
		publish_answer(w, b, rec, text, len);
		free(text);
	}
	PQclear(res);
	return 0;
}

/* The feed by its key, never creating it: asking for a value does not make a feed. */
static int find_feed(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec,
		struct ingest_user *u, int64_t *feed_id)
{
	const char *key = rec_str(b, rec->key);
	struct ingest_feed *f = ingest_cache_feed(u, key);
	char err[256];
	int rc;

	if(f && f->id){
		*feed_id = f->id;
		return 0;
	}
	rc = perch_feed_find_or_create(w->conn, u->id, key, NULL, NULL, false, feed_id, err, sizeof(err));
	if(rc < 0){
		ingest_log("/get: %s", err);
	}else if(rc == 0){
		ingest_cache_put_feed(u, key, *feed_id, 0);
	}
	return rc;
}

int ingest_reply_get(struct ingest_writer *w, const struct ingest_batch *b, const struct ingest_rec *rec)
{
	struct ingest_user *u;
	int64_t feed_id;
	int rc;

	if(ingest_writer_user(w, rec_str(b, rec->user), &u) != 0){
		return -1;
	}
	if(!u->exists || u->disabled){
		ingest_reject(w->ing, rec_str(b, rec->user), rec_str(b, rec->topic),
				u->exists ? "rejected, the account is disabled" : "rejected, unknown user");
		return 0;
	}
	if(rec->kind == REC_GET_GROUP){
		return answer_group(w, b, rec, u);
	}
	rc = find_feed(w, b, rec, u, &feed_id);
	if(rc == 1){
		ingest_reject(w->ing, u->name, rec_str(b, rec->topic), "rejected, no such feed");
		return 0;
	}
	return rc < 0 ? -1 : answer_feed_value(w, b, rec, u, feed_id);
}
