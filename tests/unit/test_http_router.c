/* perch's router: patterns, captures, literal-before-capture order, 405 with Allow, ".json". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http/router.h"
#include "http/url.h"

static void fn_a(void) {}
static void fn_b(void) {}

static const struct perch_route routes[] = {
	{ "GET", "/api/v2/user", fn_a, 0 },
	{ "GET", "/api/v2/:user/feeds", fn_a, 1 },
	{ "POST", "/api/v2/:user/feeds", fn_b, 2 },
	{ "GET", "/api/v2/:user/feeds/:feed/data/last", fn_a, 3 },
	{ "GET", "/api/v2/:user/feeds/:feed/data/:id", fn_b, 4 },
	{ "DELETE", "/api/v2/:user/feeds/:feed/data/:id", fn_b, 5 },
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static enum perch_route_result find(struct perch_req *req, const char *method, const char *target,
		const struct perch_route **r, char *allow)
{
	memset(req, 0, sizeof(*req));
	assert_int_equal(perch_url_split(req, target), 0);
	req->method = method;
	perch_route_strip_json(req);
	return perch_route_find(routes, NROUTES, req, r, allow, 128);
}

static void matches_and_captures(void **state)
{
	struct perch_req req;
	const struct perch_route *r = NULL;
	char allow[128];

	assert_int_equal(find(&req, "GET", "/api/v2/alice/feeds/temp/data/123", &r, allow), PERCH_ROUTE_FOUND);
	assert_int_equal(r->flags, 4);
	assert_string_equal(perch_req_param(&req, "user"), "alice");
	assert_string_equal(perch_req_param(&req, "feed"), "temp");
	assert_string_equal(perch_req_param(&req, "id"), "123");
	assert_null(perch_req_param(&req, "nope"));
	perch_req_clear(&req);
	(void)state;
}

static void literal_routes_first(void **state)
{
	struct perch_req req;
	const struct perch_route *r = NULL;
	char allow[128];

	assert_int_equal(find(&req, "GET", "/api/v2/alice/feeds/temp/data/last", &r, allow), PERCH_ROUTE_FOUND);
	assert_int_equal(r->flags, 3);
	perch_req_clear(&req);
	(void)state;
}

static void tolerates_slashes_and_json(void **state)
{
	struct perch_req req;
	const struct perch_route *r = NULL;
	char allow[128];

	assert_int_equal(find(&req, "GET", "//api/v2/alice//feeds/", &r, allow), PERCH_ROUTE_FOUND);
	assert_int_equal(r->flags, 1);
	perch_req_clear(&req);
	assert_int_equal(find(&req, "GET", "/api/v2/alice/feeds.json", &r, allow), PERCH_ROUTE_FOUND);
	assert_int_equal(r->flags, 1);
	perch_req_clear(&req);
	assert_int_equal(find(&req, "HEAD", "/api/v2/user", &r, allow), PERCH_ROUTE_FOUND);
	perch_req_clear(&req);
	(void)state;
}

static void method_not_allowed(void **state)
{
	struct perch_req req;
	const struct perch_route *r = NULL;
	char allow[128];

	assert_int_equal(find(&req, "PUT", "/api/v2/alice/feeds", &r, allow), PERCH_ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, POST, OPTIONS");
	perch_req_clear(&req);
	assert_int_equal(find(&req, "PATCH", "/api/v2/alice/feeds/t/data/last", &r, allow), PERCH_ROUTE_NO_METHOD);
	assert_string_equal(allow, "GET, HEAD, DELETE, OPTIONS");
	perch_req_clear(&req);
	assert_int_equal(find(&req, "get", "/api/v2/user", &r, allow), PERCH_ROUTE_NO_METHOD);
	perch_req_clear(&req);
	(void)state;
}

static void unknown_paths(void **state)
{
	struct perch_req req;
	const struct perch_route *r = NULL;
	char allow[128];

	assert_int_equal(find(&req, "GET", "/api/v9/user", &r, allow), PERCH_ROUTE_NO_PATH);
	perch_req_clear(&req);
	assert_int_equal(find(&req, "GET", "/api/v2/alice/feeds/t/data/1/extra", &r, allow), PERCH_ROUTE_NO_PATH);
	perch_req_clear(&req);
	assert_int_equal(find(&req, "GET", "/api/v2", &r, allow), PERCH_ROUTE_NO_PATH);
	perch_req_clear(&req);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_and_captures),
		cmocka_unit_test(literal_routes_first),
		cmocka_unit_test(tolerates_slashes_and_json),
		cmocka_unit_test(method_not_allowed),
		cmocka_unit_test(unknown_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
