#!/usr/bin/env bash
# Builds the fuzzers with clang (libFuzzer + ASan + UBSan) and runs each for a while.
#   tests/fuzz/run.sh [SECONDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")"
out=${PERCH_FUZZ_DIR:-../../build-fuzz}
mkdir -p "$out"
secs=${1:-20}
common=(../../common/topic.c ../../common/acl.c ../../common/payload.c ../../common/timefmt.c)
clang -g -O1 -std=c11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I../../common fuzz_mqtt_input.c "${common[@]}" $(pkg-config --cflags --libs jansson) -o "$out/fuzz_mqtt_input"
work=$(mktemp -d)
cp corpus/* "$work/"
# the crash report (if any) is written next to the corpus copy, then shown
if ! "$out/fuzz_mqtt_input" -max_total_time="$secs" -max_len=4096 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work" >"$work/log" 2>&1; then
	grep -v -E '^#[0-9]+' "$work/log" | tail -n 40
	echo "fuzz: a crash; the input is kept in $out/" >&2
	cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$out/" 2>/dev/null || true
	rm -rf "$work"
	exit 1
fi
grep -E 'stat::number_of_executed_units|Done' "$work/log" | tail -n 2
rm -rf "$work"
