/* Web sign-in: password checks and browser sessions (cookie token stored hashed, CSRF token). */
#ifndef PERCH_SESSIONS_H
#define PERCH_SESSIONS_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "keys.h"
#include "store/users.h"

#define PERCH_SESSION_TOKEN_LEN 43   /* base64url of 32 random bytes */
#define PERCH_CSRF_TOKEN_LEN 43
#define PERCH_SESSION_DAYS 14

struct perch_session {
	int64_t id;
	struct perch_user user;
	char csrf[PERCH_CSRF_TOKEN_LEN + 1];
};

/*
 * Checks login (a user name or an e-mail) and password; on success creates a session and
 * writes its cookie token into token (PERCH_SESSION_TOKEN_LEN + 1 bytes). Returns 0, 1 for
 * wrong credentials or a disabled account (the same answer, so names cannot be probed), -1 on error.
 */
int perch_session_login(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *login,
		const char *password, const char *user_agent, const char *address, char *token,
		struct perch_session *out, char *err, size_t errlen);

/* Finds the live session of a cookie token. 0, 1 when unknown/expired/revoked/disabled, -1. */
int perch_session_lookup(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *token,
		struct perch_session *out, char *err, size_t errlen);

/* Ends the session of a cookie token (sign out). */
int perch_session_revoke(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *token,
		char *err, size_t errlen);

#endif
