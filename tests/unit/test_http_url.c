/* Request targets: path segments, escapes, query strings, forms, and URL encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/url.h"

static void split(struct perch_req *req, const char *target)
{
	memset(req, 0, sizeof(*req));
	assert_int_equal(perch_url_split(req, target), 0);
}

static void drops_empty_segments(void **state)
{
	struct perch_req req;

	split(&req, "/api/v2/alice//groups/x/feeds/");
	assert_int_equal(req.nsegs, 6);
	assert_string_equal(req.segs[0], "api");
	assert_string_equal(req.segs[3], "groups");
	assert_string_equal(req.segs[5], "feeds");
	assert_false(req.path_bad);
	assert_null(req.raw_query);
	perch_req_clear(&req);

	split(&req, "/");
	assert_int_equal(req.nsegs, 0);
	perch_req_clear(&req);
	(void)state;
}

static void decodes_segments(void **state)
{
	struct perch_req req;

	split(&req, "/api/v2/alice/feeds/Lab%20Temp");
	assert_string_equal(req.segs[4], "Lab Temp");
	assert_false(req.path_bad);
	perch_req_clear(&req);

	/* '+' is a space only in queries and forms */
	split(&req, "/a+b");
	assert_string_equal(req.segs[0], "a+b");
	perch_req_clear(&req);
	(void)state;
}

static void flags_hidden_slashes_and_nuls(void **state)
{
	const char *bad[] = { "/..%2f..%2fetc", "/a%2Fb", "/%00/etc", "/a%0", "/a%zz", "/a%", NULL };
	struct perch_req req;

	for(int i = 0; bad[i]; i++){
		split(&req, bad[i]);
		assert_true(req.path_bad);
		perch_req_clear(&req);
	}
	/* %2e is a plain dot: the static handler refuses ".." segments itself */
	split(&req, "/%2e%2e/x");
	assert_false(req.path_bad);
	assert_string_equal(req.segs[0], "..");
	perch_req_clear(&req);
	(void)state;
}

static void absolute_form_and_fragments(void **state)
{
	struct perch_req req;

	split(&req, "http://example.com:8080/api/v2/user?x=1");
	assert_string_equal(req.raw_path, "/api/v2/user");
	assert_int_equal(req.nsegs, 3);
	assert_string_equal(perch_req_query(&req, "x"), "1");
	perch_req_clear(&req);

	split(&req, "*");
	assert_true(req.path_bad);
	perch_req_clear(&req);

	split(&req, "/a#frag");
	assert_int_equal(req.nsegs, 1);
	assert_string_equal(req.segs[0], "a");
	perch_req_clear(&req);
	(void)state;
}

static void too_many_segments(void **state)
{
	char target[4 * (PERCH_HTTP_MAX_SEGS + 5) + 1] = "";
	struct perch_req req;

	for(int i = 0; i < PERCH_HTTP_MAX_SEGS + 5; i++){
		strcat(target, "/ab");
	}
	split(&req, target);
	assert_true(req.path_long);
	assert_int_equal(req.nsegs, PERCH_HTTP_MAX_SEGS);
	perch_req_clear(&req);
	(void)state;
}

static void parses_queries(void **state)
{
	struct perch_req req;

	split(&req, "/x?X-AIO-Key=k1&limit=10&start_time=2019-03-01T14%3A00%3A00%2B01%3A00&flag&a+b=c+d&&x-aio-key=k2");
	assert_string_equal(perch_req_query(&req, "x-aio-key"), "k1"); /* first wins, any case */
	assert_string_equal(perch_req_query(&req, "LIMIT"), "10");
	assert_string_equal(perch_req_query(&req, "start_time"), "2019-03-01T14:00:00+01:00");
	assert_string_equal(perch_req_query(&req, "flag"), "");
	assert_string_equal(perch_req_query(&req, "a b"), "c d");
	assert_null(perch_req_query(&req, "nothing"));
	assert_int_equal(req.nquery, 6);
	perch_req_clear(&req);
	(void)state;
}

static void caps_query_pairs(void **state)
{
	struct perch_kv kv[4];
	int n = perch_url_parse_pairs("a=1&b=2&c=3&d=4&e=5&f=6", 23, kv, 4);

	assert_int_equal(n, 4);
	assert_string_equal(kv[3].key, "d");
	for(int i = 0; i < n; i++){
		free(kv[i].key);
		free(kv[i].value);
	}
	(void)state;
}

static void encodes(void **state)
{
	char out[64] = "http://h/x?v=";

	assert_true(perch_url_encode_append(out, sizeof(out), "a b/c+d=é~"));
	assert_string_equal(out, "http://h/x?v=a%20b%2Fc%2Bd%3D%C3%A9~");
	char tiny[8] = "";
	assert_false(perch_url_encode_append(tiny, sizeof(tiny), "aaaa//"));
	assert_true(strlen(tiny) < sizeof(tiny));
	(void)state;
}

static void extensions(void **state)
{
	struct perch_req req;

	split(&req, "/assets/app.1234.js");
	assert_true(perch_url_has_extension(&req));
	perch_req_clear(&req);
	split(&req, "/dashboards/3");
	assert_false(perch_url_has_extension(&req));
	perch_req_clear(&req);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(drops_empty_segments),
		cmocka_unit_test(decodes_segments),
		cmocka_unit_test(flags_hidden_slashes_and_nuls),
		cmocka_unit_test(absolute_form_and_fragments),
		cmocka_unit_test(too_many_segments),
		cmocka_unit_test(parses_queries),
		cmocka_unit_test(caps_query_pairs),
		cmocka_unit_test(encodes),
		cmocka_unit_test(extensions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
