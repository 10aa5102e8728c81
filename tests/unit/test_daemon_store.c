/* The store's pure helpers: PostgreSQL times and rollup buckets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "store/feeds.h"

static void formats_times_for_postgres(void **state)
{
	char t[40];

	(void)state;
	perch_pg_time(0, t, sizeof(t));
	assert_string_equal(t, "1970-01-01 00:00:00.000000+00");
	perch_pg_time(INT64_C(1551448800123456), t, sizeof(t));
	assert_string_equal(t, "2019-03-01 14:00:00.123456+00");
	perch_pg_time(-1, t, sizeof(t));
	assert_string_equal(t, "1969-12-31 23:59:59.999999+00");
}

static void buckets_minutes_and_hours(void **state)
{
	int64_t t = INT64_C(1551448800) * 1000000 + 61 * INT64_C(1000000) + 5; /* 14:01:01.000005 */

	(void)state;
	assert_int_equal(perch_rollup_bucket(PERCH_ROLLUP_MINUTE, t), INT64_C(1551448860) * 1000000);
	assert_int_equal(perch_rollup_bucket(PERCH_ROLLUP_HOUR, t), INT64_C(1551448800) * 1000000);
	assert_int_equal(perch_rollup_bucket(PERCH_ROLLUP_MINUTE, INT64_C(1551448860) * 1000000),
			INT64_C(1551448860) * 1000000);
	/* before 1970 the bucket is still the start of the minute, not the end */
	assert_int_equal(perch_rollup_bucket(PERCH_ROLLUP_MINUTE, -1), -60 * INT64_C(1000000));
	assert_int_equal(perch_rollup_bucket(PERCH_ROLLUP_HOUR, -1), -3600 * INT64_C(1000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(formats_times_for_postgres),
		cmocka_unit_test(buckets_minutes_and_hours),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
