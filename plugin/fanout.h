/*
 * Adafruit IO's fan-out: a value published on one form of a feed topic ({user}/feeds/{key},
 * {user}/f/{key}, each raw, /json or /csv) is also delivered on the other forms, so a board
 * using Adafruit's Arduino library (subscribed to {user}/f/{key}/csv) receives what a
 * dashboard or a Python client publishes on {user}/feeds/{key}.
 *
 * Copies cost the broker a delivery each, so they are made only for forms somebody subscribes
 * to explicitly: a filter {user}/{feeds|f}/{key or +}[/json|/csv]. Wildcard filters with '#'
 * (a web page's {user}/#, the ingest's +/#) never cause copies. Broker thread only, no locks;
 * knows nothing of the broker API, so that it can be unit-tested.
 */
#ifndef PERCH_PLUGIN_FANOUT_H
#define PERCH_PLUGIN_FANOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "payload.h"
#include "topic.h"

enum perch_form {
	PERCH_FORM_FEEDS_RAW = 0, PERCH_FORM_FEEDS_JSON, PERCH_FORM_FEEDS_CSV,
	PERCH_FORM_F_RAW, PERCH_FORM_F_JSON, PERCH_FORM_F_CSV,
	PERCH_FORM_COUNT
};

struct perch_fanout_user;    /* subscription counts of one user's namespace */
struct perch_fanout_client;  /* the counted subscriptions of one connection */

struct perch_fanout {
	struct perch_fanout_user *users;
	struct perch_fanout_client *clients;
};

void perch_fanout_init(struct perch_fanout *fo);
void perch_fanout_clear(struct perch_fanout *fo);

/*
 * The form of a subscription filter, or -1 when it causes no copies. Fills user (the
 * namespace it is in; at least PERCH_USER_MAX + 1 bytes).
 */
int perch_fanout_filter_form(const char *filter, char *user);

/* A client subscribed (or unsubscribed) filter. Returns -1 when out of memory. */
int perch_fanout_subscribe(struct perch_fanout *fo, const void *client, const char *filter);
void perch_fanout_unsubscribe(struct perch_fanout *fo, const void *client, const char *filter);
/* A client went away: its subscriptions no longer count. */
void perch_fanout_client_gone(struct perch_fanout *fo, const void *client);

/*
 * The form of a concrete topic a value was published on, or -1 (not a feed topic, a /get);
 * user and key (at least PERCH_KEY_MAX + 1 bytes) receive its parts.
 */
int perch_fanout_topic_form(const char *topic, char *user, char *key);

/* Which other forms of user's feeds have subscribers: a bit per enum perch_form. */
unsigned perch_fanout_wanted(const struct perch_fanout *fo, const char *user, int from_form);

/* The topic of a form: "{user}/{feeds|f}/{key}[/json|/csv]". Returns -1 when out is too small. */
int perch_fanout_topic(char *out, size_t outlen, const char *user, const char *key, int form);

/* The payload format of a form (raw, JSON, CSV). */
enum perch_format perch_fanout_format(int form);

/*
 * A value as a form's subscribers expect it: the raw value; {"value":…,"lat":…} for /json;
 * "value,lat,lon,ele" (RFC 4180 quoting, empty fields when unset) for /csv. Returns a
 * malloc'd NUL-terminated string, or NULL when out of memory.
 */
char *perch_fanout_render(int form, const struct perch_datum *d);

#endif
