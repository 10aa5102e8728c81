/* GET /api/v2/user, GET /api/v2/{u}/throttle and the clock (GET /api/v2/time/…). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/shape.h"
#include "timefmt.h"

/* How far back the active rate looks: Adafruit reports the current minute. */
#define ACTIVE_WINDOW_S 60

void perch_api_user_get(struct perch_api_ctx *c)
{
	perch_resp_json(c->resp, 200, perch_shape_user(&c->user));
}

/*
 * data_rate_limit is perch's limit in messages per second (Adafruit's unit is per minute; the
 * number here is the one the broker enforces). active_data_rate is the average per second
 * over the last minute of points actually stored, rounded up.
 */
void perch_api_throttle_get(struct perch_api_ctx *c)
{
	char err[256];
	bool down = false;
	int64_t count = 0;

	if(perch_q_recent_points(c->db, c->user.id, ACTIVE_WINDOW_S, &count, &down, err, sizeof(err)) != 0){
		perch_api_db_error(c, down, err);
		return;
	}
	perch_resp_json(c->resp, 200, json_pack("{s:i,s:I,s:I}",
			"data_rate_limit", c->user.rate_limit,
			"active_data_rate", (json_int_t)((count + ACTIVE_WINDOW_S - 1) / ACTIVE_WINDOW_S),
			"active_data_count_last_minute", (json_int_t)count));
}

/* Plain text, as Adafruit's clients read it: seconds, milliseconds or an ISO 8601 time. */
void perch_api_time(struct perch_api_ctx *c)
{
	const char *unit = perch_req_param(c->req, "unit");
	int64_t now = perch_wall_us();
	char buf[48];

	if(strcmp(unit, "seconds") == 0){
		snprintf(buf, sizeof(buf), "%" PRId64, now / 1000000);
	}else if(strcmp(unit, "millis") == 0){
		snprintf(buf, sizeof(buf), "%" PRId64, now / 1000);
	}else if(strcmp(unit, "ISO-8601") == 0 || strcmp(unit, "iso-8601") == 0){
		perch_time_format_ms(now, buf, sizeof(buf));
	}else{
		perch_resp_error(c->resp, 404, "not found: the time units are seconds, millis and ISO-8601");
		return;
	}
	perch_resp_text(c->resp, 200, "text/plain; charset=utf-8", buf, strlen(buf));
}
