# Two entry points for a fresh machine with Python >= 3.11 and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/vet: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/vet
	$(BIN)/vet validate

test: $(BIN)/vet
	$(BIN)/ruff check vetting tests bench
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
