/*
 * Who may read, write and subscribe to what (DESIGN.md, "Topics: each user owns a namespace").
 * One pure function, shared by the broker plugin and the tests, so the rules live in one place.
 */
#ifndef PERCH_ACL_H
#define PERCH_ACL_H

#include <stdbool.h>

enum perch_role {
	PERCH_ROLE_ANONYMOUS = 0, /* no credentials (only when the option allows it) */
	PERCH_ROLE_STUDENT,
	PERCH_ROLE_INSTRUCTOR,
	PERCH_ROLE_ADMIN,
	PERCH_ROLE_SERVICE,       /* perch's own daemon */
};

enum perch_access {
	PERCH_ACCESS_READ,      /* a message on this concrete topic is delivered to the client */
	PERCH_ACCESS_WRITE,     /* the client publishes on this concrete topic */
	PERCH_ACCESS_SUBSCRIBE, /* the client subscribes to this filter (may hold wildcards, $share/) */
};

/* Parses "student", "instructor", "admin"; anything else is a student. */
enum perch_role perch_role_from_string(const char *s);
const char *perch_role_name(enum perch_role role);

/*
 * Decides an access. user is the client's user name (NULL or "" when anonymous).
 * Returns true when allowed; when denied and why is not NULL, *why points to a static reason
 * suitable for the user's errors topic.
 */
bool perch_acl_check(const char *user, enum perch_role role, const char *topic,
		enum perch_access access, const char **why);

#endif
