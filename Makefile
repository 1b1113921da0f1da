# steplens: the two commands a newcomer needs are `make demo` and `make test`.
# Both build the virtual environment first (`make install`), so they work on a fresh clone.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
STAMP  := $(VENV)/.steplens-installed
# Never reach for a model hub: the encoder and spaCy pipeline come from installed packages.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1

DEMO_OUT ?= demo-output

.PHONY: install demo test test-all lint format bench clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

install: $(STAMP)  ## build .venv with torch (CPU) and steplens (editable) plus dev tools

# Re-runs only when pyproject.toml changes: idempotent and cheap the second time.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet "torch==2.13.0"
	$(PIP) install --quiet -e ".[dev,ray]"
	@touch $(STAMP)

SAMPLE := data/samples/ecommerce_feedback.csv
METRICS := data/samples/ecommerce_metrics.csv
STEPLENS := $(VENV)/bin/steplens

demo: install  ## run the main job on the bundled sample data
	@echo "== the journey the sample is tagged with"
	$(STEPLENS) journeys validate ecommerce
	$(STEPLENS) journeys show ecommerce
	@echo "== the sample feedback file (synthetic; see data/samples/README.md)"
	$(STEPLENS) inspect $(SAMPLE)
	@echo "== tag each comment with the steps it mentions (zero-shot from the journey)"
	@mkdir -p $(DEMO_OUT)
	$(STEPLENS) tag $(SAMPLE) --journey ecommerce --out $(DEMO_OUT)/tagged.csv
	$(STEPLENS) tag $(SAMPLE) --journey ecommerce --granularity segment --out $(DEMO_OUT)/segments.csv
	@echo "== first tagged clauses ($(DEMO_OUT)/segments.csv)"
	@head -n 12 $(DEMO_OUT)/segments.csv
	@echo "== the per-step report: text signals merged with the step metrics, ranked"
	$(STEPLENS) report $(DEMO_OUT)/tagged.csv --journey ecommerce --metrics $(METRICS) \
		--period-column created_at --group-by channel --score-column nps --out $(DEMO_OUT)/report
	@echo "== open $(abspath $(DEMO_OUT))/report/report.html in a browser (it works offline)"

test: install  ## run the test suite (slow tests excluded)
	$(PY) -m pytest

test-all: install  ## run every test, the slow ones included
	$(PY) -m pytest -m ""

lint: install  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install  ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install  ## benchmarks: print tables, compare with baselines (not part of `make test`)
	$(PY) -m bench

clean:  ## remove the virtual environment and generated output
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache
