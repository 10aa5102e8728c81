/* The token bucket behind the per-user message rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ratelimit.h"

#define SEC 1000000000LL

static void burst_then_rate(void **state)
{
	struct perch_bucket b;
	int taken = 0;
	perch_bucket_init(&b, 50, 0);
	/* a full bucket holds half a second's worth */
	for(int i = 0; i < 100; i++){
		taken += perch_bucket_take(&b, 50, 0);
	}
	assert_int_equal(taken, 25);
	/* then exactly the rate: 10 s of offers every millisecond yield 500 */
	taken = 0;
	for(int64_t t = 1000000; t <= 10 * SEC; t += 1000000){
		taken += perch_bucket_take(&b, 50, t);
	}
	assert_true(taken >= 499 && taken <= 501);
	(void)state;
}

static void idle_refills_to_burst_only(void **state)
{
	struct perch_bucket b;
	int taken = 0;
	perch_bucket_init(&b, 10, 0);
	for(int i = 0; i < 100; i++){
		taken += perch_bucket_take(&b, 10, 3600 * SEC);
	}
	assert_int_equal(taken, 5);
	(void)state;
}

static void slow_rates(void **state)
{
	struct perch_bucket b;
	perch_bucket_init(&b, 1, 0);
	assert_true(perch_bucket_take(&b, 1, 0));
	assert_false(perch_bucket_take(&b, 1, SEC / 2));
	assert_true(perch_bucket_take(&b, 1, SEC));
	assert_true(perch_bucket_burst(0.5) >= 1.0);
	/* a clock that goes backwards does not add tokens */
	assert_false(perch_bucket_take(&b, 1, 0));
	(void)state;
}

static void monotonic_clock(void **state)
{
	int64_t a = perch_now_ns(), b = perch_now_ns();
	assert_true(b >= a);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(burst_then_rate),
		cmocka_unit_test(idle_refills_to_burst_only),
		cmocka_unit_test(slow_rates),
		cmocka_unit_test(monotonic_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
