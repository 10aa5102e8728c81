/* Adafruit IO's fan-out: which subscriptions ask for copies, and what the copies look like. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fanout.h"

static void filters(void **state)
{
	char user[64];
	assert_int_equal(perch_fanout_filter_form("alice/feeds/led", user), PERCH_FORM_FEEDS_RAW);
	assert_string_equal(user, "alice");
	assert_int_equal(perch_fanout_filter_form("alice/f/led/csv", user), PERCH_FORM_F_CSV);
	assert_int_equal(perch_fanout_filter_form("alice/f/+/json", user), PERCH_FORM_F_JSON);
	assert_int_equal(perch_fanout_filter_form("alice/feeds/led/get", user), -1);
	assert_int_equal(perch_fanout_filter_form("alice/#", user), -1);
	assert_int_equal(perch_fanout_filter_form("alice/feeds/#", user), -1);
	assert_int_equal(perch_fanout_filter_form("+/feeds/led", user), -1);
	assert_int_equal(perch_fanout_filter_form("$share/g/alice/feeds/led", user), -1);
	assert_int_equal(perch_fanout_filter_form("alice/photon2/led", user), -1);
	assert_int_equal(perch_fanout_filter_form("alice/groups/g", user), -1);
	(void)state;
}

static void topics(void **state)
{
	char user[300], key[300], topic[600];
	assert_int_equal(perch_fanout_topic_form("bob/f/door/csv", user, key), PERCH_FORM_F_CSV);
	assert_string_equal(user, "bob");
	assert_string_equal(key, "door");
	assert_int_equal(perch_fanout_topic_form("bob/feeds/door/get", user, key), -1);
	assert_int_equal(perch_fanout_topic_form("bob/feeds/+", user, key), -1);
	assert_int_equal(perch_fanout_topic(topic, sizeof(topic), "bob", "door", PERCH_FORM_FEEDS_JSON), 0);
	assert_string_equal(topic, "bob/feeds/door/json");
	assert_int_equal(perch_fanout_topic(topic, 8, "bob", "door", PERCH_FORM_FEEDS_JSON), -1);
	(void)state;
}

static void counting(void **state)
{
	struct perch_fanout fo;
	int c1, c2;

	perch_fanout_init(&fo);
	assert_int_equal(perch_fanout_wanted(&fo, "alice", PERCH_FORM_FEEDS_RAW), 0);
	assert_int_equal(perch_fanout_subscribe(&fo, &c1, "alice/f/led/csv"), 0);
	assert_int_equal(perch_fanout_subscribe(&fo, &c1, "alice/f/led/csv"), 0); /* counted once */
	assert_int_equal(perch_fanout_subscribe(&fo, &c2, "alice/feeds/led"), 0);
	assert_int_equal(perch_fanout_subscribe(&fo, &c2, "alice/#"), 0);         /* not counted */
	assert_int_equal(perch_fanout_wanted(&fo, "alice", PERCH_FORM_FEEDS_RAW), 1u << PERCH_FORM_F_CSV);
	assert_int_equal(perch_fanout_wanted(&fo, "alice", PERCH_FORM_F_CSV), 1u << PERCH_FORM_FEEDS_RAW);
	assert_int_equal(perch_fanout_wanted(&fo, "bob", PERCH_FORM_FEEDS_RAW), 0);
	perch_fanout_unsubscribe(&fo, &c1, "alice/f/led/csv");
	assert_int_equal(perch_fanout_wanted(&fo, "alice", PERCH_FORM_FEEDS_RAW), 0);
	perch_fanout_client_gone(&fo, &c2);
	assert_int_equal(perch_fanout_wanted(&fo, "alice", PERCH_FORM_F_RAW), 0);
	perch_fanout_subscribe(&fo, &c1, "alice/f/+/json");
	perch_fanout_clear(&fo);
	(void)state;
}

static void rendering(void **state)
{
	struct perch_datum d;
	char *out;

	memset(&d, 0, sizeof(d));
	d.value = strdup("say \"hi\", go");
	d.value_len = strlen(d.value);
	d.has_lat = true;
	d.lat = 48.5;
	out = perch_fanout_render(PERCH_FORM_F_CSV, &d);
	assert_string_equal(out, "\"say \"\"hi\"\", go\",48.5,,");
	free(out);
	out = perch_fanout_render(PERCH_FORM_FEEDS_JSON, &d);
	assert_string_equal(out, "{\"value\":\"say \\\"hi\\\", go\",\"lat\":48.5}");
	free(out);
	out = perch_fanout_render(PERCH_FORM_F_RAW, &d);
	assert_string_equal(out, "say \"hi\", go");
	free(out);
	perch_datum_clear(&d);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(filters),
		cmocka_unit_test(topics),
		cmocka_unit_test(counting),
		cmocka_unit_test(rendering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
