# Two commands a newcomer needs: `make demo` (set up + run the pipeline) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home

.PHONY: setup demo test test-fast dev simulator benchmark faults lint clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip uv
	$(VENV)/bin/uv pip install --python $(PY) --quiet -e ".[test]"
	@touch $@

setup: $(VENV)/.installed

demo: setup
	@mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	$(PY) -m genesys_quality.demo

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

dev: setup
	@mkdir -p $(DAGSTER_HOME) && cp -n dagster.yaml $(DAGSTER_HOME)/dagster.yaml 2>/dev/null || true
	$(VENV)/bin/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

faults: setup
	$(PY) -m genesys_quality_tests.faults.run_suite --notes

simulator: setup
	$(PY) -m genesys_quality.simulator --port 8089 --seed 42 --control-api

clean:
	rm -rf .genesys_quality .dagster_home

benchmark: setup
	$(PY) -m benchmarks.run --n $(or $(N),10000) --seed 42 --out benchmarks/out
