/*
 * The JSON shapes of Adafruit IO v2 (reference §2.12) built from perch's records, plus perch's
 * own additions (retention_days, mqtt_topic). Pure functions: no database, no request.
 * Each returns a new reference, or NULL when out of memory.
 */
#ifndef PERCH_API_SHAPE_H
#define PERCH_API_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "store/query.h"
#include "store/users.h"

/* "2019-03-01T14:00:00Z", or with milliseconds when the time has a fraction of a second. */
json_t *perch_shape_time(int64_t us);

json_t *perch_shape_user(const struct perch_user *u);

/* The MQTT topic a subscriber uses for the feed (its free-form topic, or {user}/feeds/{key}). */
void perch_shape_feed_topic(const struct perch_feed_rec *f, const char *username, char *out, size_t outlen);

json_t *perch_shape_feed(const struct perch_feed_rec *f, const char *username);

json_t *perch_shape_data(const struct perch_data_rec *d, const struct perch_feed_rec *f);

/* Keeps only the members named in include ("value,lat,id"); NULL or "" keeps everything. */
void perch_shape_include(json_t *datum, const char *include);

/* The retain form: "value,lat,lon,ele" with RFC 4180 quoting and blanks for unset fields. */
char *perch_shape_csv(const struct perch_data_rec *d);

#endif
