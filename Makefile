# The README's commands. `make test` and `make demo` set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo demo-reset test lint bench reliability breaks mutation clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing the package and its test tools into $(VENV) (log: $(VENV)/install.log)"
	@$(PY) -m pip install --upgrade pip > $(VENV)/install.log 2>&1
	@$(PY) -m pip install -e '.[test]' >> $(VENV)/install.log 2>&1 || { tail -20 $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

demo: $(STAMP)
	@$(PY) -m saleschannel demo

demo-reset: $(STAMP)
	@$(PY) -m saleschannel demo --reset

test: $(STAMP)
	@scripts/ensure-chromium
	@scripts/run-tests

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q --ini .bandit -r saleschannel
	DJANGO_SETTINGS_MODULE=saleschannel.settings $(VENV)/bin/django-admin makemigrations --check --dry-run

bench: $(STAMP)
	@$(PY) -m bench

# The long forms: every test marked slow, and every property test RELIABILITY.md names at 500
# examples (tests/reliability/test_reliability_doc.py checks that this list misses none).
RELIABILITY_TESTS := tests/reliability tests/sync/test_crash.py tests/channel/test_properties.py \
	tests/commerce/test_ledger_properties.py tests/security/test_query_fuzz.py tests/spapi/test_ratelimit.py \
	tests/spapi/listings/test_faults.py tests/spapi/listings/test_pace.py

reliability: $(STAMP)
	@SALESCHANNEL_RUN_SLOW=1 HYPOTHESIS_PROFILE=long scripts/run-tests $(RELIABILITY_TESTS) tests/api/test_contract.py

# Each deliberate break of a promise, applied to a copy of the tree: the tests named for it must fail.
breaks: $(STAMP)
	@$(PY) scripts/breaks.py

# Mutation scores of the modules that hold the promises (docs/mutation.md); long, so not in make test.
mutation: $(STAMP)
	@$(PY) -c "import mutmut" 2>/dev/null || $(PY) -m pip install -e '.[mutation]' >> $(VENV)/install.log 2>&1
	@$(PY) scripts/mutation.py $(MODULES)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
