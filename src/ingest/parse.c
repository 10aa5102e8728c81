/*
 * From an MQTT message to queued records, on the network thread. Only parsing happens here:
 * the topic (common/topic.h), the payload (common/payload.h), then one record per value into
 * the queue. Bad topics and payloads are refused at once with a notice on {user}/errors;
 * everything that needs the database (users, feeds, limits) is the writer's.
 */
#include <stdio.h>
#include <string.h>

#include "ingest/internal.h"
#include "payload.h"
#include "timefmt.h"
#include "topic.h"

/* The user a refused topic belongs to: its first level. */
static void topic_user(const char *topic, char *user, size_t len)
{
	const char *slash = strchr(topic, '/');
	size_t n = slash ? (size_t)(slash - topic) : strlen(topic);
	snprintf(user, len, "%.*s", (int)(n < len ? n : len - 1), topic);
}

static void push(struct perch_ingest *ing, const struct ingest_rec *rec, const struct ingest_strings *s)
{
	if(ingest_queue_push(&ing->queue, rec, s) != 0){
		ingest_log("out of memory: a message on %s was not stored", s->topic);
		return;
	}
	atomic_fetch_add(&ing->queued, 1);
}

static void push_datum(struct perch_ingest *ing, const struct perch_datum *d, int64_t now_us, uint8_t flags,
		const struct ingest_strings *names)
{
	struct ingest_rec rec = { 0 };
	struct ingest_strings s = *names;

	rec.kind = REC_DATA;
	rec.created_us = d->has_time ? d->created_us : now_us;
	rec.flags = flags | (d->has_num ? REC_HAS_NUM : 0) | (d->has_lat ? REC_HAS_LAT : 0)
			| (d->has_lon ? REC_HAS_LON : 0) | (d->has_ele ? REC_HAS_ELE : 0);
	rec.num = d->num;
	rec.lat = d->lat;
	rec.lon = d->lon;
	rec.ele = d->ele;
	s.value = d->value;
	s.value_len = d->value_len;
	push(ing, &rec, &s);
}

static void take_value(struct perch_ingest *ing, const struct perch_topic *t, const char *topic,
		const void *payload, size_t len, int64_t now_us)
{
	struct ingest_strings s = { t->user, t->key, t->name, topic, NULL, 0 };
	struct perch_datum d;
	char err[256];

	if(perch_payload_parse(t->format, payload, len, ing->max_value, &d, err, sizeof(err)) != 0){
		ingest_reject(ing, t->user, topic, err);
		return;
	}
	push_datum(ing, &d, now_us, t->kind == PERCH_TOPIC_FREEFORM ? REC_FREEFORM : 0, &s);
	perch_datum_clear(&d);
}

/* out = a + "." + b; -1 when it does not fit. */
static int join_dot(char *out, size_t outlen, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if(la + lb + 2 > outlen){
		return -1;
	}
	memcpy(out, a, la);
	out[la] = '.';
	memcpy(out + la + 1, b, lb + 1);
	return 0;
}

/* A group message: one row per item, into feed "{group}.{item}". */
static void take_group(struct perch_ingest *ing, const struct perch_topic *t, const char *topic,
		const void *payload, size_t len, int64_t now_us)
{
	struct perch_group_item *items;
	size_t count;
	char err[256], key[PERCH_KEY_MAX + 1], name[PERCH_TOPIC_MAX + 1];

	if(perch_group_parse(t->format, payload, len, ing->max_value, &items, &count, err, sizeof(err)) != 0){
		ingest_reject(ing, t->user, topic, err);
		return;
	}
	for(size_t i = 0; i < count; i++){
		struct ingest_strings s = { t->user, key, name, topic, NULL, 0 };
		/* both parts are keys of at most PERCH_FEED_KEY_MAX: this always fits */
		if(join_dot(key, sizeof(key), t->key, items[i].key) != 0
				|| join_dot(name, sizeof(name), t->name, items[i].name) != 0){
			ingest_reject(ing, t->user, topic, "rejected, the feed key is too long");
			continue;
		}
		push_datum(ing, &items[i].datum, now_us, 0, &s);
	}
	perch_group_free(items, count);
}

static void take_get(struct perch_ingest *ing, const struct perch_topic *t, const char *topic)
{
	struct ingest_rec rec = { 0 };
	struct ingest_strings s = { t->user, t->key, t->name, topic, NULL, 0 };

	rec.kind = t->kind == PERCH_TOPIC_GROUP ? REC_GET_GROUP : REC_GET_FEED;
	rec.format = (uint8_t)t->format;
	push(ing, &rec, &s);
}

void ingest_take_message(struct perch_ingest *ing, const char *topic, const void *payload, size_t len)
{
	struct perch_topic t;
	char err[256], user[PERCH_USER_MAX + 1];
	int64_t now_us = perch_wall_us();

	if(perch_topic_parse(topic, &t, err, sizeof(err)) != 0){
		topic_user(topic, user, sizeof(user));
		ingest_reject(ing, user, topic, err);
		return;
	}
	switch(t.kind){
	case PERCH_TOPIC_FEED:
	case PERCH_TOPIC_FREEFORM:
	case PERCH_TOPIC_GROUP:
		break;
	default:
		return; /* notices, time, class, $SYS: nothing to store */
	}
	if(t.get){
		take_get(ing, &t, topic);
	}else if(t.kind == PERCH_TOPIC_GROUP){
		take_group(ing, &t, topic, payload, len, now_us);
	}else{
		take_value(ing, &t, topic, payload, len, now_us);
	}
}

