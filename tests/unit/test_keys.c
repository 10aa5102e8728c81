/* MQTT keys, their hashes, the service password and live tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "keys.h"

static const uint8_t secret_a[PERCH_SECRET_BYTES] = { 1, 2, 3 };
static const uint8_t secret_b[PERCH_SECRET_BYTES] = { 3, 2, 1 };

static void generated_keys(void **state)
{
	char k1[PERCH_KEY_LEN + 1], k2[PERCH_KEY_LEN + 1];
	assert_int_equal(perch_crypto_init(), 0);
	perch_key_generate(k1);
	perch_key_generate(k2);
	assert_int_equal(strlen(k1), PERCH_KEY_LEN);
	assert_memory_equal(k1, PERCH_KEY_PREFIX, strlen(PERCH_KEY_PREFIX));
	assert_string_not_equal(k1, k2);
	for(size_t i = strlen(PERCH_KEY_PREFIX); i < PERCH_KEY_LEN; i++){
		assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", k1[i]));
	}
	(void)state;
}

static void hashes(void **state)
{
	char h1[PERCH_KEY_HASH_HEX + 1], h2[PERCH_KEY_HASH_HEX + 1], h3[PERCH_KEY_HASH_HEX + 1], sp[PERCH_KEY_HASH_HEX + 1];
	perch_key_hash(secret_a, "perch_abc", 9, h1);
	perch_key_hash(secret_a, "perch_abc", 9, h2);
	perch_key_hash(secret_b, "perch_abc", 9, h3);
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_int_equal(strlen(h1), PERCH_KEY_HASH_HEX);
	perch_service_password(secret_a, sp);
	assert_string_not_equal(sp, h1);
	perch_key_hash(secret_a, "", 0, h2);
	assert_string_not_equal(sp, h2); /* domain separation */
	(void)state;
}

static void live_tokens(void **state)
{
	char tok[256];
	time_t now = 1700000000;
	assert_int_equal(perch_live_token_make(secret_a, "alice", now + 600, tok, sizeof(tok)), 0);
	assert_true(perch_live_token_check(secret_a, "alice", tok, now));
	assert_false(perch_live_token_check(secret_a, "alice", tok, now + 601));
	assert_false(perch_live_token_check(secret_b, "alice", tok, now));
	assert_false(perch_live_token_check(secret_a, "bob", tok, now));
	assert_false(perch_live_token_check(secret_a, "alic", tok, now));
	/* tampered expiry */
	char forged[256];
	snprintf(forged, sizeof(forged), "live1.alice.%ld.%s", (long)(now + 99999), strrchr(tok, '.') + 1);
	assert_false(perch_live_token_check(secret_a, "alice", forged, now));
	assert_false(perch_live_token_check(secret_a, "alice", "live1.alice.", now));
	assert_false(perch_live_token_check(secret_a, "alice", "perch_xyz", now));
	assert_int_equal(perch_live_token_make(secret_a, "alice", now, tok, 10), -1);
	(void)state;
}

static void secret_file(void **state)
{
	char path[] = "/tmp/perch-test-secret-XXXXXX";
	uint8_t s1[PERCH_SECRET_BYTES], s2[PERCH_SECRET_BYTES];
	char err[256];
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(perch_secret_load(path, false, s1, err, sizeof(err)), -1);
	assert_int_equal(perch_secret_load(path, true, s1, err, sizeof(err)), 0);
	assert_int_equal(perch_secret_load(path, false, s2, err, sizeof(err)), 0);
	assert_memory_equal(s1, s2, sizeof(s1));
	FILE *f = fopen(path, "w");
	fputs("not hex\n", f);
	fclose(f);
	assert_int_equal(perch_secret_load(path, false, s2, err, sizeof(err)), -1);
	unlink(path);
	(void)state;
}

static void constant_time_equal(void **state)
{
	assert_true(perch_str_equal_ct("abc", "abc"));
	assert_false(perch_str_equal_ct("abc", "abd"));
	assert_false(perch_str_equal_ct("abc", "abcd"));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generated_keys),
		cmocka_unit_test(hashes),
		cmocka_unit_test(live_tokens),
		cmocka_unit_test(secret_file),
		cmocka_unit_test(constant_time_equal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
