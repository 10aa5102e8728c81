#include "store/sessions.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/db.h"

static void random_token(char *out, size_t outlen)
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, outlen, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

/*
 * Verifies against a fixed hash when the account does not exist, so that a wrong name takes
 * as long as a wrong password.
 */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
	char pw[PERCH_SESSION_TOKEN_LEN + 1];
	random_token(pw, sizeof(pw));
	if(crypto_pwhash_str(dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0){
		dummy_hash[0] = '\0';
	}
}

static bool password_matches(const char *hash, const char *password)
{
	const char *h = hash;
	if(!h || !*h){
		pthread_once(&dummy_once, make_dummy_hash);
		h = dummy_hash;
	}
	bool ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;
	return ok && hash && *hash;
}

static int find_login(PGconn *conn, const char *login, struct perch_user *user, char **hash,
		char *err, size_t errlen)
{
	const char *params[1] = { login };
	PGresult *res = perch_db_exec(conn, err, errlen,
			"SELECT id, password_hash, disabled FROM users WHERE username = $1 OR lower(email) = lower($1)",
			1, params);
	int rc = 1;

	*hash = NULL;
	if(!res){
		return -1;
	}
	if(PQntuples(res) == 1 && !PQgetisnull(res, 0, 1) && PQgetvalue(res, 0, 2)[0] != 't'){
		user->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		*hash = strdup(PQgetvalue(res, 0, 1));
		rc = *hash ? 0 : -1;
	}
	PQclear(res);
	return rc;
}

static int insert_session(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], int64_t user_id,
		const char *user_agent, const char *address, char *token, struct perch_session *out,
		char *err, size_t errlen)
{
	char hash[PERCH_KEY_HASH_HEX + 1], uid[24], days[8];
	const char *params[6] = { uid, hash, out->csrf, user_agent, address, days };
	PGresult *res;

	random_token(token, PERCH_SESSION_TOKEN_LEN + 1);
	random_token(out->csrf, sizeof(out->csrf));
	perch_key_hash(secret, token, strlen(token), hash);
	snprintf(uid, sizeof(uid), "%lld", (long long)user_id);
	snprintf(days, sizeof(days), "%d", PERCH_SESSION_DAYS);
	res = perch_db_exec(conn, err, errlen,
			"INSERT INTO sessions (user_id, token_hash, csrf_token, user_agent, address, expires_at) "
			"VALUES ($1, $2, $3, left($4, 256), $5, now() + make_interval(days => $6::int)) RETURNING id",
			6, params);
	if(!res){
		return -1;
	}
	out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int perch_session_login(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *login,
		const char *password, const char *user_agent, const char *address, char *token,
		struct perch_session *out, char *err, size_t errlen)
{
	struct perch_user found;
	char *hash = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&found, 0, sizeof(found));
	if(strlen(login) > 320 || strlen(password) > 1024){
		return 1;
	}
	rc = find_login(conn, login, &found, &hash, err, errlen);
	if(rc < 0){
		return -1;
	}
	if(!password_matches(rc == 0 ? hash : NULL, password)){
		free(hash);
		snprintf(err, errlen, "wrong user name or password");
		return 1;
	}
	free(hash);
	if(perch_user_get_by_id(conn, found.id, &out->user, err, errlen) != 0){
		return -1;
	}
	return insert_session(conn, secret, found.id, user_agent, address, token, out, err, errlen);
}

int perch_session_lookup(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *token,
		struct perch_session *out, char *err, size_t errlen)
{
	char hash[PERCH_KEY_HASH_HEX + 1];
	const char *params[1] = { hash };
	PGresult *res;
	int64_t user_id;

	memset(out, 0, sizeof(*out));
	if(strlen(token) != PERCH_SESSION_TOKEN_LEN){
		return 1;
	}
	perch_key_hash(secret, token, strlen(token), hash);
	/* last_seen_at is refreshed at most once a minute, so reads do not all become writes */
	res = perch_db_exec(conn, err, errlen,
			"WITH s AS (SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id "
			"  WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND NOT u.disabled), "
			"t AS (UPDATE sessions SET last_seen_at = now() WHERE id = (SELECT id FROM s) "
			"  AND last_seen_at < now() - interval '1 minute') "
			"SELECT id, user_id, csrf_token FROM s", 1, params);
	if(!res){
		return -1;
	}
	if(PQntuples(res) != 1){
		PQclear(res);
		return 1;
	}
	out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	user_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(out->csrf, sizeof(out->csrf), "%s", PQgetvalue(res, 0, 2));
	PQclear(res);
	return perch_user_get_by_id(conn, user_id, &out->user, err, errlen);
}

int perch_session_revoke(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *token,
		char *err, size_t errlen)
{
	char hash[PERCH_KEY_HASH_HEX + 1];
	const char *params[1] = { hash };
	PGresult *res;

	perch_key_hash(secret, token, strlen(token), hash);
	res = perch_db_exec(conn, err, errlen,
			"UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL", 1, params);
	if(!res){
		return -1;
	}
	PQclear(res);
	return 0;
}
