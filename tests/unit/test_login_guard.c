/* Failed sign-ins are slowed down per account and per address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "auth/login_guard.h"

static void free_failures_then_waits(void **state)
{
	struct perch_login_guard *g = perch_login_guard_new();
	int64_t t = 1000;
	for(int i = 0; i < 5; i++){
		assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.1", t), 0);
		perch_login_guard_failed(g, "alice", "10.0.0.1", t);
	}
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.1", t), 0);
	perch_login_guard_failed(g, "alice", "10.0.0.1", t);
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.1", t), 1);
	/* the account is slowed from any address */
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.2", t), 1);
	/* other accounts from that address are not (yet) */
	assert_int_equal(perch_login_guard_wait(g, "bob", "10.0.0.1", t), 0);
	/* the wait doubles */
	perch_login_guard_failed(g, "alice", "10.0.0.1", t);
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.1", t), 2);
	for(int i = 0; i < 30; i++){
		perch_login_guard_failed(g, "alice", "10.0.0.1", t);
	}
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.9", t), 15 * 60);
	assert_int_equal(perch_login_guard_wait(g, "alice", "10.0.0.9", t + 15 * 60), 0);
	perch_login_guard_free(g);
	(void)state;
}

static void address_flood(void **state)
{
	struct perch_login_guard *g = perch_login_guard_new();
	char name[32];
	for(int i = 0; i < 31; i++){
		snprintf(name, sizeof(name), "user%d", i);
		perch_login_guard_failed(g, name, "10.9.9.9", 50);
	}
	assert_true(perch_login_guard_wait(g, "someone-else", "10.9.9.9", 50) > 0);
	assert_int_equal(perch_login_guard_wait(g, "someone-else", "10.9.9.8", 50), 0);
	perch_login_guard_free(g);
	(void)state;
}

static void success_clears_account(void **state)
{
	struct perch_login_guard *g = perch_login_guard_new();
	for(int i = 0; i < 7; i++){
		perch_login_guard_failed(g, "carol", "a", 10);
	}
	assert_true(perch_login_guard_wait(g, "carol", "b", 10) > 0);
	perch_login_guard_succeeded(g, "carol", "a");
	assert_int_equal(perch_login_guard_wait(g, "carol", "b", 10), 0);
	perch_login_guard_free(g);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(free_failures_then_waits),
		cmocka_unit_test(address_flood),
		cmocka_unit_test(success_clears_account),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
