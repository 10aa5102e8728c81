/* Payload parsing: raw, IO JSON, CSV (with the Arduino library's quoting) and groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "payload.h"

static struct perch_datum ok(enum perch_format fmt, const char *payload)
{
	struct perch_datum d;
	char err[256] = "";
	int rc = perch_payload_parse(fmt, payload, strlen(payload), 1024, &d, err, sizeof(err));
	if(rc != 0){
		print_error("%s: %s\n", payload, err);
	}
	assert_int_equal(rc, 0);
	return d;
}

static void fails(enum perch_format fmt, const char *payload, size_t len)
{
	struct perch_datum d;
	char err[256] = "";
	assert_int_equal(perch_payload_parse(fmt, payload, len, 1024, &d, err, sizeof(err)), -1);
	assert_true(strlen(err) > 0);
	assert_null(d.value);
}

static void raw_values(void **state)
{
	struct perch_datum d = ok(PERCH_FMT_RAW, "22.587");
	assert_string_equal(d.value, "22.587");
	assert_true(d.has_num);
	assert_true(d.num > 22.58 && d.num < 22.59);
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_RAW, "ON");
	assert_string_equal(d.value, "ON");
	assert_false(d.has_num);
	perch_datum_clear(&d);

	/* a JSON object without "value" is stored verbatim, as Adafruit IO does */
	d = ok(PERCH_FMT_RAW, "{\"humidity\":45.8}");
	assert_string_equal(d.value, "{\"humidity\":45.8}");
	perch_datum_clear(&d);

	/* with "value" it is IO JSON */
	d = ok(PERCH_FMT_RAW, "{\"value\": 3, \"lat\": 1.5}");
	assert_string_equal(d.value, "3");
	assert_true(d.has_lat);
	perch_datum_clear(&d);

	/* a trailing NUL from C clients is dropped */
	d = ok(PERCH_FMT_RAW, "12");
	perch_datum_clear(&d);
	struct perch_datum e;
	char err[64];
	assert_int_equal(perch_payload_parse(PERCH_FMT_RAW, "12\0", 3, 1024, &e, err, sizeof(err)), 0);
	assert_string_equal(e.value, "12");
	perch_datum_clear(&e);
	(void)state;
}

static void raw_refused(void **state)
{
	char big[1100];
	memset(big, 'x', sizeof(big));
	fails(PERCH_FMT_RAW, big, sizeof(big));
	fails(PERCH_FMT_RAW, "", 0);
	fails(PERCH_FMT_RAW, "\xff\xfe", 2);
	fails(PERCH_FMT_RAW, "a\0b", 3);
	fails(PERCH_FMT_RAW, "\xc0\xaf", 2); /* overlong '/' */
	(void)state;
}

static void json_values(void **state)
{
	struct perch_datum d = ok(PERCH_FMT_JSON,
			"{\"value\":22.5,\"lat\":38.1123,\"lon\":-91.2325,\"ele\":112,\"created_at\":\"2024-01-02T03:04:05Z\"}");
	assert_string_equal(d.value, "22.5");
	assert_true(d.has_lat && d.has_lon && d.has_ele);
	assert_true(d.has_time);
	assert_int_equal(d.created_us, 1704164645LL * 1000000);
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_JSON, "{\"value\":\"hello\"}");
	assert_string_equal(d.value, "hello");
	assert_false(d.has_num);
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_JSON, "{\"value\":{\"r\":1, \"g\": 2}}");
	assert_string_equal(d.value, "{\"r\":1,\"g\":2}");
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_JSON, "{\"value\":1,\"epoch\":1700000000}");
	assert_int_equal(d.created_us, 1700000000LL * 1000000);
	perch_datum_clear(&d);
	(void)state;
}

static void json_refused(void **state)
{
	const char *bad[] = {
		"{\"value\":", "[1,2]", "{\"lat\":1}", "{\"value\":null}", "{\"value\":1,\"lat\":\"north\"}",
		"{\"value\":1,\"lat\":91}", "{\"value\":1,\"created_at\":\"yesterday\"}", "42", "{\"value\":1,\"value\":2}",
	};
	for(size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++){
		fails(PERCH_FMT_JSON, bad[i], strlen(bad[i]));
	}
	(void)state;
}

static void csv_values(void **state)
{
	struct perch_datum d = ok(PERCH_FMT_CSV, "22.587,38.1123,-91.2325,112");
	assert_string_equal(d.value, "22.587");
	assert_true(d.has_lat && d.has_lon && d.has_ele);
	assert_true(d.lon < -91.2 && d.lon > -91.3);
	perch_datum_clear(&d);

	/* the Arduino library quotes the value and sends 0.000000 for no location */
	d = ok(PERCH_FMT_CSV, "\"22.5\",0.000000,0.000000,0.000000");
	assert_string_equal(d.value, "22.5");
	assert_false(d.has_lat || d.has_lon || d.has_ele);
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_CSV, "\"say \"\"hi\"\", then go\"");
	assert_string_equal(d.value, "say \"hi\", then go");
	perch_datum_clear(&d);

	d = ok(PERCH_FMT_CSV, "7\n");
	assert_string_equal(d.value, "7");
	assert_false(d.has_lat);
	perch_datum_clear(&d);

	fails(PERCH_FMT_CSV, "1,north,2", 9);
	fails(PERCH_FMT_CSV, "\"unterminated,1,2", 16);
	(void)state;
}

static void groups(void **state)
{
	struct perch_group_item *items = NULL;
	size_t n = 0;
	char err[256];
	const char *j = "{\"feeds\":{\"Temp\":21.5,\"door\":\"open\"},\"location\":{\"lat\":1,\"lon\":2}}";
	const char *rest = "{\"feeds\":[{\"key\":\"a\",\"value\":1},{\"key\":\"b\",\"value\":\"x\"}]}";
	const char *csv = "temp,21.5\r\ndoor,\"open\"\nlocation,1,2,3\n";

	assert_int_equal(perch_group_parse(PERCH_FMT_JSON, j, strlen(j), 1024, &items, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].key, "temp");
	assert_string_equal(items[0].name, "Temp");
	assert_string_equal(items[0].datum.value, "21.5");
	assert_true(items[1].datum.has_lat);
	perch_group_free(items, n);

	assert_int_equal(perch_group_parse(PERCH_FMT_JSON, rest, strlen(rest), 1024, &items, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[1].datum.value, "x");
	perch_group_free(items, n);

	assert_int_equal(perch_group_parse(PERCH_FMT_CSV, csv, strlen(csv), 1024, &items, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(items[1].datum.value, "open");
	assert_true(items[0].datum.has_ele);
	perch_group_free(items, n);

	assert_int_equal(perch_group_parse(PERCH_FMT_JSON, "{\"feeds\":{}}", 12, 1024, &items, &n, err, sizeof(err)), -1);
	assert_int_equal(perch_group_parse(PERCH_FMT_JSON, "{\"feeds\":{\"bad key\":1}}", 23, 1024, &items, &n, err, sizeof(err)), -1);
	assert_null(items);
	assert_int_equal(perch_group_parse(PERCH_FMT_CSV, "\n\n", 2, 1024, &items, &n, err, sizeof(err)), -1);
	(void)state;
}

static void numbers(void **state)
{
	double v;
	assert_true(perch_parse_number(" 42 ", 4, &v));
	assert_true(v == 42);
	assert_true(perch_parse_number("-1.5e3", 6, &v));
	assert_false(perch_parse_number("0x10", 4, &v));
	assert_false(perch_parse_number("nan", 3, &v));
	assert_false(perch_parse_number("inf", 3, &v));
	assert_false(perch_parse_number("12abc", 5, &v));
	assert_false(perch_parse_number("", 0, &v));
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_values),
		cmocka_unit_test(raw_refused),
		cmocka_unit_test(json_values),
		cmocka_unit_test(json_refused),
		cmocka_unit_test(csv_values),
		cmocka_unit_test(groups),
		cmocka_unit_test(numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
