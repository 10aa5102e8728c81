#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t perch_wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), without the C library's time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int read_digits(const char **p, int n, int *out)
{
	int v = 0;
	for(int i = 0; i < n; i++){
		if(!isdigit((unsigned char)(*p)[i])){
			return -1;
		}
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int parse_epoch(const char *s, int64_t *us)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if(errno || end == s || *end != '\0' || v < 0 || v > 32503680000.0){
		return -1;
	}
	*us = (int64_t)(v * 1e6 + (v >= 0 ? 0.5 : -0.5));
	return 0;
}

/* "Z", "+hh:mm", "+hhmm", "+hh" or nothing (UTC); adds the offset's seconds to *off. */
static int parse_zone(const char *p, int64_t *off)
{
	int hh = 0, mm = 0, sign;

	*off = 0;
	if(*p == '\0' || ((*p == 'Z' || *p == 'z') && p[1] == '\0')){
		return 0;
	}
	if(*p != '+' && *p != '-'){
		return -1;
	}
	sign = *p == '-' ? -1 : 1;
	p++;
	if(read_digits(&p, 2, &hh) != 0){
		return -1;
	}
	if(*p == ':'){
		p++;
	}
	if(*p && read_digits(&p, 2, &mm) != 0){
		return -1;
	}
	if(*p != '\0' || hh > 23 || mm > 59){
		return -1;
	}
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int perch_time_parse(const char *s, int64_t *us)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac_us = 0, off = 0;

	if(!s || !*s){
		return -1;
	}
	if(strchr(s, '-') == NULL || s[0] == '-'){
		return parse_epoch(s, us);
	}
	if(read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-'
			|| read_digits(&p, 2, &d)){
		return -1;
	}
	if(*p == 'T' || *p == 't' || *p == ' '){
		p++;
		if(read_digits(&p, 2, &h) || *p++ != ':' || read_digits(&p, 2, &mi)){
			return -1;
		}
		if(*p == ':'){
			p++;
			if(read_digits(&p, 2, &sec)){
				return -1;
			}
		}
		if(*p == '.'){
			int64_t scale = 100000;
			p++;
			if(!isdigit((unsigned char)*p)){
				return -1;
			}
			while(isdigit((unsigned char)*p)){
				frac_us += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if(mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60){
		return -1;
	}
	if(parse_zone(p, &off) != 0){
		return -1;
	}
	*us = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) - off) * 1000000 + frac_us;
	return 0;
}

static void split(int64_t us, struct tm *tm, int *ms)
{
	int64_t secs = us / 1000000;
	int64_t rem = us % 1000000;
	time_t t;

	if(rem < 0){
		rem += 1000000;
		secs--;
	}
	t = (time_t)secs;
	gmtime_r(&t, tm);
	*ms = (int)(rem / 1000);
}

void perch_time_format(int64_t us, char *out, size_t outlen)
{
	struct tm tm;
	int ms;
	split(us, &tm, &ms);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void perch_time_format_ms(int64_t us, char *out, size_t outlen)
{
	struct tm tm;
	int ms;
	char base[32];
	split(us, &tm, &ms);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, outlen, "%s.%03dZ", base, ms);
}
