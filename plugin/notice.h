/*
 * The texts perch sends to a user's {user}/errors and {user}/throttle topics, in Adafruit IO's
 * wording so that code written for Adafruit IO recognises them.
 */
#ifndef PERCH_PLUGIN_NOTICE_H
#define PERCH_PLUGIN_NOTICE_H

#include <stdbool.h>
#include <stddef.h>

#define PERCH_NOTICE_MAX 1024 /* client ids and topics are cut to fit */

/* "{user}/errors" or "{user}/throttle"; returns -1 when it does not fit. */
int perch_notice_topic(char *out, size_t outlen, const char *user, const char *which);

/* "<clientid> PUBLISH <topic> rejected, <why>" (SUBSCRIBE when !publish); returns the length. */
size_t perch_notice_rejected(char *out, size_t outlen, const char *clientid, bool publish,
		const char *topic, const char *why);

/* "<user> data rate limit reached (<rate> messages/s), message to <topic> refused" */
size_t perch_notice_throttle(char *out, size_t outlen, const char *user, int rate, const char *topic);

#endif
