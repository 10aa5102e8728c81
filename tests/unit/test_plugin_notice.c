/* plugin/notice.c: the texts sent to {user}/errors and {user}/throttle. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "notice.h"

static void test_topic(void **state)
{
	char out[32];

	assert_int_equal(perch_notice_topic(out, sizeof(out), "alice", "errors"), 0);
	assert_string_equal(out, "alice/errors");
	assert_int_equal(perch_notice_topic(out, 8, "alice", "throttle"), -1);
}

static void test_rejected(void **state)
{
	char out[PERCH_NOTICE_MAX];
	size_t len;

	len = perch_notice_rejected(out, sizeof(out), "board-1", true, "bob/feeds/x",
			"resource not available or not authorized");
	assert_string_equal(out, "board-1 PUBLISH bob/feeds/x rejected, resource not available or not authorized");
	assert_int_equal(len, strlen(out));

	perch_notice_rejected(out, sizeof(out), "web", false, "$SYS/#", "no");
	assert_string_equal(out, "web SUBSCRIBE $SYS/# rejected, no");

	perch_notice_rejected(out, sizeof(out), NULL, false, "t", NULL);
	assert_string_equal(out, " SUBSCRIBE t rejected, not authorized");
}

static void test_throttle(void **state)
{
	char out[PERCH_NOTICE_MAX];

	perch_notice_throttle(out, sizeof(out), "alice", 50, "alice/feeds/temp");
	assert_string_equal(out, "alice data rate limit reached (50 messages/s), message to alice/feeds/temp refused");
}

static void test_long_inputs_are_cut(void **state)
{
	char out[PERCH_NOTICE_MAX], topic[5000], id[300];
	size_t len;

	memset(topic, 'x', sizeof(topic) - 1);
	topic[sizeof(topic) - 1] = '\0';
	memset(id, 'c', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	len = perch_notice_rejected(out, sizeof(out), id, true, topic, "why");
	assert_true(len < sizeof(out));
	assert_int_equal(len, strlen(out));
	assert_non_null(strstr(out, " rejected, why"));

	len = perch_notice_throttle(out, 16, "alice", 50, topic);
	assert_int_equal(len, 15);
	assert_int_equal(strlen(out), 15);
}

static void test_utf8_not_split(void **state)
{
	char out[PERCH_NOTICE_MAX], id[300];
	size_t i;

	/* 199 ASCII bytes then a 2-byte character straddling the 200-byte cut. */
	memset(id, 'a', 199);
	id[199] = (char)0xC3;
	id[200] = (char)0xA9;
	id[201] = '\0';
	perch_notice_rejected(out, sizeof(out), id, true, "t", "why");
	for(i = 0; out[i] != ' '; i++){
	}
	assert_int_equal(i, 199);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topic),
		cmocka_unit_test(test_rejected),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_long_inputs_are_cut),
		cmocka_unit_test(test_utf8_not_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
