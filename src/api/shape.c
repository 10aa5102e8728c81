#include "api/shape.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acl.h"
#include "timefmt.h"

#define US_PER_DAY INT64_C(86400000000)

json_t *perch_shape_time(int64_t us)
{
	char buf[40];

	if(us % 1000000 == 0){
		perch_time_format(us, buf, sizeof(buf));
	}else{
		perch_time_format_ms(us, buf, sizeof(buf));
	}
	return json_string(buf);
}

/* Epoch seconds: an integer when whole, else with milliseconds. */
static json_t *epoch(int64_t us)
{
	if(us % 1000000 == 0){
		return json_integer(us / 1000000);
	}
	/* truncated like created_at's milliseconds, so that both show the same instant */
	return json_real((double)(us / 1000) / 1000.0);
}

static json_t *text_or_null(const char *s)
{
	json_t *v = s ? json_string(s) : json_null();
	/* a stored text that is not UTF-8 cannot be in JSON: show null rather than fail */
	return v ? v : json_null();
}

json_t *perch_shape_user(const struct perch_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:n,s:n,s:s,s:o,s:o}",
			"id", (json_int_t)u->id,
			"name", u->username,
			"username", u->username,
			"role", perch_role_name(u->role),
			"color", "#3478f6",
			"default_group_id", "default_dashboard_id",
			"time_zone", "UTC",
			"created_at", perch_shape_time(u->created_us),
			"updated_at", perch_shape_time(u->updated_us));
}

void perch_shape_feed_topic(const struct perch_feed_rec *f, const char *username, char *out, size_t outlen)
{
	size_t ulen = strlen(username);

	if(f->mqtt_topic && *f->mqtt_topic){
		/* stored either whole ("alice/photon2/temp") or as the path inside the namespace */
		bool whole = strncmp(f->mqtt_topic, username, ulen) == 0 && f->mqtt_topic[ulen] == '/';
		snprintf(out, outlen, "%s%s%s", whole ? "" : username, whole ? "" : "/", f->mqtt_topic);
	}else{
		snprintf(out, outlen, "%s/feeds/%s", username, f->key);
	}
}

/* Adafruit's group object; feeds outside any group are in the account's "Default" group. */
static json_t *group_object(const struct perch_feed_rec *f)
{
	if(f->has_group){
		return json_pack("{s:I,s:o,s:o,s:I}", "id", (json_int_t)f->group_id,
				"key", text_or_null(f->group_key), "name", text_or_null(f->group_name),
				"user_id", (json_int_t)f->user_id);
	}
	return json_pack("{s:n,s:s,s:s,s:I}", "id", "key", "default", "name", "Default",
			"user_id", (json_int_t)f->user_id);
}

/* The members of §2.12's fixture that come straight from columns. */
static json_t *feed_columns(const struct perch_feed_rec *f, const char *username)
{
	return json_pack("{s:I,s:o,s:s,s:o,s:s,s:{s:I,s:s},s:b,s:o,s:o,s:o,s:o,s:o,s:b,s:i,s:b}",
			"id", (json_int_t)f->id,
			"name", text_or_null(f->name),
			"key", f->key,
			"description", text_or_null(f->description),
			"username", username,
			"owner", "id", (json_int_t)f->user_id, "username", username,
			"history", f->history,
			"unit_type", text_or_null(f->unit_type),
			"unit_symbol", text_or_null(f->unit_symbol),
			"last_value", text_or_null(f->last_value),
			"visibility", text_or_null(f->visibility),
			"license", text_or_null(f->license),
			"status_notify", 0,
			"status_timeout", 60,
			"enabled", 1);
}

json_t *perch_shape_feed(const struct perch_feed_rec *f, const char *username)
{
	char topic[PERCH_TOPIC_MAX + PERCH_USER_MAX + 16];
	json_t *obj = feed_columns(f, username);
	json_t *group = group_object(f);
	json_t *groups = json_array();

	perch_shape_feed_topic(f, username, topic, sizeof(topic));
	if(!obj || !group || !groups || json_array_append(groups, group) != 0){
		json_decref(obj);
		json_decref(group);
		json_decref(groups);
		return NULL;
	}
	/* the _new setters take their reference even when they fail */
	int bad = json_object_set_new(obj, "group", group);
	bad |= json_object_set_new(obj, "groups", groups);
	if(bad){
		json_decref(obj);
		return NULL;
	}
	if(json_object_set_new(obj, "created_at", perch_shape_time(f->created_us)) != 0
			|| json_object_set_new(obj, "updated_at", perch_shape_time(f->updated_us)) != 0
			|| json_object_set_new(obj, "retention_days", json_integer(f->retention_days)) != 0
			|| json_object_set_new(obj, "mqtt_topic", json_string(topic)) != 0){
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *coord(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

/* GeoJSON (longitude first) when the point has a position, else null. */
static json_t *location(const struct perch_data_rec *d)
{
	if(!d->has_lat || !d->has_lon){
		return json_null();
	}
	json_t *coords = d->has_ele ? json_pack("[f,f,f]", d->lon, d->lat, d->ele) : json_pack("[f,f]", d->lon, d->lat);
	return json_pack("{s:s,s:{s:s,s:o}}", "type", "Feature", "geometry", "type", "Point", "coordinates", coords);
}

json_t *perch_shape_data(const struct perch_data_rec *d, const struct perch_feed_rec *f)
{
	char id[24];
	int64_t expires = d->created_us + (int64_t)f->retention_days * US_PER_DAY;

	snprintf(id, sizeof(id), "%lld", (long long)d->id);
	return json_pack("{s:s,s:o,s:I,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
			"id", id,
			"value", text_or_null(d->value),
			"feed_id", (json_int_t)f->id,
			"feed_key", f->key,
			"group_id", f->has_group ? json_integer(f->group_id) : json_null(),
			"created_at", perch_shape_time(d->created_us),
			"created_epoch", epoch(d->created_us),
			"expiration", perch_shape_time(expires),
			"lat", coord(d->has_lat, d->lat),
			"lon", coord(d->has_lon, d->lon),
			"ele", coord(d->has_ele, d->ele),
			"location", location(d));
}

/* True when name is one of the comma-separated words of list. */
static bool listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for(const char *p = list; *p; ){
		size_t len = strcspn(p, ",");
		while(len > 0 && *p == ' '){
			p++;
			len--;
		}
		if(len == n && strncmp(p, name, n) == 0){
			return true;
		}
		p += len;
		if(*p == ','){
			p++;
		}
	}
	return false;
}

void perch_shape_include(json_t *datum, const char *include)
{
	const char *name;
	json_t *value;
	void *tmp;

	if(!include || !*include){
		return;
	}
	json_object_foreach_safe(datum, tmp, name, value){
		if(!listed(include, name)){
			json_object_del(datum, name);
		}
	}
}

/* Appends a CSV field: quoted when it holds a comma, a quote or a line break. */
static size_t csv_field(char *out, const char *s)
{
	size_t n = 0;
	bool quote = strpbrk(s, ",\"\r\n") != NULL;

	if(quote){
		out[n++] = '"';
	}
	for(const char *p = s; *p; p++){
		if(*p == '"'){
			out[n++] = '"';
		}
		out[n++] = *p;
	}
	if(quote){
		out[n++] = '"';
	}
	return n;
}

char *perch_shape_csv(const struct perch_data_rec *d)
{
	size_t vlen = strlen(d->value);
	char *out = malloc(vlen * 2 + 3 + 3 * 32 + 1);
	size_t n;

	if(!out){
		return NULL;
	}
	n = csv_field(out, d->value);
	n += (size_t)sprintf(out + n, ",");
	if(d->has_lat) n += (size_t)sprintf(out + n, "%.15g", d->lat);
	n += (size_t)sprintf(out + n, ",");
	if(d->has_lon) n += (size_t)sprintf(out + n, "%.15g", d->lon);
	n += (size_t)sprintf(out + n, ",");
	if(d->has_ele) n += (size_t)sprintf(out + n, "%.15g", d->ele);
	out[n] = '\0';
	return out;
}
