# SoccerStream: `make demo` streams the bundled sample; `make test` runs every test.
# Both install what is missing first (tools/install-deps) and can be rerun.

SWIFT ?= swift

.PHONY: demo test build release deps protos sample format

deps:
	tools/install-deps

build: deps
	$(SWIFT) build --product soccer

release: deps
	$(SWIFT) build -c release --product soccer

# Starts a server on the bundled sample, dumps every frame to out/sample, shows the summary.
demo: release
	tools/demo

# Lint and type checks of the Python package, the tests and the benchmark harness; the package's unit tests;
# unit and end-to-end tests (Swift); the harness's own tests; then interoperability tests with Python grpcio
# peers and the Python package.
test: deps
	tools/install-deps --python
	.venv/bin/ruff check python Tests Benchmarks
	.venv/bin/ruff format --check python Tests Benchmarks
	cd python && ../.venv/bin/mypy
	.venv/bin/mypy
	cd python && ../.venv/bin/python -m pytest -q tests
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	SOCCER_BIN=$$($(SWIFT) build --show-bin-path)/soccer .venv/bin/python -m pytest -q Benchmarks/tests
	SOCCER_BIN=$$($(SWIFT) build --show-bin-path)/soccer .venv/bin/python -m pytest -q Tests/interop

protos: deps
	tools/generate-protos

sample: deps
	tools/make-sample-media

format:
	$(SWIFT) format --in-place --recursive $$(ls -d Sources/* | grep -v SoccerProtocol) Tests Package.swift
