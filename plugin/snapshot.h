/*
 * An immutable copy of what authentication needs from PostgreSQL: users and their non-revoked
 * MQTT keys. The database thread builds one, hands it to the broker thread, and never touches it
 * again; the broker thread reads it without locks and frees it when the next one is installed.
 */
#ifndef PERCH_PLUGIN_SNAPSHOT_H
#define PERCH_PLUGIN_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "acl.h"
#include "keys.h"
#include "uthash_cfg.h"

struct perch_snap_user {
	int64_t id;
	char *username;
	enum perch_role role;
	bool disabled;        /* kept so that a disabled user is known, but never admitted */
	int rate_limit;       /* messages/s across all connections */
	int max_connections;
	int max_payload;      /* bytes per published message */
	UT_hash_handle hh;    /* by username */
	UT_hash_handle hh_id; /* by id */
};

struct perch_snap_key {
	int64_t id;
	char hash[PERCH_KEY_HASH_HEX + 1]; /* lower-case hex, as perch_key_hash writes it */
	const struct perch_snap_user *user;
	UT_hash_handle hh;    /* by hash */
	UT_hash_handle hh_id; /* by id */
};

struct perch_snapshot {
	struct perch_snap_user *users;
	struct perch_snap_user *users_by_id;
	struct perch_snap_key *keys;
	struct perch_snap_key *keys_by_id;
	unsigned n_users;
	unsigned n_keys;
};

struct perch_snapshot *perch_snapshot_new(void);
void perch_snapshot_free(struct perch_snapshot *snap);

/* Adds a user. Returns 0, or -1 for a duplicate id or name, an empty name, or no memory. */
int perch_snapshot_add_user(struct perch_snapshot *snap, int64_t id, const char *username,
		enum perch_role role, bool disabled, int rate_limit, int max_connections, int max_payload);

/*
 * Adds a key of a user added before. Returns 0, or -1 for an unknown user, a hash that is not
 * 64 hex digits, a duplicate id or hash, or no memory.
 */
int perch_snapshot_add_key(struct perch_snapshot *snap, int64_t id, int64_t user_id, const char *hash);

const struct perch_snap_user *perch_snapshot_user(const struct perch_snapshot *snap, const char *username);
const struct perch_snap_key *perch_snapshot_key(const struct perch_snapshot *snap, const char *hash);
const struct perch_snap_key *perch_snapshot_key_by_id(const struct perch_snapshot *snap, int64_t id);

#endif
