# The two commands a fresh clone needs: `make demo` and `make test`. Both first build .venv
# (Python >= 3.11), install the pinned dependencies and then hpgsim itself (editable, so
# .venv/bin/hpgsim exists); that step reruns only when pyproject.toml or a lock file changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCKS := requirements.lock requirements-test.lock
# Exit status 1 when the interpreter is older than 3.11.
OLD_PYTHON := -c 'import sys; sys.exit(sys.version_info < (3, 11))'

.PHONY: demo test docs clean

demo: $(STAMP)
	$(BIN)/hpgsim demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

docs: $(STAMP)
	$(BIN)/python -m hpgsim.docs

$(BIN)/python:
	@$(PYTHON) $(OLD_PYTHON) 2>/dev/null || { \
	  echo "hpgsim needs Python 3.11 or newer; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "Install one and run, for example: make PYTHON=python3.12 test" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml $(LOCKS)
	@$(BIN)/python $(OLD_PYTHON) || { \
	  echo "$(VENV) was built with Python older than 3.11; run 'make clean' and try again." >&2; exit 1; }
	$(BIN)/python -m pip install --disable-pip-version-check -r requirements.lock -r requirements-test.lock
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps -e .
	@touch $@

clean:
	rm -rf $(VENV) demo-output build .pytest_cache src/*.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
