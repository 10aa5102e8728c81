# Unit tests of the HTTP server's and the REST API's pure parts (no network, no database).
perch_unit_test(test_http_url perch_daemon)
perch_unit_test(test_http_router perch_daemon)
perch_unit_test(test_http_pager perch_daemon)
perch_unit_test(test_http_shape perch_daemon)
