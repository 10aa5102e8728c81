#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static const char base62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int perch_crypto_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void perch_hex(const uint8_t *in, size_t len, char *out)
{
	sodium_bin2hex(out, len * 2 + 1, in, len);
}

bool perch_str_equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if(la != lb){
		return false;
	}
	return sodium_memcmp(a, b, la) == 0;
}

static int secret_read(const char *path, uint8_t secret[PERCH_SECRET_BYTES], char *err, size_t errlen)
{
	char hex[PERCH_SECRET_BYTES * 2 + 2];
	size_t binlen = 0;
	FILE *f = fopen(path, "r");

	if(!f){
		snprintf(err, errlen, "cannot open secret file %s: %s", path, strerror(errno));
		return -1;
	}
	memset(hex, 0, sizeof(hex));
	if(!fgets(hex, sizeof(hex), f)){
		fclose(f);
		snprintf(err, errlen, "secret file %s is empty", path);
		return -1;
	}
	fclose(f);
	hex[strcspn(hex, "\r\n")] = '\0';
	if(strlen(hex) != PERCH_SECRET_BYTES * 2
			|| sodium_hex2bin(secret, PERCH_SECRET_BYTES, hex, strlen(hex), NULL, &binlen, NULL) != 0
			|| binlen != PERCH_SECRET_BYTES){
		snprintf(err, errlen, "secret file %s must hold %d hex characters", path, PERCH_SECRET_BYTES * 2);
		return -1;
	}
	return 0;
}

static int secret_create(const char *path, uint8_t secret[PERCH_SECRET_BYTES], char *err, size_t errlen)
{
	char hex[PERCH_SECRET_BYTES * 2 + 1];
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ssize_t n;

	if(fd < 0){
		snprintf(err, errlen, "cannot create secret file %s: %s", path, strerror(errno));
		return -1;
	}
	randombytes_buf(secret, PERCH_SECRET_BYTES);
	perch_hex(secret, PERCH_SECRET_BYTES, hex);
	hex[PERCH_SECRET_BYTES * 2] = '\n';
	n = write(fd, hex, sizeof(hex));
	if(n != (ssize_t)sizeof(hex) || fsync(fd) != 0){
		snprintf(err, errlen, "cannot write secret file %s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd) == 0 ? 0 : -1;
}

int perch_secret_load(const char *path, bool create, uint8_t secret[PERCH_SECRET_BYTES],
		char *err, size_t errlen)
{
	if(create && access(path, F_OK) != 0){
		if(secret_create(path, secret, err, errlen) == 0){
			return 0;
		}
		/* another process may have created it at the same moment: read theirs */
		if(errno != EEXIST){
			return -1;
		}
	}
	return secret_read(path, secret, err, errlen);
}

void perch_key_generate(char *out)
{
	size_t prefix = strlen(PERCH_KEY_PREFIX);

	memcpy(out, PERCH_KEY_PREFIX, prefix);
	for(size_t i = prefix; i < PERCH_KEY_LEN; i++){
		out[i] = base62[randombytes_uniform(62)];
	}
	out[PERCH_KEY_LEN] = '\0';
}

static void keyed_hash_hex(const uint8_t secret[PERCH_SECRET_BYTES], const char *domain,
		const char *msg, size_t len, char out[PERCH_KEY_HASH_HEX + 1])
{
	uint8_t digest[32];
	crypto_generichash_state st;

	/* The domain string keeps a key hash from ever equalling a service password or signature. */
	crypto_generichash_init(&st, secret, PERCH_SECRET_BYTES, sizeof(digest));
	crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
	crypto_generichash_update(&st, (const unsigned char *)msg, len);
	crypto_generichash_final(&st, digest, sizeof(digest));
	perch_hex(digest, sizeof(digest), out);
}

void perch_key_hash(const uint8_t secret[PERCH_SECRET_BYTES], const char *key, size_t len,
		char out[PERCH_KEY_HASH_HEX + 1])
{
	keyed_hash_hex(secret, "perch mqtt key", key, len, out);
}

void perch_service_password(const uint8_t secret[PERCH_SECRET_BYTES], char out[PERCH_KEY_HASH_HEX + 1])
{
	keyed_hash_hex(secret, "perch service password", "", 0, out);
}

static void live_signature(const uint8_t secret[PERCH_SECRET_BYTES], const char *user, int64_t expires,
		char out[PERCH_KEY_HASH_HEX + 1])
{
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "%s.%" PRId64, user, expires);
	keyed_hash_hex(secret, "perch live token", msg, (size_t)n, out);
}

int perch_live_token_make(const uint8_t secret[PERCH_SECRET_BYTES], const char *user, time_t expires,
		char *out, size_t outlen)
{
	char sig[PERCH_KEY_HASH_HEX + 1];
	int n;

	if(strlen(user) > 64){
		return -1;
	}
	live_signature(secret, user, (int64_t)expires, sig);
	n = snprintf(out, outlen, "live1.%s.%" PRId64 ".%s", user, (int64_t)expires, sig);
	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

bool perch_live_token_check(const uint8_t secret[PERCH_SECRET_BYTES], const char *user,
		const char *token, time_t now)
{
	char expect[PERCH_KEY_HASH_HEX + 1];
	const char *p, *dot;
	size_t ulen = strlen(user);
	char *end = NULL;
	long long expires;

	if(strncmp(token, "live1.", 6) != 0){
		return false;
	}
	p = token + 6;
	if(strncmp(p, user, ulen) != 0 || p[ulen] != '.'){
		return false;
	}
	p += ulen + 1;
	errno = 0;
	expires = strtoll(p, &end, 10);
	if(errno || end == p || *end != '.' || expires < (long long)now){
		return false;
	}
	dot = end;
	live_signature(secret, user, (int64_t)expires, expect);
	return perch_str_equal_ct(dot + 1, expect);
}
