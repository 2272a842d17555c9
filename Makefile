# corridor-sim — the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The baseline once it exists; until then the small demo scenario.
SCENARIO ?= $(firstword $(wildcard scenarios/baseline_2024.yaml) scenarios/demo_two_ports.yaml)

.PHONY: run test lint types unit browser slurm fuzz schema bench results clean

$(BIN)/corridor: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/corridor $@

run: $(BIN)/corridor
	$(BIN)/corridor run $(SCENARIO)

test: $(VENV)/.dev lint types browser slurm unit

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/vulture

types: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev
	$(BIN)/pytest -q --durations=10

# The report's browser tests (tests/analysis/test_report_browser.py) drive Debian's chromium over its
# DevTools pipe; installed here when missing (the machines and CI run as root with Debian's registries).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The real-Slurm tests (tests/experiments/sweep/test_slurm_real.py) start Debian's Slurm and MUNGE daemons
# privately and stop them after; the packages are installed here when missing (the test set-up also does).
SLURMCTLD := /usr/sbin/slurmctld
slurm: $(SLURMCTLD)
$(SLURMCTLD):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge

# Mutation fuzzing of every library scenario and sweep file with thousands of examples (make test runs 150),
# then the random engine contract at 25 times its examples (~6 min).
FUZZ_EXAMPLES ?= 3000
fuzz: $(VENV)/.dev
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q -m fuzz
	CONTRACT_SCALE=25 $(BIN)/pytest -q tests/engines/test_contract_random.py

# Both engines on the same Plans (benchmarks/results.json), then `corridor run` end to end (end_to_end.json),
# then a 200-task sweep on the local pool (sweep_pool.json).
bench: $(VENV)/.dev
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.end_to_end
	$(BIN)/python -m benchmarks.sweep_pool

# Run the scenario library against the baseline; regenerate results/README.md and its figures.
results: $(BIN)/corridor
	$(BIN)/python -m sim.experiments.library --scenarios scenarios --out results

schema: $(BIN)/corridor
	$(BIN)/corridor schema --out scenarios/scenario.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
	find sim \( -name '*.nbi' -o -name '*.nbc' \) -delete  # numba's compiled-loop cache
