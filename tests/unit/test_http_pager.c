/* Data-list pagination: cursors, page URLs (no key leaks), the Link header's Adafruit quirk. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/pager.h"
#include "http/url.h"

static void cursor_round_trip(void **state)
{
	char c[PERCH_CURSOR_MAX + 1];
	int64_t us = 0, id = 0;

	assert_int_equal(perch_cursor_encode(INT64_C(1589316770123456), 987654321, c, sizeof(c)), 0);
	assert_null(strpbrk(c, "+/=")); /* safe in a query string as it is */
	assert_int_equal(perch_cursor_decode(c, &us, &id), 0);
	assert_int_equal(us, INT64_C(1589316770123456));
	assert_int_equal(id, 987654321);
	assert_int_equal(perch_cursor_encode(-5, 0, c, sizeof(c)), 0);
	assert_int_equal(perch_cursor_decode(c, &us, &id), 0);
	assert_int_equal(us, -5);
	(void)state;
}

static void cursor_rejects_junk(void **state)
{
	const char *junk[] = { "", "abc", "!!!!", "MTIz", "OjE", "MTIzOg", "MTIzOmFiYw", "MTIzOi0x",
		"eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4", NULL };
	int64_t us, id;

	for(int i = 0; junk[i]; i++){
		assert_int_equal(perch_cursor_decode(junk[i], &us, &id), -1);
	}
	(void)state;
}

static void page_url_keeps_filters_drops_key(void **state)
{
	struct perch_req req = { 0 };
	char *url;

	assert_int_equal(perch_url_split(&req, "/api/v2/alice//feeds/temp/data.json?limit=10&x-aio-key=SECRET"
			"&before=OLD&start_time=2019-03-01T14%3A00%3A00Z&X-AIO-Key=S2"), 0);
	req.segs[5][4] = '\0'; /* what the router's ".json" strip does */
	url = perch_page_url(&req, "http://perch.local:8080", "NEW");
	assert_non_null(url);
	assert_string_equal(url, "http://perch.local:8080/api/v2/alice/feeds/temp/data?limit=10"
			"&start_time=2019-03-01T14%3A00%3A00Z&before=NEW");
	free(url);
	url = perch_page_url(&req, "http://h", NULL);
	assert_null(strstr(url, "SECRET"));
	assert_null(strstr(url, "before"));
	free(url);
	perch_req_clear(&req);
	(void)state;
}

static void origin(void **state)
{
	struct perch_req req = { 0 };
	char out[128];

	perch_page_origin(&req, "https://perch.school.org/", out, sizeof(out));
	assert_string_equal(out, "https://perch.school.org");
	perch_page_origin(&req, NULL, out, sizeof(out));
	assert_string_equal(out, "http://localhost");
	(void)state;
}

/* What Adafruit's Python client does with the header. */
static char *python_next(const char *link)
{
	regex_t re;
	regmatch_t m[2];
	char *out = NULL;

	assert_int_equal(regcomp(&re, "rel=\"next\", <([^>]+)>", REG_EXTENDED), 0);
	if(regexec(&re, link, 2, m, 0) == 0){
		out = strndup(link + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
	}
	regfree(&re);
	return out;
}

static void link_quirk(void **state)
{
	char *link = perch_page_link("http://h/data?limit=2", "http://h/data?limit=2&before=abc");
	char *next = python_next(link);

	assert_string_equal(link, "<http://h/data?limit=2>; rel=\"next\", <http://h/data?limit=2&before=abc>");
	assert_string_equal(next, "http://h/data?limit=2&before=abc");
	free(next);
	free(link);

	link = perch_page_link("http://h/data?limit=2&before=abc", NULL);
	assert_string_equal(link, "<http://h/data?limit=2&before=abc>; rel=\"self\"");
	assert_null(python_next(link)); /* the last page: the client stops */
	free(link);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cursor_round_trip),
		cmocka_unit_test(cursor_rejects_junk),
		cmocka_unit_test(page_url_keeps_filters_drops_key),
		cmocka_unit_test(origin),
		cmocka_unit_test(link_quirk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
