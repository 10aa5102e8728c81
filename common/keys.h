/*
 * Credentials that the daemon makes and the plugin checks: MQTT keys (random, stored as a keyed
 * hash), the daemon's own service password, and the short-lived live tokens of the web app.
 * All built on libsodium; call perch_crypto_init() once first.
 */
#ifndef PERCH_KEYS_H
#define PERCH_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PERCH_SECRET_BYTES 32
#define PERCH_KEY_PREFIX "perch_"
#define PERCH_KEY_LEN 38          /* "perch_" + 32 base62 characters, about 190 bits */
#define PERCH_KEY_HASH_HEX 64     /* hex of a 32-byte keyed BLAKE2b hash */
#define PERCH_KEY_SHOWN 12        /* characters of a key kept in clear to recognise it in lists */
#define PERCH_SERVICE_USER "perch-service"

int perch_crypto_init(void);

/*
 * Loads the server secret from path (64 hex characters). When the file does not exist and
 * create is true, makes a new random one and writes it with mode 0600.
 * Returns 0, or -1 with a message in err.
 */
int perch_secret_load(const char *path, bool create, uint8_t secret[PERCH_SECRET_BYTES],
		char *err, size_t errlen);

/* Writes a new random MQTT key, NUL-terminated, into out (at least PERCH_KEY_LEN + 1 bytes). */
void perch_key_generate(char *out);

/* The stored form of a key: hex of BLAKE2b(key) keyed with the server secret. */
void perch_key_hash(const uint8_t secret[PERCH_SECRET_BYTES], const char *key, size_t len,
		char out[PERCH_KEY_HASH_HEX + 1]);

/* The password of the daemon's own broker account, derived from the server secret. */
void perch_service_password(const uint8_t secret[PERCH_SECRET_BYTES], char out[PERCH_KEY_HASH_HEX + 1]);

/*
 * Live tokens: "live1.{user}.{expiry unix seconds}.{hex signature}", used as the MQTT password
 * of a browser tab. make returns 0 or -1 when out is too small; check returns true only for a
 * token signed with secret, for that user, not yet expired at now.
 */
int perch_live_token_make(const uint8_t secret[PERCH_SECRET_BYTES], const char *user, time_t expires,
		char *out, size_t outlen);
bool perch_live_token_check(const uint8_t secret[PERCH_SECRET_BYTES], const char *user,
		const char *token, time_t now);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void perch_hex(const uint8_t *in, size_t len, char *out);

/* Constant-time equality of two NUL-terminated strings. */
bool perch_str_equal_ct(const char *a, const char *b);

#endif
