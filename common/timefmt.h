/* Times as perch exchanges them: microseconds since the Unix epoch, ISO 8601 / RFC 3339 text. */
#ifndef PERCH_TIMEFMT_H
#define PERCH_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* Wall-clock now in microseconds since the epoch. */
int64_t perch_wall_us(void);

/*
 * Parses "2019-03-01T14:00:00Z", "2019-03-01T14:00:00.123+01:00", "2019-03-01 14:00:00",
 * "2019-03-01" (UTC) or a number of epoch seconds (with optional fraction).
 * Returns 0 and *us, or -1.
 */
int perch_time_parse(const char *s, int64_t *us);

/* Formats as "2019-03-01T14:00:00Z" (seconds) into out (at least 32 bytes). */
void perch_time_format(int64_t us, char *out, size_t outlen);

/* Formats with milliseconds: "2019-07-03T14:47:16.038Z" (the time/ISO-8601 topic's form). */
void perch_time_format_ms(int64_t us, char *out, size_t outlen);

#endif
