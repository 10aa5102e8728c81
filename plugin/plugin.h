/*
 * What the plugin's entry points and callbacks share. One struct perch_plugin per loaded
 * plugin, passed to every callback as userdata; apart from the database thread's own struct,
 * all of it is touched only on the broker thread.
 */
#ifndef PERCH_PLUGIN_PLUGIN_H
#define PERCH_PLUGIN_PLUGIN_H

#include <stdbool.h>
#include <stdint.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#include "dbthread.h"
#include "fanout.h"
#include "keys.h"
#include "sessions.h"
#include "snapshot.h"

struct perch_plugin {
	mosquitto_plugin_id_t *id;
	uint8_t secret[PERCH_SECRET_BYTES];
	char service_password[PERCH_KEY_HASH_HEX + 1];
	bool anonymous_time;        /* clients without credentials may read time/... */
	int reload_seconds;
	struct perch_db *db;
	struct perch_snapshot *snap; /* installed in TICK; NULL until the first load */
	struct perch_sessions sessions;
	struct perch_fanout fanout;  /* which feed topic forms have subscribers */
	int64_t next_prune_ns;
};

/* auth.c */
int perch_on_basic_auth(int event, void *event_data, void *userdata);

/* access.c */
int perch_on_acl_check(int event, void *event_data, void *userdata);
int perch_on_message(int event, void *event_data, void *userdata);

#endif
