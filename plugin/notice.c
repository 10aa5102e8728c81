#include "notice.h"

#include <stdio.h>
#include <string.h>

int perch_notice_topic(char *out, size_t outlen, const char *user, const char *which)
{
	int n = snprintf(out, outlen, "%s/%s", user, which);

	return (n < 0 || (size_t)n >= outlen) ? -1 : 0;
}

/* snprintf's result, clamped to what was written: long client ids or topics are cut. */
static size_t written(int n, size_t outlen)
{
	if(n < 0 || outlen == 0){
		return 0;
	}
	return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

/* The length of s cut to at most max bytes, never inside a UTF-8 sequence. */
static int cut(const char *s, size_t max)
{
	size_t len = strlen(s);

	if(len <= max){
		return (int)len;
	}
	while(max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80){
		max--;
	}
	return (int)max;
}

size_t perch_notice_rejected(char *out, size_t outlen, const char *clientid, bool publish,
		const char *topic, const char *why)
{
	int n;

	clientid = clientid ? clientid : "";
	n = snprintf(out, outlen, "%.*s %s %.*s rejected, %s", cut(clientid, 200), clientid,
			publish ? "PUBLISH" : "SUBSCRIBE", cut(topic, 600), topic, why ? why : "not authorized");

	return written(n, outlen);
}

size_t perch_notice_throttle(char *out, size_t outlen, const char *user, int rate, const char *topic)
{
	int n = snprintf(out, outlen, "%s data rate limit reached (%d messages/s), message to %.*s refused",
			user, rate, cut(topic, 600), topic);

	return written(n, outlen);
}
