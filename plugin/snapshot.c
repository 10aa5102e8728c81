/* The users-and-keys snapshot: built on the database thread, read on the broker thread. */
#include "snapshot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct perch_snapshot *perch_snapshot_new(void)
{
	return calloc(1, sizeof(struct perch_snapshot));
}

void perch_snapshot_free(struct perch_snapshot *snap)
{
	struct perch_snap_user *u, *utmp;
	struct perch_snap_key *k, *ktmp;

	if(!snap){
		return;
	}
	HASH_CLEAR(hh_id, snap->keys_by_id);
	HASH_ITER(hh, snap->keys, k, ktmp){
		HASH_DEL(snap->keys, k);
		free(k);
	}
	HASH_CLEAR(hh_id, snap->users_by_id);
	HASH_ITER(hh, snap->users, u, utmp){
		HASH_DEL(snap->users, u);
		free(u->username);
		free(u);
	}
	free(snap);
}

int perch_snapshot_add_user(struct perch_snapshot *snap, int64_t id, const char *username,
		enum perch_role role, bool disabled, int rate_limit, int max_connections, int max_payload)
{
	struct perch_snap_user *u;
	bool hash_oom = false;

	if(!username || !*username || perch_snapshot_user(snap, username)){
		return -1;
	}
	HASH_FIND(hh_id, snap->users_by_id, &id, sizeof(id), u);
	if(u){
		return -1;
	}
	u = calloc(1, sizeof(*u));
	if(!u || !(u->username = strdup(username))){
		free(u);
		return -1;
	}
	u->id = id;
	u->role = role;
	u->disabled = disabled;
	u->rate_limit = rate_limit;
	u->max_connections = max_connections;
	u->max_payload = max_payload;

	HASH_ADD_KEYPTR(hh, snap->users, u->username, strlen(u->username), u);
	if(hash_oom){
		free(u->username);
		free(u);
		return -1;
	}
	HASH_ADD(hh_id, snap->users_by_id, id, sizeof(u->id), u);
	if(hash_oom){
		HASH_DEL(snap->users, u);
		free(u->username);
		free(u);
		return -1;
	}
	snap->n_users++;
	return 0;
}

/* Copies a 64-digit hex hash in lower case; false if it is anything else. */
static bool copy_hash(char out[PERCH_KEY_HASH_HEX + 1], const char *hash)
{
	size_t i;

	if(!hash || strlen(hash) != PERCH_KEY_HASH_HEX){
		return false;
	}
	for(i = 0; i < PERCH_KEY_HASH_HEX; i++){
		if(!isxdigit((unsigned char)hash[i])){
			return false;
		}
		out[i] = (char)tolower((unsigned char)hash[i]);
	}
	out[PERCH_KEY_HASH_HEX] = '\0';
	return true;
}

int perch_snapshot_add_key(struct perch_snapshot *snap, int64_t id, int64_t user_id, const char *hash)
{
	struct perch_snap_user *u;
	struct perch_snap_key *k;
	bool hash_oom = false;

	HASH_FIND(hh_id, snap->users_by_id, &user_id, sizeof(user_id), u);
	if(!u || perch_snapshot_key_by_id(snap, id)){
		return -1;
	}
	k = calloc(1, sizeof(*k));
	if(!k){
		return -1;
	}
	if(!copy_hash(k->hash, hash) || perch_snapshot_key(snap, k->hash)){
		free(k);
		return -1;
	}
	k->id = id;
	k->user = u;

	HASH_ADD(hh, snap->keys, hash, PERCH_KEY_HASH_HEX, k);
	if(hash_oom){
		free(k);
		return -1;
	}
	HASH_ADD(hh_id, snap->keys_by_id, id, sizeof(k->id), k);
	if(hash_oom){
		HASH_DEL(snap->keys, k);
		free(k);
		return -1;
	}
	snap->n_keys++;
	return 0;
}

const struct perch_snap_user *perch_snapshot_user(const struct perch_snapshot *snap, const char *username)
{
	struct perch_snap_user *u = NULL;

	if(snap && username){
		HASH_FIND(hh, snap->users, username, strlen(username), u);
	}
	return u;
}

const struct perch_snap_key *perch_snapshot_key(const struct perch_snapshot *snap, const char *hash)
{
	struct perch_snap_key *k = NULL;

	if(snap && hash && strlen(hash) == PERCH_KEY_HASH_HEX){
		HASH_FIND(hh, snap->keys, hash, PERCH_KEY_HASH_HEX, k);
	}
	return k;
}

const struct perch_snap_key *perch_snapshot_key_by_id(const struct perch_snapshot *snap, int64_t id)
{
	struct perch_snap_key *k = NULL;

	if(snap){
		HASH_FIND(hh_id, snap->keys_by_id, &id, sizeof(id), k);
	}
	return k;
}
