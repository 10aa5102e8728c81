/*
 * The broker thread's view of who is connected: one session per authenticated client
 * connection (keyed by the broker's `struct mosquitto *`), who owns each client id, and the
 * per-user state that must span all of a user's connections (connection count, message rate).
 * Touched only on the broker thread, so it has no locks. Knows nothing of the broker API, so
 * that it can be unit-tested.
 */
#ifndef PERCH_PLUGIN_SESSIONS_H
#define PERCH_PLUGIN_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acl.h"
#include "ratelimit.h"
#include "snapshot.h"
#include "uthash_cfg.h"

/* An owner record may outlive its connection; how long and how many (see perch_sessions_prune). */
#define PERCH_OWNER_GRACE_NS (60LL * 1000000000LL) /* clean sessions: long enough for a will */
#define PERCH_OWNER_PER_USER 256                   /* persistent sessions remembered per user */
#define PERCH_NOTICE_RATE 4.0                      /* notices/s to {user}/errors */

struct perch_user_state {
	char *username;
	const struct perch_snap_user *su; /* in the installed snapshot; NULL once the user is gone */
	int conns;                        /* open sessions */
	struct perch_bucket rate;         /* the user's message rate, all connections together */
	struct perch_bucket notices;      /* notices to {user}/errors */
	int64_t last_throttle_ns;         /* last notice to {user}/throttle */
	UT_hash_handle hh;
};

struct perch_session {
	const void *client;             /* the broker's context; only a key, never dereferenced */
	char *clientid;
	char *username;                 /* "" when anonymous */
	struct perch_user_state *user;  /* NULL for the service account and anonymous clients */
	enum perch_role role;           /* at authentication; see perch_session_role */
	int64_t key_id;                 /* 0: service, live token or anonymous */
	bool live;                      /* authenticated with a live token */
	bool revoked;                   /* kicked: deny everything until its disconnect arrives */
	UT_hash_handle hh;
};

/*
 * Who a client id belongs to. Kept after the connection closes when the broker may keep a
 * session for it (persistent sessions): otherwise another user could connect with that id and
 * inherit the messages the broker queued for the first.
 */
struct perch_owner {
	char *clientid;
	char *username;
	struct perch_session *session;  /* the connection holding it now, or NULL */
	bool persistent;
	bool revoked;                   /* its holder was kicked: vouch for it no more */
	int64_t offline_ns;             /* when it went offline */
	UT_hash_handle hh;
};

struct perch_sessions {
	struct perch_session *by_client;
	struct perch_owner *owners;
	struct perch_user_state *users;
};

enum perch_admit {
	PERCH_ADMIT_OK = 0,
	PERCH_ADMIT_CLIENTID_TAKEN, /* the client id belongs to another user */
	PERCH_ADMIT_TOO_MANY,       /* the user is at max_connections */
};

void perch_sessions_init(struct perch_sessions *ss);
void perch_sessions_clear(struct perch_sessions *ss);

struct perch_session *perch_session_find(const struct perch_sessions *ss, const void *client);
const struct perch_owner *perch_owner_find(const struct perch_sessions *ss, const char *clientid);

/* The role that applies now: a database user's current role, else the role at authentication. */
enum perch_role perch_session_role(const struct perch_session *s);

/* Finds or creates the state of a database user. NULL when out of memory. */
struct perch_user_state *perch_user_state_get(struct perch_sessions *ss,
		const struct perch_snap_user *su, int64_t now_ns);

/*
 * May username connect with clientid? us is the user's state (NULL: no connection cap).
 * Client ids starting with PERCH_SERVICE_USER belong to the service account alone.
 * A connection of the same user with the same client id is about to be taken over by the
 * broker, so it does not count against max_connections. An id another user holds offline
 * with a persistent session may be taken with a clean start (the broker then discards that
 * session, so nothing queued for the other user is handed over); never one that is online.
 */
enum perch_admit perch_sessions_admit(const struct perch_sessions *ss, const char *clientid,
		const char *username, const struct perch_user_state *us, bool clean_start);

/*
 * Records an authenticated connection; a stale session for the same client pointer is dropped
 * first. Returns the session, or NULL when out of memory.
 */
struct perch_session *perch_sessions_add(struct perch_sessions *ss, const void *client,
		const char *clientid, const char *username, enum perch_role role,
		struct perch_user_state *us, int64_t key_id, bool live, bool persistent, int64_t now_ns);

/* Forgets the session of client, if any; its client id stays owned for a while (see prune). */
void perch_sessions_remove(struct perch_sessions *ss, const void *client, int64_t now_ns);

/* Drops owner records that can no longer matter: clean ones after the grace, excess persistent ones. */
void perch_sessions_prune(struct perch_sessions *ss, int64_t now_ns);

/*
 * For a client that has no session: a persistent session the broker keeps while the client is
 * offline (messages are queued for it after a READ check), or a will sent after the
 * connection closed (a WRITE check). Such a client is vouched for when its client id is
 * recorded as owned by its user name and that user may still connect; *role is then the
 * user's current role. Anonymous clients have a NULL or empty username.
 */
bool perch_sessions_offline_role(const struct perch_sessions *ss, const struct perch_snapshot *snap,
		const char *clientid, const char *username, enum perch_role *role);

/* A connection to disconnect because its credentials no longer hold. */
struct perch_kick {
	char *clientid;
	char *username;
	const char *why; /* static text for the log */
};

/*
 * Points every user state at snap and marks revoked each session whose key is gone or moved to
 * another user, or whose user is gone or disabled. Returns how many kicks were written to
 * *kicks (the caller frees them with perch_kicks_free): the connections to disconnect now.
 * Out of memory, a kick may be missing from the list; its session is still marked revoked, so
 * it is denied everything and never counts as a live credential again.
 */
int perch_sessions_apply_snapshot(struct perch_sessions *ss, const struct perch_snapshot *snap,
		struct perch_kick **kicks);
void perch_kicks_free(struct perch_kick *kicks, int n);

#endif
