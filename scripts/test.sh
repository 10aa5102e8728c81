#!/usr/bin/env bash
# Runs perch's tests: the C unit tests (CTest), the web app's unit tests (Vitest), and the system
# and browser tests (node --test in tests/system and tests/e2e: real PostgreSQL, real Mosquitto
# with the perch plugin, the real daemon, headless Chromium). Called by `make test`
# after the build; works as root or as a normal user, without stdin.
#
#   scripts/test.sh                      unit tests, then every system test
#   scripts/test.sh tests/system/x.test.mjs …   only those system test files (no unit tests)
#
# Environment: PERCH_TEST_CONCURRENCY (test files run at once, default 2),
# PERCH_TEST_KEEP=1 (keep every stack's directory under .perch-test/stacks).
# The last line printed is "N passed, N failed" for unit and system tests together.
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${PERCH_TEST_BUILD_DIR:-$ROOT/build}
TESTDIR=$ROOT/.perch-test
PGDIR=$TESTDIR/pg
# PostgreSQL runs as "postgres" when we are root: it must be able to reach its directory
# (a clone under /root is closed to other users).
if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$ROOT" 2>/dev/null; then
	PGDIR=/tmp/perch-test-$(printf %s "$ROOT" | md5sum | cut -c1-12)/pg
	mkdir -p "$(dirname "$PGDIR")" && chmod 711 "$(dirname "$PGDIR")"
fi
PIDFILE=$TESTDIR/pids
export CI=${CI:-}
# Debian keeps mosquitto in /usr/sbin, which a normal user's PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

mkdir -p "$TESTDIR"
: >"$PIDFILE"
rm -rf "$TESTDIR/stacks" # what an earlier run kept for debugging

unit_passed=0
unit_failed=0
sys_passed=0
sys_failed=0
status=0
pg_started=0

# Kills what the system tests may have left running: only PIDs they recorded, and only while
# the PID still belongs to a mosquitto or perch process (a PID can be reused).
kill_leftovers() {
	[ -f "$PIDFILE" ] || return 0
	local pid exe
	while read -r pid; do
		[ -n "$pid" ] || continue
		[ -d "/proc/$pid" ] || continue
		exe=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -d' ' -f1)
		case "$(basename "${exe:-x}")" in
		mosquitto | perch) kill -KILL "$pid" 2>/dev/null || true ;;
		esac
	done <"$PIDFILE"
	: >"$PIDFILE"
}

node_pid=
stop_node() {
	# node runs in a process group of its own (setsid): end that group, test files included
	if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
		kill -TERM -- "-$node_pid" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$node_pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL -- "-$node_pid" 2>/dev/null || true
	fi
	node_pid=
}

cleanup() {
	stop_node
	kill_leftovers
	if [ "$pg_started" = 1 ]; then
		scripts/pg.sh stop "$PGDIR" || true
	fi
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM HUP

system_files=("$@")

# ---- 1. npm dependencies of the system and browser tests
for dir in tests/system tests/e2e; do
	if [ ! -d $dir/node_modules ] || [ $dir/package-lock.json -nt $dir/node_modules ]; then
		echo "== installing $dir dependencies (npm ci)"
		(cd $dir && npm ci --no-audit --no-fund --loglevel=error) || { echo "test.sh: npm ci in $dir failed" >&2; status=1; }
		touch $dir/node_modules 2>/dev/null || true
	fi
done

# ---- 2. unit tests
if [ ${#system_files[@]} -eq 0 ]; then
	echo "== unit tests (ctest)"
	ctest_log=$TESTDIR/ctest.log
	if ctest --test-dir "$BUILD" --output-on-failure 2>&1 | tee "$ctest_log"; then :; else status=1; fi
	# "100% tests passed, 0 tests failed out of 12"
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$ctest_log" | tail -n 1)
	if [ -n "$line" ]; then
		total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
		unit_failed=$(sed -E 's/.*tests passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
		unit_passed=$((total - unit_failed))
	elif grep -q 'No tests were found' "$ctest_log"; then
		echo "test.sh: ctest found no unit tests" >&2
	else
		echo "test.sh: ctest did not run (is $BUILD built?)" >&2
		unit_failed=$((unit_failed + 1))
		status=1
	fi
	# the web app's own logic (payload formatting, code generation, chart resolution): Vitest
	echo "== web app unit tests (vitest)"
	web_log=$TESTDIR/web-unit.log
	(cd web && NO_COLOR=1 npx vitest run --reporter=default) 2>&1 | sed -E 's/\x1b\[[0-9;]*m//g' >"$web_log"
	[ "${PIPESTATUS[0]}" = 0 ] || status=1
	tail -n 8 "$web_log"
	web_line=$(grep -aE '^ +Tests +' "$web_log" | tail -n 1)
	web_passed=$(grep -oE '[0-9]+ passed' <<<"$web_line" | grep -oE '[0-9]+' || echo 0)
	web_failed=$(grep -oE '[0-9]+ failed' <<<"$web_line" | grep -oE '[0-9]+' || echo 0)
	if [ -z "$web_line" ]; then
		echo "test.sh: the web unit tests printed no summary" >&2
		web_failed=$((web_failed + 1))
	fi
	unit_passed=$((unit_passed + ${web_passed:-0}))
	unit_failed=$((unit_failed + ${web_failed:-0}))
	[ "$unit_failed" -gt 0 ] && status=1
	system_files=(tests/system/ tests/e2e/)
fi

# ---- 3. PostgreSQL for the run
echo "== starting PostgreSQL in $PGDIR"
if conninfo=$(scripts/pg.sh start "$PGDIR" fast); then
	pg_started=1
	PERCH_TEST_PG_HOST=$(sed -E 's/^host=([^ ]+).*/\1/' <<<"$conninfo")
	export PERCH_TEST_PG_HOST
	# databases an interrupted earlier run left behind in this private cluster
	for db in $(psql -h "$PERCH_TEST_PG_HOST" -U perch -d postgres -XAtqc "SELECT datname FROM pg_database WHERE datname ~ '^perch_[0-9a-f]+$'" 2>/dev/null); do
		psql -h "$PERCH_TEST_PG_HOST" -U perch -d postgres -Xqc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	done
else
	echo "test.sh: PostgreSQL did not start" >&2
	status=1
fi

# ---- 4. system tests

# run_node LOG BUILD_DIR FILES...: one node --test run against the binaries in BUILD_DIR; adds
# its counts to sys_passed / sys_failed.
run_node() {
	local log=$1 build=$2 passed failed cancelled
	shift 2
	export PERCH_TEST_BUILD_DIR=$build
	# In the background and in its own process group, so that an interrupt reaches the trap at
	# once and ends every test process.
	setsid node --test --test-concurrency="${PERCH_TEST_CONCURRENCY:-2}" --test-reporter=spec "$@" \
		> >(tee "$log") 2>&1 </dev/null &
	node_pid=$!
	wait "$node_pid" || status=1
	node_pid=
	sleep 0.2 # let tee finish writing the log
	# The spec reporter ends with "ℹ pass N" / "ℹ fail N" lines (cancelled tests count as failed).
	passed=$(grep -aE '^ℹ pass [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
	failed=$(grep -aE '^ℹ fail [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
	cancelled=$(grep -aE '^ℹ cancelled [0-9]+' "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0)
	failed=$((${failed:-0} + ${cancelled:-0}))
	if [ -z "$(grep -aE '^ℹ pass [0-9]+' "$log")" ]; then
		echo "test.sh: the test runner printed no summary" >&2
		failed=$((failed + 1))
	fi
	sys_passed=$((sys_passed + ${passed:-0}))
	sys_failed=$((sys_failed + failed))
	[ "$failed" -gt 0 ] && status=1
}

if [ "$pg_started" = 1 ]; then
	echo "== system tests (node --test)"
	run_node "$TESTDIR/system.log" "$BUILD" "${system_files[@]}"
fi

# ---- 5. the system tests again, with the daemon built with ASan and UBSan (make sanitize)
# The broker loads the ordinary plugin: Debian's mosquitto is not instrumented. Any report
# (memory error, undefined behaviour, leak at exit) fails the run.
if [ "$pg_started" = 1 ] && [ $# -eq 0 ] && [ -x "$ROOT/build-asan/perch" ]; then
	echo "== system tests with the daemon under AddressSanitizer and UndefinedBehaviorSanitizer"
	asan_bin=$TESTDIR/asan-bin
	asan_logs=$TESTDIR/asan-logs
	rm -rf "$asan_bin" "$asan_logs"
	mkdir -p "$asan_bin" "$asan_logs"
	# copies, not links: perch finds the plugin beside its own (resolved) path
	cp "$ROOT/build-asan/perch" "$BUILD/perch_plugin.so" "$asan_bin/"
	export ASAN_OPTIONS="log_path=$asan_logs/asan:detect_leaks=1"
	export UBSAN_OPTIONS="log_path=$asan_logs/ubsan:print_stacktrace=1"
	run_node "$TESTDIR/system-asan.log" "$asan_bin" tests/system/
	unset ASAN_OPTIONS UBSAN_OPTIONS
	if [ -n "$(ls -A "$asan_logs" 2>/dev/null)" ]; then
		echo "test.sh: the sanitizers reported problems in perch:" >&2
		cat "$asan_logs"/* >&2
		sys_failed=$((sys_failed + 1))
		status=1
	fi
fi

kill_leftovers
passed=$((unit_passed + sys_passed))
failed=$((unit_failed + sys_failed))
[ "$failed" -gt 0 ] && status=1
echo "unit: $unit_passed passed, $unit_failed failed; system: $sys_passed passed, $sys_failed failed"
echo "$passed passed, $failed failed"
exit "$status"
