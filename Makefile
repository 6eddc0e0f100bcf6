# Every target installs what it needs first: a fresh clone needs only Python 3.11+.
# Without DATABASE_URL, run/serve/seed/bench use an embedded PostgreSQL under .devdb/
# and `make test` one under .devdb/test (or TEST_DATABASE_URL when set).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs the hash-pinned lock files; it is bootstrapped into the venv when missing.
UV := $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
LOCAL := $(BIN)/python -m devtools.local

.DEFAULT_GOAL := help
.PHONY: help install test-servers run serve worker migrate revision seed admin two-factor-key test lint lint-deploy format lock openapi client bench conformance adopt docker-check db-stop clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11+ is required (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: requirements-dev.txt | $(BIN)/python $(if $(filter $(BIN)/uv,$(UV)),$(BIN)/uv)
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --require-hashes -r requirements-dev.txt
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the locked dependencies

# checkov (make lint-deploy) pins packages the dev tools need newer: it gets a venv of its own.
TOOLS := .venv-tools
$(TOOLS)/.installed: requirements-deploy-lint.txt | $(BIN)/python $(if $(filter $(BIN)/uv,$(UV)),$(BIN)/uv)
	test -x $(TOOLS)/bin/python || $(BIN)/python -m venv $(TOOLS)
	VIRTUAL_ENV=$(TOOLS) $(UV) pip install --quiet --require-hashes -r requirements-deploy-lint.txt
	@touch $@

run: install ## Dev server with reload on http://127.0.0.1:8000 (docs at /docs)
	$(LOCAL) run

serve: install ## Production server (Gunicorn + Uvicorn workers) on http://127.0.0.1:8000
	$(LOCAL) serve

worker: install ## The background job worker (until Ctrl-C/SIGTERM; finishes the jobs in hand)
	$(LOCAL) worker $(ARGS)

migrate: install ## Apply migrations to the configured database
	$(LOCAL) migrate

revision: install ## New migration from model changes: make revision m="add bio index"
	@test -n "$(m)" || { echo 'usage: make revision m="message"'; exit 1; }
	DATABASE_URL="$$($(LOCAL) db-url)" $(BIN)/alembic upgrade heads
	DATABASE_URL="$$($(LOCAL) db-url)" $(BIN)/alembic revision --autogenerate --head app@head -m "$(m)"

# The features' tests (every API route) run a second time through PgBouncer. Not the ones
# that LISTEN (live streams, the job worker): production gives those a direct connection,
# and they have their own PgBouncer checks in tests/core/db/pooler/.
FEATURE_TESTS := $(wildcard tests/identity tests/conduit tests/integrations) tests/core/ratelimit \
	$(addprefix --ignore=,$(wildcard tests/conduit/comments/test_comment_stream.py \
		tests/integrations/webhooks/test_delivery.py))
test: install test-servers ## The whole test suite with coverage (fails under 90%), then the API tests through PgBouncer
	$(BIN)/pytest --cov --cov-report=term
	@if [ -n "$$CI" ] || command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ]; then \
		echo "TEST_DB_POOLER=pgbouncer $(BIN)/pytest $(FEATURE_TESTS) -q"; \
		TEST_DB_POOLER=pgbouncer $(BIN)/pytest $(FEATURE_TESTS) -q; \
	else echo "WARNING: no pgbouncer: the API tests through PgBouncer were SKIPPED (they fail under CI)."; fi

# Real servers some tests drive, from Debian's packages, installed here as root: chromium
# (the /docs browser test, tests/browser/) and pgbouncer (tests/core/db/pooler/, the second pass).
TEST_PACKAGES := $(if $(shell command -v chromium || echo "$$CHROMIUM"),,chromium) \
	$(if $(shell command -v pgbouncer || test -x /usr/sbin/pgbouncer && echo found),,pgbouncer)
test-servers:
	@[ -z "$(strip $(TEST_PACKAGES))" ] || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "installing $(strip $(TEST_PACKAGES)) (Debian packages) for the tests that drive them"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(TEST_PACKAGES) >/dev/null; \
		else \
			echo "WARNING: missing $(strip $(TEST_PACKAGES)): the tests that need them will be SKIPPED (they fail under CI)."; \
			echo "         Install them (Debian/Ubuntu: apt-get install $(strip $(TEST_PACKAGES)))."; \
		fi; }

# The same commands run as pre-commit hooks (.pre-commit-config.yaml; a test keeps them equal).
# The GitHub files are checked offline: schemas vendored in check-jsonschema, zizmor --offline.
lint: install $(TOOLS)/.installed ## ruff, mypy --strict, the CI workflow and Dependabot files, the Kubernetes manifests
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(BIN)/zizmor --offline .github/
	$(BIN)/python -m tests.deploy.k8s_lint

lint-deploy: install $(TOOLS)/.installed ## Kubernetes manifests, offline: render, schema-check, checkov
	$(BIN)/python -m tests.deploy.k8s_lint

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lock: $(BIN)/python $(if $(filter $(BIN)/uv,$(UV)),$(BIN)/uv) ## Re-resolve requirements*.txt from pyproject.toml
	$(UV) pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes -o requirements.txt
	$(UV) pip compile pyproject.toml --group dev --universal --python-version 3.11 --generate-hashes -o requirements-dev.txt
	$(UV) pip compile --group pyproject.toml:deploy-lint --universal --python-version 3.11 --generate-hashes -o requirements-deploy-lint.txt

openapi: install ## Rewrite openapi.json, the API's committed snapshot, from the app
	$(BIN)/python -m devtools.openapi

# Needs Node.js 20+ and npm only (no Python venv): the client is built from the snapshot.
client: ## TypeScript client from openapi.json into clients/typescript/src (npm ci, generate, tsc)
	cd clients/typescript && npm ci --no-audit --no-fund && npm run --silent generate && npm run --silent typecheck

seed: install ## Demo data (idempotent): make seed ARGS="--users 500 --articles-per-user 10"
	$(LOCAL) seed $(ARGS)

admin: install ## Grant a registered account a role: make admin email=you@example.com [role=moderator]
	@test -n "$(email)" || { echo 'usage: make admin email=you@example.com [role=admin|moderator|user]'; exit 1; }
	$(LOCAL) admin "$(email)" --role "$(or $(role),admin)"

two-factor-key: ## Print a new TWO_FACTOR_ENCRYPTION_KEYS value (32 random bytes, url-safe base64)
	@$(PYTHON) -c 'import base64, secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'

bench: install ## Load-test the production server (wrk): make bench ARGS="--workers 2 --seconds 10"
	$(BIN)/python -m tests.bench.run $(ARGS)

adopt: install ## Make the template your service: make adopt NAME=orders [WITHOUT="webhooks streams"]
	@test -n "$(NAME)" || { echo 'usage: make adopt NAME=<service> [WITHOUT="webhooks streams"]'; exit 1; }
	$(BIN)/python -m devtools.adopt "$(NAME)" --without "$(WITHOUT)"

docker-check: install ## Build the image and run the Compose stack for real (needs a Docker engine)
	$(BIN)/python -m tests.deploy.docker_check

conformance: install ## RealWorld suites against a running server: make conformance URL=http://127.0.0.1:8000
	$(BIN)/python -m tests.conformance.run $(URL) $(ARGS)

db-stop: install ## Stop the embedded development PostgreSQL
	$(LOCAL) db-stop

clean: ## Stop the embedded databases, then remove them, the venv, node_modules and caches
	@# Stop the servers first: deleted under a running PostgreSQL, its files stay open and it runs on.
	@if [ -f $(VENV)/.installed ]; then $(BIN)/python -m devtools.devdb clean --data-dir .devdb; \
	else for pidfile in .devdb/*/postmaster.pid; do \
		if [ -f "$$pidfile" ] && kill -0 "$$(head -1 "$$pidfile")" 2>/dev/null; then \
			echo "make clean: PostgreSQL (pid $$(head -1 "$$pidfile")) still runs on $$(dirname "$$pidfile")"; \
			echo "and .venv is gone: stop it (kill -INT <pid>) and run make clean again"; exit 1; fi; \
	done; fi
	rm -rf $(VENV) $(TOOLS) .devdb .conformance clients/typescript/node_modules .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
