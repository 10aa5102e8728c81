/* Adafruit IO's JSON shapes built from perch's records, the retain CSV, and chart planning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/chart.h"
#include "api/shape.h"

#define T0 INT64_C(1589316770000000) /* 2020-05-12T20:52:50Z */

static struct perch_feed_rec feed(void)
{
	struct perch_feed_rec f = { 0 };
	f.id = 14;
	f.user_id = 1;
	strcpy(f.key, "garbage");
	f.name = "Garbage";
	f.visibility = "private";
	f.history = true;
	f.retention_days = 30;
	f.created_us = f.updated_us = T0;
	return f;
}

static void feed_shape(void **state)
{
	struct perch_feed_rec f = feed();
	json_t *j = perch_shape_feed(&f, "alice");

	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 14);
	assert_string_equal(json_string_value(json_object_get(j, "key")), "garbage");
	assert_true(json_is_null(json_object_get(j, "description")));
	assert_true(json_is_null(json_object_get(j, "last_value")));
	assert_true(json_is_true(json_object_get(j, "history")));
	assert_string_equal(json_string_value(json_object_get(j, "username")), "alice");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "owner"), "username")), "alice");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "group"), "key")), "default");
	assert_int_equal(json_array_size(json_object_get(j, "groups")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "created_at")), "2020-05-12T20:52:50Z");
	assert_int_equal(json_integer_value(json_object_get(j, "retention_days")), 30);
	assert_string_equal(json_string_value(json_object_get(j, "mqtt_topic")), "alice/feeds/garbage");
	json_decref(j);
	(void)state;
}

static void feed_topic(void **state)
{
	struct perch_feed_rec f = feed();
	char topic[128];

	f.mqtt_topic = "alice/photon2/temperature";
	perch_shape_feed_topic(&f, "alice", topic, sizeof(topic));
	assert_string_equal(topic, "alice/photon2/temperature");
	f.mqtt_topic = "photon2/temperature";
	perch_shape_feed_topic(&f, "alice", topic, sizeof(topic));
	assert_string_equal(topic, "alice/photon2/temperature");
	f.mqtt_topic = "alicex/t";
	perch_shape_feed_topic(&f, "alice", topic, sizeof(topic));
	assert_string_equal(topic, "alice/alicex/t");
	(void)state;
}

static void data_shape(void **state)
{
	struct perch_feed_rec f = feed();
	struct perch_data_rec d = { .id = 42, .created_us = T0, .value = "45.5" };
	json_t *j = perch_shape_data(&d, &f);

	assert_string_equal(json_string_value(json_object_get(j, "id")), "42");
	assert_string_equal(json_string_value(json_object_get(j, "value")), "45.5");
	assert_int_equal(json_integer_value(json_object_get(j, "feed_id")), 14);
	assert_string_equal(json_string_value(json_object_get(j, "feed_key")), "garbage");
	assert_int_equal(json_integer_value(json_object_get(j, "created_epoch")), 1589316770);
	assert_string_equal(json_string_value(json_object_get(j, "expiration")), "2020-06-11T20:52:50Z");
	assert_true(json_is_null(json_object_get(j, "lat")));
	assert_true(json_is_null(json_object_get(j, "location")));
	json_decref(j);

	d.created_us = T0 + 123000;
	d.has_lat = d.has_lon = true;
	d.lat = 38.1123;
	d.lon = -91.2325;
	j = perch_shape_data(&d, &f);
	assert_string_equal(json_string_value(json_object_get(j, "created_at")), "2020-05-12T20:52:50.123Z");
	assert_true(json_real_value(json_object_get(j, "created_epoch")) > 1589316770.1);
	json_t *coords = json_object_get(json_object_get(json_object_get(j, "location"), "geometry"), "coordinates");
	assert_int_equal(json_array_size(coords), 2);
	assert_true(json_real_value(json_array_get(coords, 0)) == -91.2325); /* GeoJSON: longitude first */
	perch_shape_include(j, "value, created_at");
	assert_int_equal(json_object_size(j), 2);
	assert_non_null(json_object_get(j, "value"));
	json_decref(j);
	(void)state;
}

static void retain_csv(void **state)
{
	struct perch_data_rec d = { .value = "42" };
	char *s = perch_shape_csv(&d);

	assert_string_equal(s, "42,,,");
	free(s);
	d.value = "say \"hi\", bye";
	d.has_lat = d.has_lon = d.has_ele = true;
	d.lat = 38.1123;
	d.lon = -91.2325;
	d.ele = 112;
	s = perch_shape_csv(&d);
	assert_string_equal(s, "\"say \"\"hi\"\", bye\",38.1123,-91.2325,112");
	free(s);
	(void)state;
}

static void user_shape(void **state)
{
	struct perch_user u = { .id = 7, .role = PERCH_ROLE_STUDENT, .created_us = T0, .updated_us = T0 };
	strcpy(u.username, "alice");
	json_t *j = perch_shape_user(&u);

	assert_string_equal(json_string_value(json_object_get(j, "username")), "alice");
	assert_string_equal(json_string_value(json_object_get(j, "time_zone")), "UTC");
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 7);
	json_decref(j);
	(void)state;
}

#define MIN_US INT64_C(60000000)
#define HOUR_US (60 * MIN_US)

static void chart_plans(void **state)
{
	struct perch_chart_plan p;
	int64_t end = T0 + 17 * MIN_US + 5000000;

	/* one hour at 1 minute: from the points, start aligned to the minute */
	assert_int_equal(perch_chart_plan(end - HOUR_US, end, 1, &p), 0);
	assert_int_equal(p.source, PERCH_CHART_RAW);
	assert_int_equal(p.bucket_s, 60);
	assert_int_equal(p.start_us % MIN_US, 0);
	assert_true(p.start_us <= end - HOUR_US && p.start_us > end - HOUR_US - MIN_US);

	/* a day at 5 minutes: minute rollups */
	assert_int_equal(perch_chart_plan(end - 24 * HOUR_US, end, 5, &p), 0);
	assert_int_equal(p.source, PERCH_CHART_MINUTE);
	assert_int_equal(p.start_us % (5 * MIN_US), 0);

	/* thirty days, automatic: whole hours, hour rollups, at most 1000 buckets */
	assert_int_equal(perch_chart_plan(end - 720 * HOUR_US, end, 0, &p), 0);
	assert_int_equal(p.source, PERCH_CHART_HOUR);
	assert_true((720 * 60) / p.resolution <= PERCH_CHART_AUTO_POINTS);
	assert_int_equal(p.bucket_s % 3600, 0);

	/* beyond an hour, buckets are whole hours (90 -> 60), read from the hour rollups */
	assert_int_equal(perch_chart_plan(end - 48 * HOUR_US, end, 90, &p), 0);
	assert_int_equal(p.resolution, 60);
	assert_int_equal(p.source, PERCH_CHART_HOUR);
	/* below an hour, any whole number of minutes, from the minute rollups */
	assert_int_equal(perch_chart_plan(end - 48 * HOUR_US, end, 45, &p), 0);
	assert_int_equal(p.resolution, 45);
	assert_int_equal(p.source, PERCH_CHART_MINUTE);

	/* too fine for the range: coarsened */
	assert_int_equal(perch_chart_plan(end - 365 * 24 * HOUR_US, end, 1, &p), 0);
	assert_true((365 * 24 * 60) / p.resolution <= PERCH_CHART_MAX_POINTS);

	assert_int_equal(perch_chart_plan(end, end, 1, &p), -1);
	assert_int_equal(perch_chart_plan(end, end - 1, 1, &p), -1);
	assert_int_equal(perch_chart_plan(0, INT64_C(1) << 60, 1, &p), -1);
	assert_int_equal(perch_chart_plan(-HOUR_US * 2, -HOUR_US, 1, &p), 0); /* before 1970 works */
	assert_true(p.start_us <= -HOUR_US * 2);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(feed_shape),
		cmocka_unit_test(feed_topic),
		cmocka_unit_test(data_shape),
		cmocka_unit_test(retain_csv),
		cmocka_unit_test(user_shape),
		cmocka_unit_test(chart_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
