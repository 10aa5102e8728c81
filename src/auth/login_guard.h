/*
 * Slows down repeated failed sign-ins, per account and per client address: after a few
 * failures each further attempt must wait, the wait doubling up to a quarter of an hour.
 * Kept in memory (thread-safe); a successful sign-in clears the account's record.
 */
#ifndef PERCH_LOGIN_GUARD_H
#define PERCH_LOGIN_GUARD_H

#include <stdint.h>

struct perch_login_guard;

struct perch_login_guard *perch_login_guard_new(void);
void perch_login_guard_free(struct perch_login_guard *g);

/* Seconds the caller must still wait before trying this account from this address; 0: go. */
int perch_login_guard_wait(struct perch_login_guard *g, const char *account, const char *address, int64_t now_s);

void perch_login_guard_failed(struct perch_login_guard *g, const char *account, const char *address, int64_t now_s);
void perch_login_guard_succeeded(struct perch_login_guard *g, const char *account, const char *address);

#endif
