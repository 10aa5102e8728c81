/* Sessions, client-id owners and per-user state: broker thread only. */
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

void perch_sessions_init(struct perch_sessions *ss)
{
	memset(ss, 0, sizeof(*ss));
}

static void owner_free(struct perch_owner *o)
{
	free(o->clientid);
	free(o->username);
	free(o);
}

static void session_free(struct perch_session *s)
{
	free(s->clientid);
	free(s->username);
	free(s);
}

void perch_sessions_clear(struct perch_sessions *ss)
{
	struct perch_session *s, *stmp;
	struct perch_owner *o, *otmp;
	struct perch_user_state *u, *utmp;

	HASH_ITER(hh, ss->by_client, s, stmp){
		HASH_DEL(ss->by_client, s);
		session_free(s);
	}
	HASH_ITER(hh, ss->owners, o, otmp){
		HASH_DEL(ss->owners, o);
		owner_free(o);
	}
	HASH_ITER(hh, ss->users, u, utmp){
		HASH_DEL(ss->users, u);
		free(u->username);
		free(u);
	}
}

struct perch_session *perch_session_find(const struct perch_sessions *ss, const void *client)
{
	struct perch_session *s = NULL;

	HASH_FIND(hh, ss->by_client, &client, sizeof(client), s);
	return s;
}

static struct perch_owner *owner_find(const struct perch_sessions *ss, const char *clientid)
{
	struct perch_owner *o = NULL;

	if(clientid){
		HASH_FIND(hh, ss->owners, clientid, strlen(clientid), o);
	}
	return o;
}

const struct perch_owner *perch_owner_find(const struct perch_sessions *ss, const char *clientid)
{
	return owner_find(ss, clientid);
}

enum perch_role perch_session_role(const struct perch_session *s)
{
	if(s->user && s->user->su){
		return s->user->su->role;
	}
	return s->role;
}

struct perch_user_state *perch_user_state_get(struct perch_sessions *ss,
		const struct perch_snap_user *su, int64_t now_ns)
{
	struct perch_user_state *u;
	bool hash_oom = false;

	HASH_FIND(hh, ss->users, su->username, strlen(su->username), u);
	if(u){
		return u;
	}
	u = calloc(1, sizeof(*u));
	if(!u || !(u->username = strdup(su->username))){
		free(u);
		return NULL;
	}
	u->su = su;
	perch_bucket_init(&u->rate, su->rate_limit, now_ns);
	perch_bucket_init(&u->notices, PERCH_NOTICE_RATE, now_ns);
	HASH_ADD_KEYPTR(hh, ss->users, u->username, strlen(u->username), u);
	if(hash_oom){
		free(u->username);
		free(u);
		return NULL;
	}
	return u;
}

enum perch_admit perch_sessions_admit(const struct perch_sessions *ss, const char *clientid,
		const char *username, const struct perch_user_state *us, bool clean_start)
{
	const struct perch_owner *o = owner_find(ss, clientid);
	const struct perch_session *taken = NULL;
	int conns;

	/*
	 * The daemon's ids are reserved: after a broker restart nobody owns them yet in this
	 * table, and whoever took one would inherit the daemon's queue of everyone's messages.
	 */
	if(strncmp(clientid, PERCH_SERVICE_USER, strlen(PERCH_SERVICE_USER)) == 0
			&& strcmp(username, PERCH_SERVICE_USER) != 0){
		return PERCH_ADMIT_CLIENTID_TAKEN;
	}
	if(o && strcmp(o->username, username) != 0){
		/*
		 * Online: never taken over by another user. Offline with a persistent session: only
		 * with a clean start, which makes the broker discard what was queued for the owner
		 * (otherwise anyone could claim a board's id while it is off and lock it out).
		 */
		if(o->session || (o->persistent && !clean_start)){
			return PERCH_ADMIT_CLIENTID_TAKEN;
		}
	}else if(o){
		taken = o->session;
	}
	if(us && us->su){
		conns = us->conns;
		if(taken && taken->user == us){
			conns--;
		}
		if(conns >= us->su->max_connections){
			return PERCH_ADMIT_TOO_MANY;
		}
	}
	return PERCH_ADMIT_OK;
}

/* Keeps at most PERCH_OWNER_PER_USER offline persistent records per user, dropping the oldest. */
static void trim_offline(struct perch_sessions *ss, const char *username)
{
	struct perch_owner *o, *tmp, *oldest;
	int n;

	for(;;){
		n = 0;
		oldest = NULL;
		HASH_ITER(hh, ss->owners, o, tmp){
			if(!o->session && o->persistent && strcmp(o->username, username) == 0){
				n++;
				if(!oldest || o->offline_ns < oldest->offline_ns){
					oldest = o;
				}
			}
		}
		if(n <= PERCH_OWNER_PER_USER || !oldest){
			return;
		}
		HASH_DEL(ss->owners, oldest);
		owner_free(oldest);
	}
}

static void session_remove(struct perch_sessions *ss, struct perch_session *s, int64_t now_ns)
{
	struct perch_owner *o = owner_find(ss, s->clientid);
	bool went_offline = false;

	HASH_DEL(ss->by_client, s);
	/* After a takeover the id already belongs to the new connection: leave it alone. */
	if(o && o->session == s){
		o->session = NULL;
		o->offline_ns = now_ns;
		went_offline = o->persistent;
	}
	if(s->user){
		s->user->conns--;
	}
	if(went_offline){
		trim_offline(ss, s->username);
	}
	session_free(s);
}

void perch_sessions_remove(struct perch_sessions *ss, const void *client, int64_t now_ns)
{
	struct perch_session *s = perch_session_find(ss, client);

	if(s){
		session_remove(ss, s, now_ns);
	}
}

static struct perch_owner *owner_new(const char *clientid, const char *username)
{
	struct perch_owner *o = calloc(1, sizeof(*o));

	if(!o){
		return NULL;
	}
	o->clientid = strdup(clientid);
	o->username = strdup(username);
	if(!o->clientid || !o->username){
		owner_free(o);
		return NULL;
	}
	return o;
}

/* Makes sure clientid has an owner record naming username. NULL when out of memory. */
static struct perch_owner *owner_claim(struct perch_sessions *ss, const char *clientid,
		const char *username)
{
	struct perch_owner *o = owner_find(ss, clientid);
	bool hash_oom = false;
	char *name;

	if(o){
		if(strcmp(o->username, username) != 0){
			if(!(name = strdup(username))){
				return NULL;
			}
			free(o->username);
			o->username = name;
		}
		return o;
	}
	if(!(o = owner_new(clientid, username))){
		return NULL;
	}
	HASH_ADD_KEYPTR(hh, ss->owners, o->clientid, strlen(o->clientid), o);
	if(hash_oom){
		owner_free(o);
		return NULL;
	}
	return o;
}

static struct perch_session *session_new(const void *client, const char *clientid,
		const char *username)
{
	struct perch_session *s = calloc(1, sizeof(*s));

	if(!s){
		return NULL;
	}
	s->client = client;
	s->clientid = strdup(clientid);
	s->username = strdup(username);
	if(!s->clientid || !s->username){
		session_free(s);
		return NULL;
	}
	return s;
}

struct perch_session *perch_sessions_add(struct perch_sessions *ss, const void *client,
		const char *clientid, const char *username, enum perch_role role,
		struct perch_user_state *us, int64_t key_id, bool live, bool persistent, int64_t now_ns)
{
	struct perch_session *s, *stale;
	struct perch_owner *o;
	bool hash_oom = false;

	/* The broker may reuse a freed context's address: whatever was recorded for it is stale. */
	stale = perch_session_find(ss, client);
	if(stale){
		session_remove(ss, stale, now_ns);
	}
	if(!(s = session_new(client, clientid, username))){
		return NULL;
	}
	if(!(o = owner_claim(ss, clientid, username))){
		session_free(s);
		return NULL;
	}
	HASH_ADD(hh, ss->by_client, client, sizeof(s->client), s);
	if(hash_oom){
		session_free(s);
		return NULL;
	}
	s->role = role;
	s->user = us;
	s->key_id = key_id;
	s->live = live;
	o->session = s;
	o->persistent = persistent;
	o->revoked = false;
	o->offline_ns = 0;
	if(us){
		us->conns++;
	}
	return s;
}

void perch_sessions_prune(struct perch_sessions *ss, int64_t now_ns)
{
	struct perch_owner *o, *tmp;

	HASH_ITER(hh, ss->owners, o, tmp){
		if(!o->session && !o->persistent && now_ns - o->offline_ns > PERCH_OWNER_GRACE_NS){
			HASH_DEL(ss->owners, o);
			owner_free(o);
		}
	}
}

bool perch_sessions_offline_role(const struct perch_sessions *ss, const struct perch_snapshot *snap,
		const char *clientid, const char *username, enum perch_role *role)
{
	const struct perch_owner *o = owner_find(ss, clientid);
	const struct perch_snap_user *su;
	const char *name = username ? username : "";

	if(!o || o->revoked || strcmp(o->username, name) != 0){
		return false;
	}
	if(name[0] == '\0'){
		*role = PERCH_ROLE_ANONYMOUS;
		return true;
	}
	if(strcmp(name, PERCH_SERVICE_USER) == 0){
		*role = PERCH_ROLE_SERVICE;
		return true;
	}
	su = perch_snapshot_user(snap, name);
	if(!su || su->disabled){
		return false;
	}
	*role = su->role;
	return true;
}

/* Why a session's credentials no longer hold under snap, or NULL when they still do. */
static const char *session_invalid(const struct perch_session *s, const struct perch_snapshot *snap)
{
	const struct perch_snap_user *su;
	const struct perch_snap_key *k;

	if(!s->user){
		return NULL; /* service account and anonymous clients do not depend on the database */
	}
	su = s->user->su;
	if(!su){
		return "user deleted";
	}
	if(su->disabled){
		return "user disabled";
	}
	if(s->key_id){
		k = perch_snapshot_key_by_id(snap, s->key_id);
		if(!k || k->user != su){
			return "key revoked";
		}
	}
	return NULL;
}

/* Re-points user states at snap; forgets those of users who are gone and have no connection. */
static void users_apply(struct perch_sessions *ss, const struct perch_snapshot *snap)
{
	struct perch_user_state *u, *tmp;

	HASH_ITER(hh, ss->users, u, tmp){
		u->su = perch_snapshot_user(snap, u->username);
		if(!u->su && u->conns == 0){
			HASH_DEL(ss->users, u);
			free(u->username);
			free(u);
		}
	}
}

static int kick_push(struct perch_kick **kicks, int n, const struct perch_session *s, const char *why)
{
	struct perch_kick *grown = realloc(*kicks, sizeof(**kicks) * (size_t)(n + 1));

	if(!grown){
		return -1;
	}
	*kicks = grown;
	grown[n].clientid = strdup(s->clientid);
	grown[n].username = strdup(s->username);
	grown[n].why = why;
	if(!grown[n].clientid || !grown[n].username){
		free(grown[n].clientid);
		free(grown[n].username);
		return -1;
	}
	return 0;
}

int perch_sessions_apply_snapshot(struct perch_sessions *ss, const struct perch_snapshot *snap,
		struct perch_kick **kicks)
{
	struct perch_session *s, *tmp;
	struct perch_owner *o;
	const char *why;
	int n = 0;

	*kicks = NULL;
	users_apply(ss, snap);
	HASH_ITER(hh, ss->by_client, s, tmp){
		if(s->revoked || !(why = session_invalid(s, snap))){
			continue;
		}
		/* Revoked sessions are denied everything, so one we fail to list is still harmless. */
		s->revoked = true;
		/* A connection already taken over is on its way out; kicking its id would hit the new one. */
		o = owner_find(ss, s->clientid);
		if(!o || o->session != s){
			continue;
		}
		/* Its persistent session, if any, gets nothing queued until a valid login reclaims it. */
		o->revoked = true;
		if(kick_push(kicks, n, s, why) == 0){
			n++;
		}
	}
	return n;
}

void perch_kicks_free(struct perch_kick *kicks, int n)
{
	int i;

	for(i = 0; i < n; i++){
		free(kicks[i].clientid);
		free(kicks[i].username);
	}
	free(kicks);
}
