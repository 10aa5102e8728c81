/* Topic parsing: every form of DESIGN.md's topic table, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "topic.h"

static struct perch_topic parse_ok(const char *topic)
{
	struct perch_topic t;
	char err[256] = "";
	int rc = perch_topic_parse(topic, &t, err, sizeof(err));
	if(rc != 0){
		print_error("%s: %s\n", topic, err);
	}
	assert_int_equal(rc, 0);
	return t;
}

static void parse_fails(const char *topic)
{
	struct perch_topic t;
	char err[256] = "";
	assert_int_equal(perch_topic_parse(topic, &t, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
}

static void feed_forms(void **state)
{
	struct perch_topic t = parse_ok("alice/feeds/temperature");
	assert_int_equal(t.kind, PERCH_TOPIC_FEED);
	assert_string_equal(t.user, "alice");
	assert_string_equal(t.key, "temperature");
	assert_int_equal(t.format, PERCH_FMT_RAW);
	assert_false(t.get);

	t = parse_ok("alice/f/Lab_Bench");
	assert_int_equal(t.kind, PERCH_TOPIC_FEED);
	assert_string_equal(t.key, "lab-bench");
	assert_string_equal(t.name, "Lab_Bench");

	t = parse_ok("alice/feeds/temp/json");
	assert_int_equal(t.format, PERCH_FMT_JSON);
	assert_string_equal(t.key, "temp");

	t = parse_ok("alice/f/temp/csv");
	assert_int_equal(t.format, PERCH_FMT_CSV);

	t = parse_ok("alice/feeds/greenhouse.temp");
	assert_string_equal(t.key, "greenhouse.temp");
	(void)state;
}

static void get_forms(void **state)
{
	struct perch_topic t = parse_ok("alice/feeds/temp/get");
	assert_true(t.get);
	assert_int_equal(t.format, PERCH_FMT_RAW);
	assert_string_equal(t.key, "temp");

	t = parse_ok("alice/f/temp/csv/get");
	assert_true(t.get);
	assert_int_equal(t.format, PERCH_FMT_CSV);

	t = parse_ok("alice/photon2/temperature/get");
	assert_true(t.get);
	assert_int_equal(t.kind, PERCH_TOPIC_FREEFORM);
	assert_string_equal(t.key, "photon2-temperature");
	(void)state;
}

static void group_forms(void **state)
{
	struct perch_topic t = parse_ok("alice/groups/weather");
	assert_int_equal(t.kind, PERCH_TOPIC_GROUP);
	assert_string_equal(t.key, "weather");
	t = parse_ok("alice/g/weather/csv");
	assert_int_equal(t.kind, PERCH_TOPIC_GROUP);
	assert_int_equal(t.format, PERCH_FMT_CSV);
	parse_fails("alice/groups/a.b");
	(void)state;
}

static void freeform(void **state)
{
	struct perch_topic t = parse_ok("alice/photon2/temperature");
	assert_int_equal(t.kind, PERCH_TOPIC_FREEFORM);
	assert_string_equal(t.key, "photon2-temperature");
	assert_string_equal(t.name, "photon2/temperature");

	t = parse_ok("alice/Lab Room/CO2_ppm");
	assert_string_equal(t.key, "lab-room-co2-ppm");
	t = parse_ok("alice/led");
	assert_string_equal(t.key, "led");
	(void)state;
}

static void notices_and_shared(void **state)
{
	assert_int_equal(parse_ok("alice/errors").kind, PERCH_TOPIC_ERRORS);
	assert_int_equal(parse_ok("alice/throttle").kind, PERCH_TOPIC_THROTTLE);
	assert_int_equal(parse_ok("time/seconds").kind, PERCH_TOPIC_TIME);
	assert_int_equal(parse_ok("class/news").kind, PERCH_TOPIC_CLASS);
	assert_int_equal(parse_ok("$SYS/broker/uptime").kind, PERCH_TOPIC_SYS);
	(void)state;
}

static void refused(void **state)
{
	char longkey[300];
	parse_fails("");
	parse_fails("alice");
	parse_fails("alice/");
	parse_fails("/feeds/x");
	parse_fails("alice//x");
	parse_fails("alice/feeds/");
	parse_fails("alice/feeds/bad key!");
	parse_fails("alice/feeds/a/b");
	parse_fails("alice/feeds/a..b");
	parse_fails("alice/feeds/.b");
	parse_fails("alice/feeds/#");
	parse_fails("alice/+/x");
	parse_fails("alice/!!!");
	memset(longkey, 'a', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	char topic[400];
	snprintf(topic, sizeof(topic), "alice/feeds/%s", longkey);
	parse_fails(topic);
	(void)state;
}

static void usernames(void **state)
{
	assert_true(perch_username_valid("alice"));
	assert_true(perch_username_valid("bob-2_x"));
	assert_false(perch_username_valid("Alice"));
	assert_false(perch_username_valid("a"));
	assert_false(perch_username_valid("2bob"));
	assert_false(perch_username_valid("time"));
	assert_false(perch_username_valid("class"));
	assert_false(perch_username_valid("perch-service"));
	assert_false(perch_username_valid("al ice"));
	assert_false(perch_username_valid("abcdefghijklmnopqrstuvwxyzabcdefg"));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(feed_forms),
		cmocka_unit_test(get_forms),
		cmocka_unit_test(group_forms),
		cmocka_unit_test(freeform),
		cmocka_unit_test(notices_and_shared),
		cmocka_unit_test(refused),
		cmocka_unit_test(usernames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
