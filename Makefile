# Entry points for a fresh machine with Python >= 3.11, make and pip.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LOCK := requirements.lock

.PHONY: demo test lock test-latest clean

# Installs exactly what the lock pins (with hashes), then vet itself without
# touching the index: what CI tests is what was locked.
$(BIN)/vet: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# vet exits 1 for INELIGIBLE and 3 for REVIEW: those are answers, not failures;
# only 2 (usage error, unusable registry) fails the demo.
demo: $(BIN)/vet
	$(BIN)/vet unit "102nd Battalion" || test $$? -ne 2

test: $(BIN)/vet
	$(BIN)/ruff check vetting tests bench
	$(BIN)/python -m pytest

# Refresh the lock from pyproject.toml's ranges: newest versions, hashes of every
# file PyPI has for them, and the build backend (vet installs without isolation).
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip pip-tools
	.lock-venv/bin/pip-compile --quiet --upgrade --generate-hashes --allow-unsafe \
		--all-build-deps --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file $(LOCK) pyproject.toml
	rm -rf .lock-venv

# The suite against the newest versions pyproject.toml allows, in a venv of its
# own: drift is found here, on purpose, and then locked with `make lock`.
test-latest:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet --upgrade --no-cache-dir -e '.[test]'
	.venv-latest/bin/ruff check vetting tests bench
	.venv-latest/bin/python -m pytest
	rm -rf .venv-latest

clean:
	rm -rf $(VENV) .venv-latest .lock-venv build dist .pytest_cache .ruff_cache
