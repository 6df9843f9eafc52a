# Every target creates and uses its own virtual environment in .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out

.PHONY: demo test test-seeds bench lint clean venv fuzz

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,samples]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/hypecheck demo --out $(OUT)

test: $(STAMP)
	$(BIN)/python -m pytest

# the long run: the suite in three fixed random orders (pytest-randomly); `make test` draws a new one
test-seeds: $(STAMP)
	for seed in 1 2 3; do $(BIN)/python -m pytest -p randomly -p no:cacheprovider --randomly-seed=$$seed || exit 1; done

fuzz: $(STAMP)
	$(BIN)/python tests/fuzz_long.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/breadth.py
	$(BIN)/python benchmarks/lab.py
	$(BIN)/python benchmarks/scan.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src/hypecheck

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info src/*.egg-info .pytest_cache
