# perch: the two commands are `make run` and `make test`; `make` alone builds build/perch.
.PHONY: all build deps run test sanitize fuzz clean web

BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

web: deps
	@scripts/web.sh

run: build web
	@scripts/run.sh

# The unit tests again, built with AddressSanitizer and UndefinedBehaviorSanitizer.
sanitize: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DPERCH_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS) >/dev/null
	@echo "== unit tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir build-asan --output-on-failure >build-asan/ctest.log 2>&1 || { cat build-asan/ctest.log; exit 1; }
	@tail -n 3 build-asan/ctest.log

# The parsers of everything a client sends, under libFuzzer (FUZZ_SECONDS each run).
FUZZ_SECONDS ?= 15
fuzz:
	@PERCH_TEST_DEPS=1 scripts/deps.sh
	@echo "== fuzzing the topic, ACL and payload parsers for $(FUZZ_SECONDS) s"
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

test: build web sanitize fuzz
	@scripts/test.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
