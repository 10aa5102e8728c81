/* plugin/snapshot.c: building the users-and-keys snapshot and looking things up in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "snapshot.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static struct perch_snapshot *two_users(void)
{
	struct perch_snapshot *snap = perch_snapshot_new();

	assert_non_null(snap);
	assert_int_equal(perch_snapshot_add_user(snap, 1, "alice", PERCH_ROLE_STUDENT, false, 50, 10, 1000), 0);
	assert_int_equal(perch_snapshot_add_user(snap, 2, "ines", PERCH_ROLE_INSTRUCTOR, true, 5, 2, 100), 0);
	return snap;
}

static void test_users(void **state)
{
	struct perch_snapshot *snap = two_users();
	const struct perch_snap_user *u;

	u = perch_snapshot_user(snap, "alice");
	assert_non_null(u);
	assert_int_equal(u->id, 1);
	assert_int_equal(u->role, PERCH_ROLE_STUDENT);
	assert_false(u->disabled);
	assert_int_equal(u->rate_limit, 50);
	assert_int_equal(u->max_connections, 10);
	assert_int_equal(u->max_payload, 1000);

	u = perch_snapshot_user(snap, "ines");
	assert_non_null(u);
	assert_true(u->disabled);
	assert_int_equal(u->role, PERCH_ROLE_INSTRUCTOR);

	assert_null(perch_snapshot_user(snap, "bob"));
	assert_null(perch_snapshot_user(snap, "alic"));
	assert_null(perch_snapshot_user(snap, NULL));
	assert_null(perch_snapshot_user(NULL, "alice"));
	assert_int_equal(snap->n_users, 2);
	perch_snapshot_free(snap);
}

static void test_duplicate_users(void **state)
{
	struct perch_snapshot *snap = two_users();

	assert_int_equal(perch_snapshot_add_user(snap, 3, "alice", PERCH_ROLE_STUDENT, false, 1, 1, 1), -1);
	assert_int_equal(perch_snapshot_add_user(snap, 1, "carol", PERCH_ROLE_STUDENT, false, 1, 1, 1), -1);
	assert_int_equal(perch_snapshot_add_user(snap, 4, "", PERCH_ROLE_STUDENT, false, 1, 1, 1), -1);
	assert_int_equal(snap->n_users, 2);
	perch_snapshot_free(snap);
}

static void test_keys(void **state)
{
	struct perch_snapshot *snap = two_users();
	const struct perch_snap_key *k;

	assert_int_equal(perch_snapshot_add_key(snap, 10, 1, HASH_A), 0);
	assert_int_equal(perch_snapshot_add_key(snap, 11, 2, HASH_B), 0);

	k = perch_snapshot_key(snap, HASH_A);
	assert_non_null(k);
	assert_int_equal(k->id, 10);
	assert_ptr_equal(k->user, perch_snapshot_user(snap, "alice"));
	assert_ptr_equal(perch_snapshot_key_by_id(snap, 11), perch_snapshot_key(snap, HASH_B));
	assert_null(perch_snapshot_key_by_id(snap, 12));
	assert_null(perch_snapshot_key(snap, "aaaa"));
	assert_null(perch_snapshot_key(snap, NULL));
	assert_int_equal(snap->n_keys, 2);
	perch_snapshot_free(snap);
}

static void test_key_hash_case(void **state)
{
	struct perch_snapshot *snap = two_users();
	char upper[] = "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF";

	/* perch_key_hash writes lower case: a hash stored in upper case must still match. */
	assert_int_equal(perch_snapshot_add_key(snap, 10, 1, upper), 0);
	assert_non_null(perch_snapshot_key(snap, HASH_B));
	perch_snapshot_free(snap);
}

static void test_bad_keys(void **state)
{
	struct perch_snapshot *snap = two_users();

	assert_int_equal(perch_snapshot_add_key(snap, 10, 1, HASH_A), 0);
	assert_int_equal(perch_snapshot_add_key(snap, 11, 99, HASH_B), -1);  /* unknown user */
	assert_int_equal(perch_snapshot_add_key(snap, 10, 1, HASH_B), -1);   /* duplicate id */
	assert_int_equal(perch_snapshot_add_key(snap, 12, 2, HASH_A), -1);   /* duplicate hash */
	assert_int_equal(perch_snapshot_add_key(snap, 13, 1, "abc"), -1);    /* too short */
	assert_int_equal(perch_snapshot_add_key(snap, 14, 1, HASH_A "0"), -1); /* too long */
	assert_int_equal(perch_snapshot_add_key(snap, 15, 1,
			"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"), -1);
	assert_int_equal(perch_snapshot_add_key(snap, 16, 1, NULL), -1);
	assert_int_equal(snap->n_keys, 1);
	perch_snapshot_free(snap);
}

static void test_free_null(void **state)
{
	perch_snapshot_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_duplicate_users),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_key_hash_case),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
