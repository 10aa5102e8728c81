/*
 * plugin/sessions.c: who is connected, who owns a client id, connection caps, what a new
 * snapshot revokes, and which offline clients are still vouched for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sessions.h"

#define HASH_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HASH_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HASH_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define S(n) ((int64_t)(n) * 1000000000LL)

/* Stand-ins for the broker's client contexts: only their addresses matter. */
static char clients[8];
#define A (&clients[0])
#define B (&clients[1])
#define C (&clients[2])
#define D (&clients[3])

struct fixture {
	struct perch_sessions ss;
	struct perch_snapshot *snap;
};

/* alice (key 10, limit 2 connections), bob (key 20), ines instructor (key 30). */
static struct perch_snapshot *make_snapshot(bool alice_disabled, bool with_key10)
{
	struct perch_snapshot *snap = perch_snapshot_new();

	assert_non_null(snap);
	assert_int_equal(perch_snapshot_add_user(snap, 1, "alice", PERCH_ROLE_STUDENT, alice_disabled, 50, 2, 100), 0);
	assert_int_equal(perch_snapshot_add_user(snap, 2, "bob", PERCH_ROLE_STUDENT, false, 50, 10, 100), 0);
	assert_int_equal(perch_snapshot_add_user(snap, 3, "ines", PERCH_ROLE_INSTRUCTOR, false, 50, 10, 100), 0);
	if(with_key10){
		assert_int_equal(perch_snapshot_add_key(snap, 10, 1, HASH_A), 0);
	}
	assert_int_equal(perch_snapshot_add_key(snap, 20, 2, HASH_B), 0);
	assert_int_equal(perch_snapshot_add_key(snap, 30, 3, HASH_C), 0);
	return snap;
}

static int setup(void **state)
{
	static struct fixture f;

	perch_sessions_init(&f.ss);
	f.snap = make_snapshot(false, true);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	perch_sessions_clear(&f->ss);
	perch_snapshot_free(f->snap);
	return 0;
}

static struct perch_user_state *user(struct fixture *f, const char *name)
{
	struct perch_user_state *us = perch_user_state_get(&f->ss, perch_snapshot_user(f->snap, name), 0);

	assert_non_null(us);
	return us;
}

/* Authenticates like the plugin does: admit, then add. */
static struct perch_session *connect_as(struct fixture *f, const void *client, const char *clientid,
		const char *name, int64_t key_id, bool persistent)
{
	struct perch_user_state *us = user(f, name);
	struct perch_session *s;

	assert_int_equal(perch_sessions_admit(&f->ss, clientid, name, us, false), PERCH_ADMIT_OK);
	s = perch_sessions_add(&f->ss, client, clientid, name, us->su->role, us, key_id, key_id == 0,
			persistent, 0);
	assert_non_null(s);
	return s;
}

static void test_add_find_remove(void **state)
{
	struct fixture *f = *state;
	struct perch_session *s = connect_as(f, A, "board-1", "alice", 10, false);

	assert_ptr_equal(perch_session_find(&f->ss, A), s);
	assert_null(perch_session_find(&f->ss, B));
	assert_string_equal(s->clientid, "board-1");
	assert_string_equal(s->username, "alice");
	assert_int_equal(s->key_id, 10);
	assert_int_equal(user(f, "alice")->conns, 1);
	assert_ptr_equal(perch_owner_find(&f->ss, "board-1")->session, s);

	perch_sessions_remove(&f->ss, A, S(1));
	assert_null(perch_session_find(&f->ss, A));
	assert_int_equal(user(f, "alice")->conns, 0);
	assert_null(perch_owner_find(&f->ss, "board-1")->session);
	/* A socket that never authenticated has no session: removing it is harmless. */
	perch_sessions_remove(&f->ss, D, S(1));
}

static void test_clientid_of_other_user_refused(void **state)
{
	struct fixture *f = *state;

	connect_as(f, A, "board-1", "alice", 10, false);
	assert_int_equal(perch_sessions_admit(&f->ss, "board-1", "bob", user(f, "bob"), false),
			PERCH_ADMIT_CLIENTID_TAKEN);
	assert_int_equal(perch_sessions_admit(&f->ss, "board-1", "", NULL, false), PERCH_ADMIT_CLIENTID_TAKEN);
	assert_int_equal(perch_sessions_admit(&f->ss, "board-1", "alice", user(f, "alice"), false), PERCH_ADMIT_OK);
	assert_int_equal(perch_sessions_admit(&f->ss, "board-2", "bob", user(f, "bob"), false), PERCH_ADMIT_OK);
}

static void test_service_clientids_reserved(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(perch_sessions_admit(&f->ss, PERCH_SERVICE_USER "-ingest", "alice", user(f, "alice"), false),
			PERCH_ADMIT_CLIENTID_TAKEN);
	assert_int_equal(perch_sessions_admit(&f->ss, PERCH_SERVICE_USER, "", NULL, false), PERCH_ADMIT_CLIENTID_TAKEN);
	assert_int_equal(perch_sessions_admit(&f->ss, PERCH_SERVICE_USER "-ingest", PERCH_SERVICE_USER, NULL, false),
			PERCH_ADMIT_OK);
	assert_int_equal(perch_sessions_admit(&f->ss, "perch-board", "alice", user(f, "alice"), false), PERCH_ADMIT_OK);
}

static void test_takeover_by_same_user(void **state)
{
	struct fixture *f = *state;
	struct perch_session *old = connect_as(f, A, "board-1", "alice", 10, false);
	struct perch_session *new = connect_as(f, B, "board-1", "alice", 10, false);

	assert_ptr_equal(perch_owner_find(&f->ss, "board-1")->session, new);
	assert_ptr_equal(perch_session_find(&f->ss, A), old);
	assert_int_equal(user(f, "alice")->conns, 2);

	/* The broker disconnects the old context after the new one authenticated. */
	perch_sessions_remove(&f->ss, A, S(1));
	assert_ptr_equal(perch_owner_find(&f->ss, "board-1")->session, new);
	assert_ptr_equal(perch_session_find(&f->ss, B), new);
	assert_int_equal(user(f, "alice")->conns, 1);
	assert_int_equal(perch_sessions_admit(&f->ss, "board-1", "bob", user(f, "bob"), false),
			PERCH_ADMIT_CLIENTID_TAKEN);
}

static void test_connection_cap(void **state)
{
	struct fixture *f = *state;

	connect_as(f, A, "a-1", "alice", 10, false);
	connect_as(f, B, "a-2", "alice", 10, false);
	assert_int_equal(perch_sessions_admit(&f->ss, "a-3", "alice", user(f, "alice"), false), PERCH_ADMIT_TOO_MANY);
	/* Reconnecting with a held id replaces that connection, so it fits under the cap. */
	assert_int_equal(perch_sessions_admit(&f->ss, "a-2", "alice", user(f, "alice"), false), PERCH_ADMIT_OK);
	/* No user state: the service account is not capped. */
	assert_int_equal(perch_sessions_admit(&f->ss, "svc", PERCH_SERVICE_USER, NULL, false), PERCH_ADMIT_OK);

	perch_sessions_remove(&f->ss, A, S(1));
	assert_int_equal(perch_sessions_admit(&f->ss, "a-3", "alice", user(f, "alice"), false), PERCH_ADMIT_OK);
}

static void test_stale_pointer_replaced(void **state)
{
	struct fixture *f = *state;

	connect_as(f, A, "a-1", "alice", 10, false);
	/* Same address again without a disconnect in between (a reused context). */
	connect_as(f, A, "b-1", "bob", 20, false);
	assert_int_equal(user(f, "alice")->conns, 0);
	assert_int_equal(user(f, "bob")->conns, 1);
	assert_string_equal(perch_session_find(&f->ss, A)->username, "bob");
	assert_null(perch_owner_find(&f->ss, "a-1")->session);
}

static void test_persistent_owner_survives(void **state)
{
	struct fixture *f = *state;

	connect_as(f, A, "board-p", "alice", 10, true);
	connect_as(f, B, "board-c", "alice", 10, false);
	perch_sessions_remove(&f->ss, A, S(1));
	perch_sessions_remove(&f->ss, B, S(1));

	/* The broker keeps board-p's queue for alice: bob must not inherit it. */
	assert_int_equal(perch_sessions_admit(&f->ss, "board-p", "bob", user(f, "bob"), false),
			PERCH_ADMIT_CLIENTID_TAKEN);
	/* A clean session leaves nothing behind. */
	assert_int_equal(perch_sessions_admit(&f->ss, "board-c", "bob", user(f, "bob"), false), PERCH_ADMIT_OK);
	/* With a clean start bob may take board-p: the broker then discards alice's queue, so
	 * nobody can lock a board out by claiming its id while it is off. */
	assert_int_equal(perch_sessions_admit(&f->ss, "board-p", "bob", user(f, "bob"), true), PERCH_ADMIT_OK);

	perch_sessions_prune(&f->ss, S(1) + PERCH_OWNER_GRACE_NS + 1);
	assert_non_null(perch_owner_find(&f->ss, "board-p"));
	assert_null(perch_owner_find(&f->ss, "board-c"));
}

static void test_clean_owner_changes_hands(void **state)
{
	struct fixture *f = *state;
	enum perch_role role;

	connect_as(f, A, "shared", "alice", 10, false);
	perch_sessions_remove(&f->ss, A, S(1));
	connect_as(f, B, "shared", "bob", 20, false);
	assert_string_equal(perch_owner_find(&f->ss, "shared")->username, "bob");
	/* alice's late will on that id is no longer vouched for. */
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, "shared", "alice", &role));
}

static void test_offline_role(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *disabled;
	enum perch_role role = PERCH_ROLE_ANONYMOUS;

	connect_as(f, A, "board-p", "ines", 30, true);
	perch_sessions_remove(&f->ss, A, S(1));
	assert_true(perch_sessions_offline_role(&f->ss, f->snap, "board-p", "ines", &role));
	assert_int_equal(role, PERCH_ROLE_INSTRUCTOR);
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, "board-p", "bob", &role));
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, "board-p", NULL, &role));
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, "nobody", "ines", &role));
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, NULL, "ines", &role));
	assert_false(perch_sessions_offline_role(&f->ss, NULL, "board-p", "ines", &role));

	assert_non_null(perch_sessions_add(&f->ss, B, "svc", PERCH_SERVICE_USER, PERCH_ROLE_SERVICE,
			NULL, 0, false, true, 0));
	perch_sessions_remove(&f->ss, B, S(1));
	assert_true(perch_sessions_offline_role(&f->ss, NULL, "svc", PERCH_SERVICE_USER, &role));
	assert_int_equal(role, PERCH_ROLE_SERVICE);

	assert_non_null(perch_sessions_add(&f->ss, C, "anon", "", PERCH_ROLE_ANONYMOUS, NULL, 0, false, true, 0));
	assert_true(perch_sessions_offline_role(&f->ss, f->snap, "anon", NULL, &role));
	assert_int_equal(role, PERCH_ROLE_ANONYMOUS);

	connect_as(f, D, "alice-p", "alice", 10, true);
	perch_sessions_remove(&f->ss, D, S(1));
	disabled = make_snapshot(true, true);
	assert_false(perch_sessions_offline_role(&f->ss, disabled, "alice-p", "alice", &role));
	perch_snapshot_free(disabled);
}

static void test_offline_records_capped_per_user(void **state)
{
	struct fixture *f = *state;
	char id[32];
	int i;

	for(i = 0; i < PERCH_OWNER_PER_USER + 10; i++){
		snprintf(id, sizeof(id), "p-%d", i);
		assert_non_null(perch_sessions_add(&f->ss, A, id, "alice", PERCH_ROLE_STUDENT,
				user(f, "alice"), 10, false, true, S(i)));
		perch_sessions_remove(&f->ss, A, S(i));
	}
	connect_as(f, B, "b-p", "bob", 20, true);
	perch_sessions_remove(&f->ss, B, S(1));

	assert_int_equal(HASH_COUNT(f->ss.owners), PERCH_OWNER_PER_USER + 1);
	assert_null(perch_owner_find(&f->ss, "p-0"));
	assert_non_null(perch_owner_find(&f->ss, "p-265"));
	/* One user's churn never evicts another user's record. */
	assert_non_null(perch_owner_find(&f->ss, "b-p"));
}

static void test_snapshot_revokes(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = make_snapshot(false, false); /* alice's key 10 revoked */
	struct perch_session *keyed, *bob, *svc;
	struct perch_kick *kicks;
	int n;

	keyed = connect_as(f, A, "a-1", "alice", 10, false);
	bob = connect_as(f, B, "b-1", "bob", 20, false);
	svc = perch_sessions_add(&f->ss, C, "svc", PERCH_SERVICE_USER, PERCH_ROLE_SERVICE, NULL, 0, false, true, 0);

	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;

	assert_int_equal(n, 1);
	assert_string_equal(kicks[0].clientid, "a-1");
	assert_string_equal(kicks[0].username, "alice");
	assert_string_equal(kicks[0].why, "key revoked");
	perch_kicks_free(kicks, n);
	assert_true(keyed->revoked);
	assert_true(perch_owner_find(&f->ss, "a-1")->revoked);
	assert_false(bob->revoked);
	assert_false(svc->revoked);
	/* User states now point into the new snapshot. */
	assert_ptr_equal(bob->user->su, perch_snapshot_user(next, "bob"));

	/* Already revoked: not listed again. */
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	assert_int_equal(n, 0);
	perch_kicks_free(kicks, n);
}

static void test_revoked_id_not_vouched_for(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = make_snapshot(false, false);
	struct perch_kick *kicks;
	enum perch_role role;
	int n;

	connect_as(f, A, "a-p", "alice", 10, true);
	assert_true(perch_sessions_offline_role(&f->ss, f->snap, "a-p", "alice", &role));
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;
	perch_kicks_free(kicks, n);
	perch_sessions_remove(&f->ss, A, S(1)); /* the kick's disconnect */
	/* No will, no queued messages for the kicked client, even though alice is still enabled. */
	assert_false(perch_sessions_offline_role(&f->ss, f->snap, "a-p", "alice", &role));
	/* Still hers: nobody else may take it. A valid login reclaims it. */
	assert_int_equal(perch_sessions_admit(&f->ss, "a-p", "bob", user(f, "bob"), false), PERCH_ADMIT_CLIENTID_TAKEN);
	connect_as(f, B, "a-p", "alice", 0, true);
	assert_true(perch_sessions_offline_role(&f->ss, f->snap, "a-p", "alice", &role));
}

static void test_disabled_user_kicks_live_session(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = make_snapshot(true, true);
	struct perch_kick *kicks;
	int n;

	connect_as(f, A, "web-1", "alice", 0, false); /* live token */
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;
	assert_int_equal(n, 1);
	assert_string_equal(kicks[0].why, "user disabled");
	perch_kicks_free(kicks, n);
}

static void test_taken_over_session_not_kicked(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = make_snapshot(false, false);
	struct perch_session *old;
	struct perch_kick *kicks;
	int n;

	old = connect_as(f, A, "board-1", "alice", 10, false);
	connect_as(f, B, "board-1", "alice", 0, false); /* same id, now with a live token */
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;
	/* Kicking "board-1" would hit the new connection, whose credentials still hold. */
	assert_int_equal(n, 0);
	assert_true(old->revoked);
	perch_kicks_free(kicks, n);
}

static void test_deleted_user_state_forgotten(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = perch_snapshot_new();
	struct perch_user_state *us;
	struct perch_kick *kicks;
	int n;

	connect_as(f, A, "b-1", "bob", 20, false);
	user(f, "alice"); /* a state without connections */
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;
	assert_int_equal(n, 1);
	assert_string_equal(kicks[0].why, "user deleted");
	perch_kicks_free(kicks, n);

	HASH_FIND(hh, f->ss.users, "alice", 5, us);
	assert_null(us);
	HASH_FIND(hh, f->ss.users, "bob", 3, us);
	assert_non_null(us); /* still has its (revoked) connection */
	assert_null(us->su);
	assert_int_equal(perch_session_role(perch_session_find(&f->ss, A)), PERCH_ROLE_STUDENT);
}

static void test_role_follows_snapshot(void **state)
{
	struct fixture *f = *state;
	struct perch_snapshot *next = perch_snapshot_new();
	struct perch_session *s = connect_as(f, A, "b-1", "bob", 20, false);
	struct perch_kick *kicks;
	int n;

	assert_int_equal(perch_session_role(s), PERCH_ROLE_STUDENT);
	assert_int_equal(perch_snapshot_add_user(next, 2, "bob", PERCH_ROLE_INSTRUCTOR, false, 50, 10, 100), 0);
	assert_int_equal(perch_snapshot_add_key(next, 20, 2, HASH_B), 0);
	n = perch_sessions_apply_snapshot(&f->ss, next, &kicks);
	perch_snapshot_free(f->snap);
	f->snap = next;
	assert_int_equal(n, 0);
	perch_kicks_free(kicks, n);
	assert_int_equal(perch_session_role(s), PERCH_ROLE_INSTRUCTOR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clientid_of_other_user_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service_clientids_reserved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_takeover_by_same_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_pointer_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistent_owner_survives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_owner_changes_hands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_records_capped_per_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_revokes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_id_not_vouched_for, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_user_kicks_live_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_taken_over_session_not_kicked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_user_state_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_follows_snapshot, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
