# stellar-arrow-source: the commands a newcomer needs. `make run` and `make test` do everything
# from a fresh Debian 12 machine (scripts/bootstrap installs what is missing).
SHELL := /bin/bash
BIN_RELEASE := build/release/stellar-arrow-source
BIN_DEBUG := build/debug/stellar-arrow-source
PYTEST := .venv/bin/python -m pytest
JOBS ?= $(shell nproc)

.PHONY: all bootstrap build build-debug run test test-unit test-e2e bench fuzz format lint clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	cmake --preset release
	cmake --build --preset release -j $(JOBS)

build-debug: bootstrap
	cmake --preset debug
	cmake --build --preset debug -j $(JOBS)

## Start the server on the built-in ledger generator, with analytics and a Parquet archive
## in ./demo-archive (override any of these, e.g. MOCK_DATA=false LEDGER_LAKE_URI=...).
run: build
	MOCK_DATA=$${MOCK_DATA:-true} MOCK_CLOSE_TIME=$${MOCK_CLOSE_TIME:-now} \
	ENABLE_ANALYTICS=$${ENABLE_ANALYTICS:-true} \
	PARQUET_BASE_PATH=$${PARQUET_BASE_PATH:-$(CURDIR)/demo-archive} \
	PARQUET_ARCHIVE_INTERVAL_MINUTES=$${PARQUET_ARCHIVE_INTERVAL_MINUTES:-0.5} \
	$(BIN_RELEASE)

## Everything: packages, venv, debug build with -Werror, unit tests, end-to-end tests.
test: build-debug
	ctest --preset debug -j $(JOBS)
	BIN=$(BIN_DEBUG) $(PYTEST) -q tests

bench: build
	cmake --build --preset release --target benchmarks -j $(JOBS)
	scripts/run-benchmarks

fuzz: bootstrap
	cmake --preset fuzz
	cmake --build --preset fuzz -j $(JOBS)
	scripts/run-fuzz

format:
	git ls-files '*.h' '*.cc' | xargs clang-format -i

lint: build-debug
	git ls-files 'src/*.cc' | xargs clang-tidy -p build/debug --quiet

clean:
	rm -rf build
