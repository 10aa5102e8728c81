# Unit tests of the ingest and the store helpers (no broker, no database needed).
perch_unit_test(test_daemon_queue perch_daemon)
perch_unit_test(test_daemon_store perch_daemon)
