#include "store/users.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/db.h"

#define USER_COLUMNS "id, username, role, disabled, rate_limit, max_connections, max_payload, " \
	"max_feeds, max_dashboards, retention_days, " \
	"(extract(epoch FROM created_at) * 1000000)::bigint, (extract(epoch FROM updated_at) * 1000000)::bigint"

static void user_from_row(PGresult *res, int row, struct perch_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	snprintf(u->username, sizeof(u->username), "%s", PQgetvalue(res, row, 1));
	u->role = perch_role_from_string(PQgetvalue(res, row, 2));
	u->disabled = PQgetvalue(res, row, 3)[0] == 't';
	u->rate_limit = atoi(PQgetvalue(res, row, 4));
	u->max_connections = atoi(PQgetvalue(res, row, 5));
	u->max_payload = atoi(PQgetvalue(res, row, 6));
	u->max_feeds = atoi(PQgetvalue(res, row, 7));
	u->max_dashboards = atoi(PQgetvalue(res, row, 8));
	u->retention_days = atoi(PQgetvalue(res, row, 9));
	u->created_us = strtoll(PQgetvalue(res, row, 10), NULL, 10);
	u->updated_us = strtoll(PQgetvalue(res, row, 11), NULL, 10);
}

/* Runs a query that returns at most one user row. 1: none. */
static int fetch_user(PGconn *conn, const char *sql, const char *param, struct perch_user *out,
		char *err, size_t errlen)
{
	const char *params[1] = { param };
	PGresult *res = perch_db_exec(conn, err, errlen, sql, 1, params);
	int rc;

	if(!res){
		return -1;
	}
	rc = PQntuples(res) == 1 ? 0 : 1;
	if(rc == 0){
		user_from_row(res, 0, out);
	}else{
		snprintf(err, errlen, "no such user");
	}
	PQclear(res);
	return rc;
}

int perch_user_get(PGconn *conn, const char *username, struct perch_user *out, char *err, size_t errlen)
{
	return fetch_user(conn, "SELECT " USER_COLUMNS " FROM users WHERE username = $1", username, out, err, errlen);
}

int perch_user_get_by_id(PGconn *conn, int64_t id, struct perch_user *out, char *err, size_t errlen)
{
	char idtext[24];
	snprintf(idtext, sizeof(idtext), "%" PRId64, id);
	return fetch_user(conn, "SELECT " USER_COLUMNS " FROM users WHERE id = $1", idtext, out, err, errlen);
}

static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], char *err, size_t errlen)
{
	if(strlen(password) < 8){
		snprintf(err, errlen, "a password needs at least 8 characters");
		return -1;
	}
	if(crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0){
		snprintf(err, errlen, "out of memory hashing the password");
		return -1;
	}
	return 0;
}

int perch_user_add(PGconn *conn, const char *username, enum perch_role role, const char *password,
		const char *email, int64_t *id, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *params[4] = { username, perch_role_name(role), NULL, email };
	PGresult *res;

	if(!perch_username_valid(username)){
		snprintf(err, errlen, "invalid user name \"%s\": use 2-32 of a-z, 0-9, '-' and '_', starting with a letter", username);
		return -1;
	}
	if(role != PERCH_ROLE_STUDENT && role != PERCH_ROLE_INSTRUCTOR && role != PERCH_ROLE_ADMIN){
		snprintf(err, errlen, "a user is a student, an instructor or an admin");
		return -1;
	}
	if(password){
		if(hash_password(password, hash, err, errlen) != 0){
			return -1;
		}
		params[2] = hash;
	}
	res = perch_db_exec(conn, err, errlen,
			"INSERT INTO users (username, role, password_hash, email) VALUES ($1, $2, $3, $4) "
			"ON CONFLICT DO NOTHING RETURNING id", 4, params);
	sodium_memzero(hash, sizeof(hash));
	if(!res){
		return -1;
	}
	if(PQntuples(res) != 1){
		PQclear(res);
		snprintf(err, errlen, "user \"%s\" (or that e-mail) exists already", username);
		return -1;
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

/* Runs an UPDATE of one user by name; 1 when no row matched. */
static int update_user(PGconn *conn, const char *sql, int nparams, const char *const *params,
		char *err, size_t errlen)
{
	PGresult *res = perch_db_exec(conn, err, errlen, sql, nparams, params);
	int rc;
	if(!res){
		return -1;
	}
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? 0 : 1;
	if(rc == 1){
		snprintf(err, errlen, "no such user \"%s\"", params[0]);
	}
	PQclear(res);
	return rc;
}

int perch_user_set_disabled(PGconn *conn, const char *username, bool disabled, char *err, size_t errlen)
{
	const char *params[2] = { username, disabled ? "true" : "false" };
	return update_user(conn, "UPDATE users SET disabled = $2, updated_at = now() WHERE username = $1",
			2, params, err, errlen);
}

int perch_user_set_role(PGconn *conn, const char *username, enum perch_role role, char *err, size_t errlen)
{
	const char *params[2] = { username, perch_role_name(role) };
	return update_user(conn, "UPDATE users SET role = $2, updated_at = now() WHERE username = $1",
			2, params, err, errlen);
}

int perch_user_set_password(PGconn *conn, const char *username, const char *password, char *err, size_t errlen)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *params[2] = { username, hash };
	int rc;

	if(hash_password(password, hash, err, errlen) != 0){
		return -1;
	}
	rc = update_user(conn, "UPDATE users SET password_hash = $2, updated_at = now() WHERE username = $1",
			2, params, err, errlen);
	sodium_memzero(hash, sizeof(hash));
	return rc;
}

int perch_user_set_limits(PGconn *conn, const char *username, const struct perch_user_limits *lim,
		char *err, size_t errlen)
{
	char v[6][16];
	const int values[6] = { lim->rate_limit, lim->max_connections, lim->max_payload,
		lim->max_feeds, lim->max_dashboards, lim->retention_days };
	const char *params[7] = { username };

	for(int i = 0; i < 6; i++){
		snprintf(v[i], sizeof(v[i]), "%d", values[i]);
		params[i + 1] = values[i] < 0 ? NULL : v[i];
	}
	return update_user(conn,
			"UPDATE users SET rate_limit = coalesce($2::int, rate_limit), "
			"max_connections = coalesce($3::int, max_connections), "
			"max_payload = coalesce($4::int, max_payload), max_feeds = coalesce($5::int, max_feeds), "
			"max_dashboards = coalesce($6::int, max_dashboards), "
			"retention_days = coalesce($7::int, retention_days), updated_at = now() "
			"WHERE username = $1", 7, params, err, errlen);
}

int perch_key_new(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *username,
		const char *label, char *key, int64_t *id, char *err, size_t errlen)
{
	char hash[PERCH_KEY_HASH_HEX + 1], shown[PERCH_KEY_SHOWN + 1];
	const char *params[4] = { username, label ? label : "", hash, shown };
	PGresult *res;

	perch_key_generate(key);
	perch_key_hash(secret, key, strlen(key), hash);
	snprintf(shown, sizeof(shown), "%.*s", PERCH_KEY_SHOWN, key);
	res = perch_db_exec(conn, err, errlen,
			"INSERT INTO mqtt_keys (user_id, label, key_hash, shown) "
			"SELECT id, $2, $3, $4 FROM users WHERE username = $1 RETURNING id", 4, params);
	if(!res){
		return -1;
	}
	if(PQntuples(res) != 1){
		PQclear(res);
		snprintf(err, errlen, "no such user \"%s\"", username);
		return 1;
	}
	*id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return 0;
}

int perch_key_revoke(PGconn *conn, const char *username, int64_t key_id, char *err, size_t errlen)
{
	char idtext[24];
	const char *params[2] = { username, idtext };
	PGresult *res;
	int rc;

	snprintf(idtext, sizeof(idtext), "%" PRId64, key_id);
	res = perch_db_exec(conn, err, errlen,
			"UPDATE mqtt_keys k SET revoked_at = now() FROM users u "
			"WHERE k.user_id = u.id AND u.username = $1 AND k.id = $2 AND k.revoked_at IS NULL",
			2, params);
	if(!res){
		return -1;
	}
	rc = strcmp(PQcmdTuples(res), "1") == 0 ? 0 : 1;
	if(rc == 1){
		snprintf(err, errlen, "user \"%s\" has no active key %" PRId64, username, key_id);
	}
	PQclear(res);
	return rc;
}

int perch_user_by_key(PGconn *conn, const uint8_t secret[PERCH_SECRET_BYTES], const char *key,
		struct perch_user *out, char *err, size_t errlen)
{
	char hash[PERCH_KEY_HASH_HEX + 1];

	if(strlen(key) > 256){
		snprintf(err, errlen, "invalid key");
		return 1;
	}
	perch_key_hash(secret, key, strlen(key), hash);
	return fetch_user(conn,
			"SELECT u.id, u.username, u.role, u.disabled, u.rate_limit, u.max_connections, u.max_payload, "
			"u.max_feeds, u.max_dashboards, u.retention_days, "
			"(extract(epoch FROM u.created_at) * 1000000)::bigint, (extract(epoch FROM u.updated_at) * 1000000)::bigint "
			"FROM mqtt_keys k JOIN users u ON u.id = k.user_id "
			"WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND NOT u.disabled", hash, out, err, errlen);
}
