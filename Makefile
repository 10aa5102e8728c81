# perch: the two commands are `make run` and `make test`; `make` alone builds build/perch.
.PHONY: all build deps run test unit system sanitize clean web

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

test: build web
	@PERCH_WITH_BROWSER=1 scripts/deps.sh
	@scripts/test.sh

clean:
	rm -rf $(BUILD)
