# The README's commands. `make test` and `make demo` set up everything they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo demo-reset test lint bench reliability clean

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

reliability: $(STAMP)
	@SALESCHANNEL_RUN_SLOW=1 HYPOTHESIS_PROFILE=long scripts/run-tests tests/reliability tests/api/test_contract.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
