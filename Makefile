# Everything runs from the project's own virtualenv, created on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PRISM := .tools/node_modules/.bin/prism
PRISM_VERSION := 5.16.0
GENERATED := generated/reloop generated/reply

.PHONY: generate check test unit lint typecheck pytest wheels release publish prism snapshots bench clean

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
	$(BIN)/ruff format --check codegen tests benchmarks templates/runtime
	$(BIN)/ruff check --config codegen/ruff.toml $(GENERATED)
	$(BIN)/ruff format --check --config codegen/ruff.toml $(GENERATED)

# The packages themselves, then downstream samples as users' checkers see them (tests/typing/:
# mypy --strict with no Any-typed expression allowed, pyright in strict mode).
typecheck: $(STAMP)
	$(BIN)/mypy --strict --ignore-missing-imports --cache-dir .mypy_cache/codegen codegen
	$(BIN)/mypy --strict --cache-dir .mypy_cache generated/reloop/src/reloop generated/reply/src/replyio
	$(BIN)/pyright --pythonpath $(BIN)/python generated/reloop/src/reloop generated/reply/src/replyio
	MYPYPATH=generated/reloop/src:generated/reply/src $(BIN)/mypy --config-file tests/typing/mypy.ini \
		--cache-dir .mypy_cache/samples tests/typing/usage_reloop.py tests/typing/usage_reply.py
	$(BIN)/pyright --pythonpath $(BIN)/python -p tests/typing

$(PRISM):
	@command -v npm >/dev/null || { echo "npm is required for the contract tests (Prism)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix .tools @stoplight/prism-cli@$(PRISM_VERSION)

prism: $(PRISM)

pytest: $(STAMP) $(PRISM)
	$(BIN)/pytest

test: lint typecheck check pytest

# The fast loop: generator and runtime tests on fake clocks, no npm, Prism, Redis or external tools,
# one worker per core (each renders the curated packages once).
UNIT_TESTS := tests/unit tests/behaviour tests/runtime tests/golden tests/openapi tests/ratelimit
unit: $(STAMP)
	$(BIN)/pytest -n auto -m "not prism and not redis and not realclock and not slow" $(UNIT_TESTS)

# Byte-reproducible: a fixed SOURCE_DATE_EPOCH unless the environment sets one (codegen/release/build.py).
wheels: $(STAMP)
	rm -rf dist
	$(BIN)/python -m codegen.release.build dist $(GENERATED)
	$(BIN)/twine check --strict dist/*

# Record a release of every package whose surface changed since its last one (DATE=YYYY-MM-DD to
# date it): bump, CHANGELOG entry, regenerate. Nothing changes when nothing did.
release: $(STAMP)
	$(BIN)/codegen release $(if $(DATE),--date $(DATE))

# Build, check and upload both packages with twine (TWINE_REPOSITORY_URL, TWINE_USERNAME,
# TWINE_PASSWORD or ~/.pypirc); refused when generated/ is stale, a surface changed since its
# release, or a version is already on the index (codegen/release/publish.py).
publish: $(STAMP)
	$(BIN)/python -m codegen.release.publish

# Refresh the golden snapshots of the fixture specs under tests/fixtures/.
snapshots: $(STAMP)
	$(BIN)/python tests/golden/refresh.py

bench: $(STAMP)
	$(BIN)/python benchmarks/ratelimit.py
	$(BIN)/python benchmarks/ratelimit.py --busy --skip-off --skip-redis
	$(BIN)/python benchmarks/ratelimit_outage.py
	$(BIN)/python benchmarks/soak.py
	$(BIN)/python benchmarks/import_time.py
	$(BIN)/python benchmarks/overhead.py
	$(BIN)/python benchmarks/generate.py

clean:
	rm -rf $(VENV) .tools/node_modules .tools/package.json .tools/package-lock.json dist .mypy_cache .pytest_cache
