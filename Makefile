# make demo   set up .venv and run the main job on the bundled sample data (SQLite)
# make test   set up .venv, lint, and run the whole suite on SQLite and PostgreSQL
# make lint   ruff (lint and format) only

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := demo

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; reinstalls when pyproject.toml changes.
INSTALLED := $(VENV)/.installed
DEMO_DB := out/demo.db
DEMO_STATEMENTS := out/statements
# the sample data and plans that ship in the package (`compengine sample DIR` copies them)
SAMPLE := compengine/sample
COMPENGINE := $(BIN)/compengine --db sqlite:///$(CURDIR)/$(DEMO_DB)
PYTEST_ARGS ?=
# one more than the CI machine's 2 cores: many tests wait on servers and subprocesses
WORKERS ?= 3

.PHONY: demo test lint

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "compengine needs Python >= 3.11; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)" >&2; exit 1; }
	@echo "==> creating $(VENV) and installing compengine with its test tools"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(INSTALLED)
	@rm -rf $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_STATEMENTS) out/ae2_2027-07.html out/serve.log && mkdir -p $(dir $(DEMO_DB))
	@echo "==> compengine init: create the schema in a new $(DEMO_DB)"
	$(COMPENGINE) init
	@echo "==> compengine load: the sample payees, accounts, assignments, contracts and usage"
	$(COMPENGINE) load $(SAMPLE)
	@echo "==> compengine plan check: validate the plan files"
	$(COMPENGINE) plan check $(SAMPLE)/plans/
	@for period in 2027-01 2027-02 2027-03 2027-04 2027-05 2027-06; do \
		echo "==> monthly cycle $$period: run, approve, lock"; \
		$(COMPENGINE) run --period $$period --plans $(SAMPLE)/plans/; \
		$(COMPENGINE) approve --period $$period; \
		$(COMPENGINE) lock --period $$period; \
	done
	@echo "==> a late usage correction for globex in 2027-02 arrives after 2027-02 was locked"
	$(COMPENGINE) load $(SAMPLE)/late
	@echo "==> 2027-07: the correction comes back as a true-up; csm1 is held for a day"
	$(COMPENGINE) run --period 2027-07 --plans $(SAMPLE)/plans/
	$(COMPENGINE) adjust --payee ae3 --period 2027-07 --amount 250.00 --reason "SPIFF: hooli expansion"
	$(COMPENGINE) hold --payee csm1 --period 2027-07 --reason "awaiting signed plan acknowledgement"
	$(COMPENGINE) release --payee csm1 --period 2027-07 --reason "acknowledgement signed"
	$(COMPENGINE) approve --period 2027-07
	$(COMPENGINE) lock --period 2027-07
	@echo "==> payouts of 2027-07 (payroll's view)"
	$(COMPENGINE) payouts --period 2027-07 --format csv
	@echo "==> what ae2 sees for 2027-07: every line explained"
	$(COMPENGINE) explain --payee ae2 --period 2027-07
	@echo "==> exceptions and the state of every period"
	$(COMPENGINE) exceptions --period 2027-07 --plans $(SAMPLE)/plans/
	$(COMPENGINE) status
	@echo "==> who did what to 2027-07, and why (the audit log, times in UTC)"
	$(COMPENGINE) audit --period 2027-07
	@echo "==> the reps' statements of 2027-07 (PDF/A-3b, lines.csv attached), and ae2's as a web page"
	$(COMPENGINE) statements --period 2027-07 --out $(DEMO_STATEMENTS) --plans $(SAMPLE)/plans/
	$(COMPENGINE) statement --payee ae2 --period 2027-07 --plans $(SAMPLE)/plans/ --format html --out out/ae2_2027-07.html
	@echo "==> statements written to $(DEMO_STATEMENTS)/ (manifest.csv says which file is whose) and out/ae2_2027-07.html"
	@echo "==> realization analytics: the bridge from run rate to commitments over the demo year, by segment"
	$(COMPENGINE) bridge --from 2027-01 --to 2027-07 --by segment --plans $(SAMPLE)/plans/
	@echo "==> stall alerts of 2027-07: contracts whose pay is at risk, largest first"
	$(COMPENGINE) alerts --period 2027-07 --plans $(SAMPLE)/plans/
	@echo "==> ramp windows from the data: how long accounts really take to ramp, by segment"
	$(COMPENGINE) windows --by segment
	@echo "==> payroll pulls the locked 2027-07 as CSV over the REST API (compengine serve, stopped afterwards)"
	@token=$$($(COMPENGINE) token create --name payroll --role payroll); \
	port=$$($(BIN)/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'); \
	$(COMPENGINE) serve --port $$port --plans $(SAMPLE)/plans/ > out/serve.log 2>&1 & server=$$!; \
	trap 'kill $$server 2>/dev/null || true; wait $$server 2>/dev/null || true' EXIT; \
	for attempt in $$(seq 150); do curl -sf http://127.0.0.1:$$port/api/v1/health > /dev/null && break; sleep 0.2; done; \
	echo "curl -H 'Authorization: Bearer ***' -H 'Accept: text/csv' http://127.0.0.1:$$port/api/v1/periods/2027-07/payouts"; \
	curl -sSf -H "Authorization: Bearer $$token" -H "Accept: text/csv" http://127.0.0.1:$$port/api/v1/periods/2027-07/payouts
	@$(MAKE) --no-print-directory web-demo

lint: $(INSTALLED)
	$(BIN)/ruff check compengine tests migrations
	$(BIN)/ruff format --check compengine tests migrations

# Uses COMPENGINE_TEST_PG_URL when it is set, else a throw-away server that is
# stopped however pytest ends; pytest's exit status is the recipe's.
test: lint
	@if [[ -n "$${COMPENGINE_TEST_PG_URL:-}" ]]; then \
		echo "==> PostgreSQL: the server in COMPENGINE_TEST_PG_URL"; \
	else \
		echo "==> PostgreSQL: starting a throw-away server"; \
		trap 'bash .ci/postgres.sh stop' EXIT; \
		COMPENGINE_TEST_PG_URL=$$(bash .ci/postgres.sh start); \
		export COMPENGINE_TEST_PG_URL; \
	fi; \
	echo "==> pytest on SQLite and PostgreSQL"; \
	$(BIN)/pytest -n $(WORKERS) $(PYTEST_ARGS)

# The web pages (spec section 11) on the demo database: `make demo` ends here, creating one
# token per role (shown once) and saying how to start the server. `make screenshots`
# retakes the README's pictures of the pages (docs/web-*.png) from the demo database.
.PHONY: web-demo screenshots
web-demo: $(INSTALLED)
	@ops=$$($(COMPENGINE) token create --name demo-ops --role ops) \
	&& ae2=$$($(COMPENGINE) token create --name demo-ae2 --role rep --payee ae2) \
	&& payroll=$$($(COMPENGINE) token create --name demo-payroll --role payroll) \
	&& echo "==> web pages: start the server with" \
	&& echo "    $(COMPENGINE) serve --plans $(SAMPLE)/plans/" \
	&& echo "    then open http://127.0.0.1:8000/login and paste one of these tokens:" \
	&& echo "    ops (run, approve, lock):  $$ops" \
	&& echo "    rep ae2 (Ben Okafor):      $$ae2" \
	&& echo "    payroll (export):          $$payroll"

screenshots: $(INSTALLED)
	@test -f $(DEMO_DB) || { echo "run 'make demo' first" >&2; exit 1; }
	$(BIN)/python scripts/screenshots.py
