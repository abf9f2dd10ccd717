# Everything runs from the project's own virtualenv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRISM := .tools/node_modules/.bin/prism
PRISM_VERSION := 5.16.0
GENERATED := generated/reloop generated/reply

.PHONY: generate check test lint typecheck pytest wheels prism snapshots bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/codegen generate

check: $(STAMP)
	$(BIN)/codegen check

lint: $(STAMP)
	$(BIN)/ruff check codegen tests benchmarks templates/runtime
	$(BIN)/ruff check --config codegen/ruff.toml $(GENERATED)
	$(BIN)/ruff format --check --config codegen/ruff.toml $(GENERATED)

typecheck: $(STAMP)
	$(BIN)/mypy --strict --cache-dir .mypy_cache generated/reloop/src/reloop generated/reply/src/replyio
	cd generated/reloop && ../../$(BIN)/pyright src/reloop
	cd generated/reply && ../../$(BIN)/pyright src/replyio

$(PRISM):
	@command -v npm >/dev/null || { echo "npm is required for the contract tests (Prism)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .tools @stoplight/prism-cli@$(PRISM_VERSION)

prism: $(PRISM)

pytest: $(STAMP) $(PRISM)
	$(BIN)/pytest

test: lint typecheck check pytest

wheels: $(STAMP)
	rm -rf dist
	for pkg in $(GENERATED); do $(BIN)/python -m build --outdir dist $$pkg || exit 1; done
	$(BIN)/twine check dist/*

# Refresh the golden snapshots of the fixture specs under tests/fixtures/.
snapshots: $(STAMP)
	$(BIN)/python tests/golden/refresh.py

bench: $(STAMP)
	$(BIN)/python benchmarks/ratelimit.py
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) .tools dist .mypy_cache .pytest_cache
