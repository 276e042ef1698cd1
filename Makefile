# The handful of verbs people guess. Every target sets up .venv itself when needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CLI := $(VENV)/bin/eip-analysis
STAMP := $(VENV)/.installed-stamp
JOBS ?= 2

.PHONY: setup test test-fast reports validate metrics check lab bench lint lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@# compile the IRR kernel once (numba caches it in eip_analysis/__pycache__): ~6 s here
	@# instead of in the first report of every worker
	$(PY) -c "from eip_analysis.finance import irr, xirr; irr([-1.0, 1.1]); xirr(['2027-01-01', '2028-01-01'], [-1.0, 1.1])"
	$(VENV)/bin/pybabel compile --statistics -D eip_analysis -d eip_analysis/locale
	touch $(STAMP)

# Every test, with the doctests of the package.
test: $(STAMP)
	$(PY) -m pytest -q --doctest-modules eip_analysis tests

# The fast suite, without the tests that execute notebooks (under a minute).
test-fast: $(STAMP)
	$(PY) -m pytest -q -m "not notebook" --doctest-modules eip_analysis tests

validate: $(STAMP)
	$(CLI) validate

metrics: $(STAMP)
	$(CLI) metrics

check: $(STAMP)
	$(CLI) check

# An invalid case is reported by every step (and in reports/index.html) but does not stop the
# reports of the other cases; the target still fails at the end if any step failed. The
# portfolio report runs after the opportunity reports and is linked from reports/index.html;
# the investment proposals go to reports/proposals/; then every report and proposal is printed
# to PDF (a machine without Chromium says how to get one).
reports: $(STAMP)
	@status=0; \
	$(CLI) validate || status=1; \
	$(CLI) metrics || status=1; \
	$(CLI) check || status=1; \
	$(CLI) run --all --jobs $(JOBS) --languages en,vi || status=1; \
	$(CLI) portfolio || status=1; \
	$(CLI) proposal --all || status=1; \
	$(CLI) pdf || status=1; \
	exit $$status

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks/

# Speed benchmarks (about 8 minutes on 2 cores); each writes benchmarks/results/<name>.json
# and exits 1 when it misses a target: every one still runs, the target fails at the end.
bench: $(STAMP)
	@status=0; \
	$(PY) benchmarks/bench_irr.py || status=1; \
	$(PY) benchmarks/bench_monte_carlo.py || status=1; \
	$(PY) benchmarks/bench_batch.py --jobs 2 || status=1; \
	$(PY) benchmarks/bench_scale.py || status=1; \
	exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check eip_analysis tests benchmarks

# Re-pin every dependency from a clean install of pyproject.toml (needs the registry).
lock:
	rm -rf /tmp/eip-lock-venv && $(PYTHON) -m venv /tmp/eip-lock-venv
	/tmp/eip-lock-venv/bin/pip install --quiet ".[test,lab]"
	( echo "# Pinned lock of every dependency (pip freeze of a clean install, Python 3.11)."; \
	  echo "# Regenerate with \`make lock\` after changing pyproject.toml."; \
	  /tmp/eip-lock-venv/bin/pip freeze --exclude-editable | grep -v '^eip-analysis'; \
	  /tmp/eip-lock-venv/bin/pip freeze --all | grep '^setuptools==' ) > requirements.lock

clean:
	rm -rf data/processed/* reports/* .pytest_cache
	touch data/processed/.gitkeep reports/.gitkeep
