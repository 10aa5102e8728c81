/*
 * What a published payload means (DESIGN.md and Adafruit IO's MQTT data formats):
 * raw values, IO JSON ({"value":…, "lat":…, "lon":…, "ele":…, "created_at":…}),
 * CSV ("value,lat,lon,ele", with RFC 4180 quotes) and group messages.
 */
#ifndef PERCH_PAYLOAD_H
#define PERCH_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "topic.h"

#define PERCH_VALUE_MAX_DEFAULT 1024 /* Adafruit IO's limit for feeds that keep history */

struct perch_datum {
	char *value;          /* owned, NUL-terminated, valid UTF-8 text */
	size_t value_len;
	bool has_num;         /* value parses entirely as a finite number */
	double num;
	bool has_lat, has_lon, has_ele;
	double lat, lon, ele;
	bool has_time;        /* the payload gave created_at or epoch */
	int64_t created_us;
};

struct perch_group_item {
	char key[PERCH_KEY_MAX + 1];  /* normalised feed key */
	char name[PERCH_KEY_MAX + 1]; /* as written */
	struct perch_datum datum;
};

/*
 * Parses one feed value in the given format. A raw payload that is a JSON object with a
 * "value" member is read as IO JSON, as Adafruit IO does. Values longer than max_value bytes,
 * not UTF-8, or empty are refused. Returns 0, or -1 with a message for the user in err;
 * on success the caller owns out (perch_datum_clear).
 */
int perch_payload_parse(enum perch_format fmt, const char *buf, size_t len, size_t max_value,
		struct perch_datum *out, char *err, size_t errlen);

/*
 * Parses a group message: JSON {"feeds":{"k":v,…},"location":{…},"created_at":…} (also the REST
 * form with "feeds":[{"key":…,"value":…}]), or CSV lines "key,value" with an optional
 * "location,lat,lon[,ele]" line. Returns 0 with *items (caller frees with perch_group_free),
 * or -1 with err.
 */
int perch_group_parse(enum perch_format fmt, const char *buf, size_t len, size_t max_value,
		struct perch_group_item **items, size_t *count, char *err, size_t errlen);

void perch_datum_clear(struct perch_datum *d);
void perch_group_free(struct perch_group_item *items, size_t count);

/* True when s[0..len) is entirely a finite number (leading/trailing blanks allowed). */
bool perch_parse_number(const char *s, size_t len, double *out);

#endif
