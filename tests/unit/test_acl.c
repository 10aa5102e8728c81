/* The topic rules of DESIGN.md as one table of cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "acl.h"

#define R PERCH_ACCESS_READ
#define W PERCH_ACCESS_WRITE
#define S PERCH_ACCESS_SUBSCRIBE
#define STU PERCH_ROLE_STUDENT
#define INS PERCH_ROLE_INSTRUCTOR

struct acl_case {
	const char *user;
	enum perch_role role;
	const char *topic;
	enum perch_access access;
	bool allowed;
};

static const struct acl_case cases[] = {
	/* own namespace */
	{ "alice", STU, "alice/feeds/temp", W, true },
	{ "alice", STU, "alice/feeds/temp", R, true },
	{ "alice", STU, "alice/feeds/#", S, true },
	{ "alice", STU, "alice/#", S, true },
	{ "alice", STU, "alice/photon2/temperature", W, true },
	{ "alice", STU, "alice/errors", S, true },
	{ "alice", STU, "alice/errors", R, true },
	{ "alice", STU, "alice/errors", W, false },
	{ "alice", STU, "alice/throttle", W, false },
	{ "alice", STU, "alice", W, false },
	{ "alice", STU, "alice/feeds/temp/get", W, true },
	{ "alice", STU, "alice/feeds/temp/get", R, false },
	{ "prof", INS, "alice/feeds/temp/get", R, false },
	/* another student's namespace */
	{ "alice", STU, "bob/feeds/temp", W, false },
	{ "alice", STU, "bob/feeds/temp", R, false },
	{ "alice", STU, "bob/#", S, false },
	{ "alice", STU, "bob/feeds/+", S, false },
	{ "alice", STU, "bob/errors", S, false },
	{ "alice", STU, "$share/g/bob/#", S, false },
	{ "alice", STU, "alicex/feeds/a", W, false },
	{ "alice", STU, "alic/feeds/a", R, false },
	/* wildcards: allowed to subscribe, each delivery checked with READ */
	{ "alice", STU, "#", S, true },
	{ "alice", STU, "+/feeds/#", S, true },
	{ "alice", STU, "$share/g/#", S, true },
	{ "alice", STU, "$share/g/alice/#", S, true },
	{ "alice", STU, "$share/g", S, false },
	{ "alice", STU, "$share//x", S, false },
	/* shared topics */
	{ "alice", STU, "time/seconds", S, true },
	{ "alice", STU, "time/seconds", R, true },
	{ "alice", STU, "time/seconds", W, false },
	{ "alice", STU, "class/news", R, true },
	{ "alice", STU, "class/news", W, false },
	{ "prof", INS, "class/news", W, true },
	{ "alice", STU, "$SYS/#", S, false },
	{ "alice", STU, "$SYS/broker/uptime", R, false },
	{ "alice", STU, "$SYS/x", W, false },
	/* instructors watch everyone, write only their own and class/ */
	{ "prof", INS, "+/feeds/#", S, true },
	{ "prof", INS, "alice/feeds/temp", R, true },
	{ "prof", INS, "alice/#", S, true },
	{ "prof", INS, "alice/feeds/temp", W, false },
	{ "prof", INS, "$SYS/#", S, false },
	/* anonymous: time/ only, read only */
	{ NULL, PERCH_ROLE_ANONYMOUS, "time/seconds", S, true },
	{ NULL, PERCH_ROLE_ANONYMOUS, "time/seconds", R, true },
	{ NULL, PERCH_ROLE_ANONYMOUS, "time/seconds", W, false },
	{ NULL, PERCH_ROLE_ANONYMOUS, "#", S, false },
	{ NULL, PERCH_ROLE_ANONYMOUS, "alice/feeds/x", R, false },
	/* perch itself */
	{ "perch-service", PERCH_ROLE_SERVICE, "alice/errors", W, true },
	{ "perch-service", PERCH_ROLE_SERVICE, "time/seconds", W, true },
	{ "admin", PERCH_ROLE_ADMIN, "$SYS/#", S, true },
};

static void table(void **state)
{
	for(size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++){
		const struct acl_case *c = &cases[i];
		const char *why = NULL;
		bool got = perch_acl_check(c->user, c->role, c->topic, c->access, &why);
		if(got != c->allowed){
			print_error("case %zu: %s (%s) %s access %d: expected %s\n", i, c->user ? c->user : "(anon)",
					perch_role_name(c->role), c->topic, (int)c->access, c->allowed ? "allow" : "deny");
		}
		assert_int_equal(got, c->allowed);
		if(!got){
			assert_non_null(why);
		}
	}
	(void)state;
}

static void roles(void **state)
{
	assert_int_equal(perch_role_from_string("instructor"), PERCH_ROLE_INSTRUCTOR);
	assert_int_equal(perch_role_from_string("admin"), PERCH_ROLE_ADMIN);
	assert_int_equal(perch_role_from_string("student"), PERCH_ROLE_STUDENT);
	assert_int_equal(perch_role_from_string("root"), PERCH_ROLE_STUDENT);
	assert_string_equal(perch_role_name(PERCH_ROLE_INSTRUCTOR), "instructor");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table),
		cmocka_unit_test(roles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
