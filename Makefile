# Front door: `make demo` and `make test` do every set-up step on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export GONGZHI_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test test-sqlite test-postgres test-fuzz cluster-test bench bench-venues bench-appeals bench-sqlite bench-submit bench-points bench-party bench-triage bench-alliance bench-lighthouse bench-deliberation bench-cockpit lint setup assets messages clean

## Install Python and npm packages, vendor static assets, compile translations.
setup: $(VENV)/.installed assets messages

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed $(VENV)/.installed
	$(BIN)/python scripts/vendor_assets.py

messages: $(VENV)/.installed
	$(BIN)/pybabel -q compile --use-fuzzy -d src/gongzhi/locale -D django || \
	  $(BIN)/pybabel compile -d src/gongzhi/locale -D django

## Load the five demo sub-districts into SQLite and serve on 127.0.0.1:8000.
demo: setup
	$(BIN)/gongzhi demo

## The whole suite: lint and types, Django checks, pytest on SQLite, then the database-sensitive
## tests on a throw-away PostgreSQL that this target installs and starts.
test: setup
	bash scripts/system-deps.sh
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check --quiet src tests bench scripts
	$(BIN)/mypy src/gongzhi
	$(BIN)/gongzhi check --fail-level WARNING
	$(BIN)/gongzhi makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres
	$(MAKE) --no-print-directory test-fuzz
	$(MAKE) --no-print-directory cluster-test

## Two workers (this machine has 2 cores); a test file stays on one worker, so its browser and fixtures are made once.
test-sqlite:
	$(BIN)/pytest -n 2 --dist loadfile

## autovacuum off: the suite's tests roll back thousands of rows, and an automatic ANALYZE that finds a
## table's pages full of rolled-back rows records it as empty; the next test's queries were then planned
## for empty tables (nested loops over seq scans, 25 s a query) and the suite hung. Tests that need
## statistics take them themselves (the plan tests' VACUUM ANALYZE, the demo loader's ANALYZE).
test-postgres:
	GONGZHI_PG_OPTIONS="-c autovacuum=off" bash scripts/pg.sh run $(BIN)/pytest -m postgres

## The multi-server deployment started and attacked: PostgreSQL, Redis, two gunicorn app servers, two Huey
## workers; kill -9 mid-load; nothing lost, nothing doubled (figures in docs/benchmarks.md).
cluster-test: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/pytest -m cluster -s tests/cluster

## schemathesis over every API operation (fixed seed, 3 examples each) against the demo served by gunicorn:
## fails on any 5xx, undeclared status, body off its schema or wrong content type.
test-fuzz:
	$(BIN)/python scripts/fuzz_api.py

## District-scale benchmark on PostgreSQL (figures go in docs/benchmarks.md).
bench: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/run.py

bench-appeals: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/appeals.py

## The embedded default at sub-district size: the demo plus 20,000 then 100,000 appeals and 100,000
## residents on SQLite, served by gunicorn as `make demo` serves it (figures go in docs/benchmarks.md).
bench-sqlite: setup
	$(BIN)/python bench/sqlite.py $(SQLITE_ARGS)

## Intake under load: 50 residents filing against gunicorn, on the appeals benchmark's database.
bench-submit: setup
	$(BIN)/python -m pip install --quiet 'locust>=2.20,<3'
	bash scripts/system-deps.sh wrk
	GONGZHI_PG_DIR=$${GONGZHI_PG_DIR:-$(CURDIR)/var/bench-pg} bash scripts/pg.sh run sh -c '$(BIN)/python bench/appeals.py --keep && $(BIN)/python bench/submit.py $(SUBMIT_ARGS)'

## Points mall orders and check-in under 50 concurrent clients on PostgreSQL.
bench-points: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/points.py

## Party work on PostgreSQL: 2,800 members' live-session heartbeats at 50 clients; the 74-branch board.
bench-party: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/partywork.py

## The cockpit at city scale on PostgreSQL: 10,000,000 residents, 5,000,000 appeals over a year, the other
## modules' rollups; page/API p95 for the city and a subdistrict, and the rollup catch-up after 10,000 events.
## COCKPIT_ARGS="--scale 0.02" for a quick look; GONGZHI_PG_DIR=... keeps the cluster (then --keep).
bench-cockpit: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/cockpit.py $(COCKPIT_ARGS)

## Owners' votes on PostgreSQL: 50 clients casting ballots in a 5,000-unit compound; closing and tallying.
bench-deliberation: setup
	bash scripts/system-deps.sh
	bash scripts/pg.sh run $(BIN)/python bench/deliberation.py

## Triage speed on one core: model load, classification throughput, duplicate check, hot issues.
bench-triage: setup
	$(BIN)/python bench/triage.py

## Matching engine (issue 15): 5,000 needs × 2,000 resources in 50 subdistricts, optimum vs greedy.
bench-alliance: setup
	$(BIN)/python bench/alliance.py

## Lighthouse (npm, devDependencies) on Debian's Chromium: performance and accessibility of the resident
## pages at phone size, signed in as the demo resident (figures go in docs/benchmarks.md).
bench-lighthouse: setup
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

lint: setup
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src/gongzhi

clean:
	rm -rf $(VENV) node_modules src/gongzhi/static/vendor var

## The 10-minute service circle at city scale: coverage of 100,000 buildings, siting over 5,000 candidates.
bench-venues: setup
	DJANGO_SETTINGS_MODULE=gongzhi.settings.test $(BIN)/python bench/venues.py --gap 0.01
