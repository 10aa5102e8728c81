/* Users and their MQTT keys, as the CLI, the API and the ingest need them. */
#ifndef PERCH_USERS_H
#define PERCH_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "acl.h"
#include "keys.h"
#include "topic.h"

struct perch_user {
	int64_t id;
	char username[PERCH_USER_MAX + 1];
	enum perch_role role;
	bool disabled;
	int rate_limit;      /* messages/s */
	int max_connections;
	int max_payload;     /* bytes per MQTT message */
	int max_feeds;
	int max_dashboards;
	int retention_days;
	int64_t created_us;
	int64_t updated_us;
};

struct perch_user_limits {
	/* a value < 0 leaves that limit as it is */
	int rate_limit, max_connections, max_payload, max_feeds, max_dashboards, retention_days;
};

/* All functions return 0, 1 for "no such user/key" where stated, or -1 with a message in err. */

int perch_user_add(PGconn *conn, const char *username, enum perch_role role, const char *password,
		const char *email, int64_t *id, char *err, size_t errlen);
/* 1: no such user */
int perch_user_get(PGconn *conn, const char *username, struct perch_user *out, char *err, size_t errlen);
int perch_user_get_by_id(PGconn *conn, int64_t id, struct perch_user *out, char *err, size_t errlen);
int perch_user_set_disabled(PGconn *conn, const char *username, bool disabled, char *err, size_t errlen);
int perch_user_set_limits(PGconn *conn, const char *username, const struct perch_user_limits *lim,
		char *err, size_t errlen);
int perch_user_set_password(PGconn *conn, const char *username, const char *password, char *err, size_t errlen);
int perch_user_set_role(PGconn *conn, const char *username, enum perch_role role, char *err, size_t errlen);

/*
 * Creates an MQTT key for the user: key receives the new key in clear (PERCH_KEY_LEN + 1
 * bytes; shown once, never stored), *id its id. 1: no such user.
 */
int perch_key_new(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *username,
		const char *label, char *key, int64_t *id, char *err, size_t errlen);
/* 1: no such key for that user. */
int perch_key_revoke(PGconn *conn, const char *username, int64_t key_id, char *err, size_t errlen);

/*
 * Authenticates an API request: the key must be an active key of an enabled user. Fills *out
 * and returns 0; 1 when the key is unknown, revoked or the user disabled.
 */
int perch_user_by_key(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *key,
		struct perch_user *out, char *err, size_t errlen);

#endif
