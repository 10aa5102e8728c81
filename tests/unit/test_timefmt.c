/* Time parsing and formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "timefmt.h"

static int64_t parse(const char *s)
{
	int64_t us = 0;
	assert_int_equal(perch_time_parse(s, &us), 0);
	return us;
}

static void parses(void **state)
{
	assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse("2019-03-01T14:00:00Z"), 1551448800LL * 1000000);
	assert_int_equal(parse("2019-03-01T15:00:00+01:00"), 1551448800LL * 1000000);
	assert_int_equal(parse("2019-03-01T14:00:00.25Z"), 1551448800LL * 1000000 + 250000);
	assert_int_equal(parse("2019-03-01 14:00:00"), 1551448800LL * 1000000);
	assert_int_equal(parse("2019-03-01"), 1551398400LL * 1000000);
	assert_int_equal(parse("1551448800"), 1551448800LL * 1000000);
	assert_int_equal(parse("1551448800.5"), 1551448800LL * 1000000 + 500000);
	assert_int_equal(parse("2024-02-29T23:59:59-0000"), 1709251199LL * 1000000);
	(void)state;
}

static void refuses(void **state)
{
	const char *bad[] = { "", "yesterday", "2019-13-01", "2019-03-01T25:00:00Z", "2019-03-01T14:00:00+5",
		"2019-03-01T14:00:00Zjunk", "-5", "2019-3-1" };
	int64_t us;
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++){
		assert_int_equal(perch_time_parse(bad[i], &us), -1);
	}
	(void)state;
}

static void formats(void **state)
{
	char buf[40];
	perch_time_format(1551448800LL * 1000000 + 999999, buf, sizeof(buf));
	assert_string_equal(buf, "2019-03-01T14:00:00Z");
	perch_time_format_ms(1562165236038000LL, buf, sizeof(buf));
	assert_string_equal(buf, "2019-07-03T14:47:16.038Z");
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses),
		cmocka_unit_test(refuses),
		cmocka_unit_test(formats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
