#include "payload.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "timefmt.h"

#define ERR(...) do { if(err && errlen) snprintf(err, errlen, __VA_ARGS__); } while(0)

bool perch_parse_number(const char *s, size_t len, double *out)
{
	char buf[64];
	char *end = NULL;
	double v;
	size_t a = 0, b = len;

	while(a < b && isspace((unsigned char)s[a])){
		a++;
	}
	while(b > a && isspace((unsigned char)s[b - 1])){
		b--;
	}
	if(b == a || b - a >= sizeof(buf)){
		return false;
	}
	memcpy(buf, s + a, b - a);
	buf[b - a] = '\0';
	/* strtod also reads hex, "inf" and "nan": a sensor value is plain decimal */
	for(size_t i = 0; buf[i]; i++){
		if(!strchr("0123456789+-.eE", buf[i])){
			return false;
		}
	}
	errno = 0;
	v = strtod(buf, &end);
	if(errno || *end != '\0' || !isfinite(v)){
		return false;
	}
	*out = v;
	return true;
}

/* Strict UTF-8 (no overlongs, no surrogates, no NUL). */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while(i < len){
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;
		if(c == 0){
			return false;
		}
		if(c < 0x80){
			i++;
			continue;
		}
		if((c & 0xE0) == 0xC0){ n = 1; cp = c & 0x1F; }
		else if((c & 0xF0) == 0xE0){ n = 2; cp = c & 0x0F; }
		else if((c & 0xF8) == 0xF0){ n = 3; cp = c & 0x07; }
		else return false;
		for(size_t k = 1; k <= n; k++){
			if(i + k >= len || (s[i + k] & 0xC0) != 0x80){
				return false;
			}
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)
				|| cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)){
			return false;
		}
		i += n + 1;
	}
	return true;
}

/* Takes ownership of nothing; copies value into d after checking it. */
static int set_value(struct perch_datum *d, const char *v, size_t len, size_t max_value,
		char *err, size_t errlen)
{
	if(len == 0){
		ERR("rejected, the value is empty");
		return -1;
	}
	if(len > max_value){
		ERR("rejected, the value is %zu bytes, more than the limit of %zu", len, max_value);
		return -1;
	}
	if(!utf8_valid((const unsigned char *)v, len)){
		ERR("rejected, the value is not valid UTF-8 text");
		return -1;
	}
	d->value = malloc(len + 1);
	if(!d->value){
		ERR("rejected, out of memory");
		return -1;
	}
	memcpy(d->value, v, len);
	d->value[len] = '\0';
	d->value_len = len;
	d->has_num = perch_parse_number(v, len, &d->num);
	return 0;
}

/* Any JSON value as a feed value: strings as they are, anything else compact JSON text. */
static int set_json_value(struct perch_datum *d, json_t *v, size_t max_value, char *err, size_t errlen)
{
	char *text;
	int rc;

	if(json_is_string(v)){
		return set_value(d, json_string_value(v), json_string_length(v), max_value, err, errlen);
	}
	if(json_is_null(v)){
		ERR("rejected, the value is null");
		return -1;
	}
	text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
	if(!text){
		ERR("rejected, the value cannot be encoded");
		return -1;
	}
	rc = set_value(d, text, strlen(text), max_value, err, errlen);
	free(text);
	return rc;
}

/* A coordinate given as a number or a numeric string. */
static int json_coord(json_t *obj, const char *name, bool *has, double *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, name);
	if(!v || json_is_null(v)){
		return 0;
	}
	if(json_is_number(v)){
		*out = json_number_value(v);
	}else if(!json_is_string(v) || !perch_parse_number(json_string_value(v), json_string_length(v), out)){
		ERR("rejected, %s must be a number", name);
		return -1;
	}
	*has = true;
	return 0;
}

static int json_location(json_t *obj, struct perch_datum *d, char *err, size_t errlen)
{
	if(json_coord(obj, "lat", &d->has_lat, &d->lat, err, errlen)
			|| json_coord(obj, "lon", &d->has_lon, &d->lon, err, errlen)
			|| json_coord(obj, "ele", &d->has_ele, &d->ele, err, errlen)){
		return -1;
	}
	if((d->has_lat && (d->lat < -90 || d->lat > 90)) || (d->has_lon && (d->lon < -180 || d->lon > 180))){
		ERR("rejected, lat must be within -90..90 and lon within -180..180");
		return -1;
	}
	return 0;
}

/* created_at (ISO 8601 or epoch seconds) or epoch (seconds). */
static int json_time(json_t *obj, struct perch_datum *d, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, "created_at");
	if(!v || json_is_null(v)){
		v = json_object_get(obj, "epoch");
	}
	if(!v || json_is_null(v)){
		return 0;
	}
	if(json_is_number(v)){
		double s = json_number_value(v);
		if(s < 0 || s > 32503680000.0){
			ERR("rejected, created_at is out of range");
			return -1;
		}
		d->created_us = (int64_t)(s * 1e6);
	}else if(!json_is_string(v) || perch_time_parse(json_string_value(v), &d->created_us) != 0){
		ERR("rejected, created_at must be an ISO 8601 time or epoch seconds");
		return -1;
	}
	d->has_time = true;
	return 0;
}

static int datum_from_object(json_t *obj, size_t max_value, struct perch_datum *d, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, "value");
	if(!v){
		ERR("rejected, JSON data needs a \"value\"");
		return -1;
	}
	if(json_location(obj, d, err, errlen) || json_time(obj, d, err, errlen)){
		return -1;
	}
	return set_json_value(d, v, max_value, err, errlen);
}

static json_t *load_json(const char *buf, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if(!root){
		ERR("rejected, JSON does not parse: %s at line %d column %d", jerr.text, jerr.line, jerr.column);
	}
	return root;
}

static int parse_json_datum(const char *buf, size_t len, size_t max_value, struct perch_datum *d,
		char *err, size_t errlen)
{
	json_t *root = load_json(buf, len, err, errlen);
	int rc;
	if(!root){
		return -1;
	}
	if(!json_is_object(root)){
		json_decref(root);
		ERR("rejected, JSON data must be an object with a \"value\"");
		return -1;
	}
	rc = datum_from_object(root, max_value, d, err, errlen);
	json_decref(root);
	return rc;
}

#define CSV_UNTERMINATED SIZE_MAX /* *outlen of csv_field for a quote that never closes */

/* The message for a csv_field that returned NULL. */
static void csv_error(size_t n, char *err, size_t errlen)
{
	if(n == CSV_UNTERMINATED){
		ERR("rejected, a CSV field opens a quote (\") that it never closes");
	}else{
		ERR("rejected, out of memory");
	}
}

/*
 * Reads one CSV field starting at *p (RFC 4180: optionally "quoted", "" inside quotes),
 * into a malloc'd string. Advances *p past the field and its comma. NULL when out of memory,
 * or with *outlen CSV_UNTERMINATED when a quoted field never ends.
 */
static char *csv_field(const char **p, const char *end, size_t *outlen)
{
	const char *s = *p;
	char *out = malloc((size_t)(end - s) + 1);
	size_t n = 0;

	*outlen = 0;
	if(!out){
		return NULL;
	}
	if(s < end && *s == '"'){
		bool closed = false;
		s++;
		while(s < end){
			if(*s == '"'){
				if(s + 1 < end && s[1] == '"'){
					out[n++] = '"';
					s += 2;
					continue;
				}
				s++;
				closed = true;
				break;
			}
			out[n++] = *s++;
		}
		if(!closed){
			free(out);
			*outlen = CSV_UNTERMINATED;
			return NULL;
		}
		while(s < end && *s != ',' ){
			s++; /* ignore anything between the closing quote and the comma */
		}
	}else{
		while(s < end && *s != ','){
			out[n++] = *s++;
		}
	}
	if(s < end && *s == ','){
		s++;
	}
	out[n] = '\0';
	*outlen = n;
	*p = s;
	return out;
}

static int csv_coord(const char **p, const char *end, bool *has, double *out, const char *name,
		char *err, size_t errlen)
{
	size_t n;
	char *f;
	int rc = 0;

	if(*p >= end){
		return 0;
	}
	f = csv_field(p, end, &n);
	if(!f){
		csv_error(n, err, errlen);
		return -1;
	}
	if(n > 0){
		if(perch_parse_number(f, n, out)){
			*has = true;
		}else{
			ERR("rejected, CSV %s must be a number", name);
			rc = -1;
		}
	}
	free(f);
	return rc;
}

/* Arduino sends 0.000000 for each coordinate when no location is set: that is no location. */
static void drop_zero_location(struct perch_datum *d)
{
	bool all_zero = (!d->has_lat || d->lat == 0) && (!d->has_lon || d->lon == 0) && (!d->has_ele || d->ele == 0);
	if(all_zero){
		d->has_lat = d->has_lon = d->has_ele = false;
	}
}

static int parse_csv_datum(const char *buf, size_t len, size_t max_value, struct perch_datum *d,
		char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	size_t n;
	char *value;
	int rc;

	while(end > p && (end[-1] == '\n' || end[-1] == '\r')){
		end--;
	}
	value = csv_field(&p, end, &n);
	if(!value){
		csv_error(n, err, errlen);
		return -1;
	}
	rc = set_value(d, value, n, max_value, err, errlen);
	free(value);
	if(rc == 0 && (csv_coord(&p, end, &d->has_lat, &d->lat, "lat", err, errlen)
			|| csv_coord(&p, end, &d->has_lon, &d->lon, "lon", err, errlen)
			|| csv_coord(&p, end, &d->has_ele, &d->ele, "ele", err, errlen))){
		rc = -1;
	}
	if(rc == 0){
		drop_zero_location(d);
	}
	return rc;
}

static bool looks_like_io_json(const char *buf, size_t len)
{
	size_t i = 0;
	while(i < len && isspace((unsigned char)buf[i])){
		i++;
	}
	if(i == len || buf[i] != '{'){
		return false;
	}
	json_t *root = json_loadb(buf, len, 0, NULL);
	bool yes = root && json_is_object(root) && json_object_get(root, "value") != NULL;
	json_decref(root);
	return yes;
}

int perch_payload_parse(enum perch_format fmt, const char *buf, size_t len, size_t max_value,
		struct perch_datum *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	/* C clients often send the terminating NUL too */
	while(len > 0 && buf[len - 1] == '\0'){
		len--;
	}
	switch(fmt){
	case PERCH_FMT_JSON:
		rc = parse_json_datum(buf, len, max_value, out, err, errlen);
		break;
	case PERCH_FMT_CSV:
		rc = parse_csv_datum(buf, len, max_value, out, err, errlen);
		break;
	case PERCH_FMT_RAW:
	default:
		if(looks_like_io_json(buf, len)){
			rc = parse_json_datum(buf, len, max_value, out, err, errlen);
		}else{
			rc = set_value(out, buf, len, max_value, err, errlen);
		}
		break;
	}
	if(rc != 0){
		perch_datum_clear(out);
	}
	return rc;
}

void perch_datum_clear(struct perch_datum *d)
{
	free(d->value);
	memset(d, 0, sizeof(*d));
}

void perch_group_free(struct perch_group_item *items, size_t count)
{
	if(!items){
		return;
	}
	for(size_t i = 0; i < count; i++){
		perch_datum_clear(&items[i].datum);
	}
	free(items);
}

static int group_item_key(struct perch_group_item *it, const char *key, size_t len, char *err, size_t errlen)
{
	if(len > PERCH_FEED_KEY_MAX || perch_feed_key_normalize(key, len, it->key, sizeof(it->key)) != 0
			|| strchr(it->key, '.')){
		ERR("rejected, feed key \"%.*s\" may contain only letters, digits, '-' and '_'",
				(int)(len > 64 ? 64 : len), key);
		return -1;
	}
	memcpy(it->name, key, len);
	it->name[len] = '\0';
	return 0;
}

/* The location, time and feeds shared by every item of a JSON group message. */
static int group_json_item(json_t *root, struct perch_group_item *it, const char *key, json_t *value,
		size_t max_value, char *err, size_t errlen)
{
	json_t *loc = json_object_get(root, "location");
	if(group_item_key(it, key, strlen(key), err, errlen) != 0){
		return -1;
	}
	if(loc && json_is_object(loc) && json_location(loc, &it->datum, err, errlen) != 0){
		return -1;
	}
	if(json_time(root, &it->datum, err, errlen) != 0){
		return -1;
	}
	return set_json_value(&it->datum, value, max_value, err, errlen);
}

static int parse_group_json(const char *buf, size_t len, size_t max_value,
		struct perch_group_item **items, size_t *count, char *err, size_t errlen)
{
	json_t *root = load_json(buf, len, err, errlen);
	json_t *feeds;
	size_t n, i = 0;
	int rc = 0;

	if(!root){
		return -1;
	}
	feeds = json_object_get(root, "feeds");
	if(!json_is_object(root) || !(json_is_object(feeds) || json_is_array(feeds))){
		json_decref(root);
		ERR("rejected, group data must be {\"feeds\": {\"key\": value, ...}}");
		return -1;
	}
	n = json_is_object(feeds) ? json_object_size(feeds) : json_array_size(feeds);
	if(n == 0){
		json_decref(root);
		ERR("rejected, group data has no feeds");
		return -1;
	}
	*items = calloc(n, sizeof(**items));
	if(!*items){
		json_decref(root);
		ERR("rejected, out of memory");
		return -1;
	}
	if(json_is_object(feeds)){
		const char *key;
		json_t *value;
		json_object_foreach(feeds, key, value){
			if((rc = group_json_item(root, &(*items)[i++], key, value, max_value, err, errlen)) != 0){
				break;
			}
		}
	}else{
		json_t *entry;
		size_t idx;
		json_array_foreach(feeds, idx, entry){
			json_t *k = json_object_get(entry, "key"), *v = json_object_get(entry, "value");
			if(!json_is_string(k) || !v){
				ERR("rejected, each feed needs a \"key\" and a \"value\"");
				rc = -1;
				break;
			}
			if((rc = group_json_item(root, &(*items)[i++], json_string_value(k), v, max_value, err, errlen)) != 0){
				break;
			}
		}
	}
	json_decref(root);
	if(rc != 0){
		perch_group_free(*items, n);
		*items = NULL;
		return -1;
	}
	*count = n;
	return 0;
}

/* One "key,value" or "location,lat,lon[,ele]" CSV line. */
static int group_csv_line(const char *p, const char *end, struct perch_group_item *it,
		struct perch_datum *loc, bool *is_location, size_t max_value, char *err, size_t errlen)
{
	size_t klen, vlen;
	char *key = csv_field(&p, end, &klen), *value;
	int rc;

	if(!key){
		csv_error(klen, err, errlen);
		return -1;
	}
	*is_location = strcmp(key, "location") == 0;
	if(*is_location){
		free(key);
		if(csv_coord(&p, end, &loc->has_lat, &loc->lat, "lat", err, errlen)
				|| csv_coord(&p, end, &loc->has_lon, &loc->lon, "lon", err, errlen)
				|| csv_coord(&p, end, &loc->has_ele, &loc->ele, "ele", err, errlen)){
			return -1;
		}
		return 0;
	}
	rc = group_item_key(it, key, klen, err, errlen);
	free(key);
	if(rc != 0){
		return -1;
	}
	value = csv_field(&p, end, &vlen);
	if(!value){
		csv_error(vlen, err, errlen);
		return -1;
	}
	rc = set_value(&it->datum, value, vlen, max_value, err, errlen);
	free(value);
	return rc;
}

static int parse_group_csv(const char *buf, size_t len, size_t max_value,
		struct perch_group_item **items, size_t *count, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	size_t lines = 1, n = 0;
	struct perch_datum loc;
	int rc = 0;

	memset(&loc, 0, sizeof(loc));
	for(size_t i = 0; i < len; i++){
		lines += buf[i] == '\n';
	}
	*items = calloc(lines, sizeof(**items));
	if(!*items){
		ERR("rejected, out of memory");
		return -1;
	}
	while(p < end && rc == 0){
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *line_end = eol ? eol : end;
		bool is_location = false;
		if(line_end > p && line_end[-1] == '\r'){
			line_end--;
		}
		if(line_end > p){
			rc = group_csv_line(p, line_end, &(*items)[n], &loc, &is_location, max_value, err, errlen);
			if(rc == 0 && !is_location){
				n++;
			}
		}
		p = eol ? eol + 1 : end;
	}
	if(rc == 0 && n == 0){
		ERR("rejected, group CSV needs lines of \"key,value\"");
		rc = -1;
	}
	if(rc != 0){
		perch_group_free(*items, lines);
		*items = NULL;
		return -1;
	}
	drop_zero_location(&loc);
	for(size_t i = 0; i < n; i++){
		struct perch_datum *d = &(*items)[i].datum;
		d->has_lat = loc.has_lat; d->lat = loc.lat;
		d->has_lon = loc.has_lon; d->lon = loc.lon;
		d->has_ele = loc.has_ele; d->ele = loc.ele;
	}
	*count = n;
	return 0;
}

int perch_group_parse(enum perch_format fmt, const char *buf, size_t len, size_t max_value,
		struct perch_group_item **items, size_t *count, char *err, size_t errlen)
{
	*items = NULL;
	*count = 0;
	while(len > 0 && buf[len - 1] == '\0'){
		len--;
	}
	if(fmt == PERCH_FMT_CSV){
		return parse_group_csv(buf, len, max_value, items, count, err, errlen);
	}
	return parse_group_json(buf, len, max_value, items, count, err, errlen);
}
