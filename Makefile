# rcnet: `make demo` runs the Handbook's three hosts; `make test` runs the tests.
# Both set up what they need: a virtualenv from setup.cfg and, as root, Debian packages.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all venv deps demo test lint typecheck unit bench install uninstall deb clean rules

all: test

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

deps:
	@sh tools/install-deps

lint: $(STAMP)
	$(BIN)/ruff check rcnet tests bench tools
	$(BIN)/ruff format --check rcnet tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy --strict rcnet bench

unit: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider tests

test: deps $(STAMP) lint typecheck
	$(BIN)/pytest -p no:cacheprovider tests

# docs/rules.md is generated from rcnet/rules.py (tests/lint/test_rules.py fails when it is stale)
rules: $(STAMP)
	$(BIN)/python -m tools.gen_docs

demo: deps $(STAMP)
	@sh tools/demo

# the bench extra (matplotlib, for timeline.png) only for bench; install-deps has the peers
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: deps $(BENCH_STAMP)
	$(BIN)/python -m bench

# make deb: dist/rcnet_VERSION_all.deb (rcnet and its dependencies in /opt/rcnet, man pages,
# bash completion, the unit). make install: the same tree without a package (/opt/rcnet,
# /usr/local/sbin/rcnet, /etc/systemd/system/rcnet.service); make uninstall removes exactly that.
# Neither writes into the system Python.
deb: $(STAMP)
	$(BIN)/python -m tools.package deb dist

install: $(STAMP)
	$(BIN)/python -m tools.package stage $(DESTDIR)/ --prefix /usr/local --unit-dir /etc/systemd/system
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

uninstall:
	$(PYTHON) -m tools.package uninstall $(DESTDIR)/

# Fuzzing (atheris) runs FUZZ_SECONDS (default 60) per target and writes bench/results/fuzz.json.
# Long runs stay out of `make test`.
.PHONY: fuzz
fuzz: deps $(STAMP)
	$(BIN)/python -m tools.fuzz.run

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache
