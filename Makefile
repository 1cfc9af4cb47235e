# Two entry points for a fresh machine with Python >= 3.11 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test clean

$(BIN)/vet: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# vet exits 1 for INELIGIBLE and 3 for REVIEW: those are answers, not failures;
# only 2 (usage error, unusable registry) fails the demo.
demo: $(BIN)/vet
	$(BIN)/vet unit "102nd Battalion" || test $$? -ne 2

test: $(BIN)/vet
	$(BIN)/ruff check vetting tests bench
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
