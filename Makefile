# The two commands a new user needs (see README.md):
#   make serve   serve the curriculum in Voilà (installs what it needs first)
#   make test    run every test: unit, widgets, content checks, notebooks (nbval), browser, hub
# Everything installs into .venv; nothing is installed globally except by .ci/run.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
HUB_STAMP := $(VENV)/.hub-installed-stamp
AXE     := node_modules/axe-core/axe.min.js
CHP     := node_modules/.bin/configurable-http-proxy
PORT    ?= 8866

.PHONY: site test-site install serve test test-fast test-hub test-load check lint notebooks clean-notebooks bench stress-store clean train-assessor train-risk

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# JupyterHub and its idle culler (the `hub` extra), for the hub tests.
$(HUB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,hub]"
	@touch $(HUB_STAMP)

# From the npm registry: axe-core (accessibility rules) for the browser tests and
# configurable-http-proxy, JupyterHub's proxy, for the hub tests. One command for both: npm
# removes packages it was not asked for when nothing lists them in a package.json.
NPM_PACKAGES := axe-core@4 configurable-http-proxy@5
$(AXE) $(CHP):
	npm install --no-save --no-audit --no-fund --silent $(NPM_PACKAGES)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/repairlab serve --port $(PORT)

check: $(STAMP)
	$(VENV)/bin/repairlab check

lint: $(STAMP)
	$(VENV)/bin/ruff check widgets tests bench tools deploy

# Every notebook in curriculum/ must run without error (outputs are not compared).
notebooks: $(STAMP)
	$(PY) -m pytest --nbval-lax -p no:cacheprovider curriculum -q

test-fast: $(STAMP)
	$(PY) -m pytest -m "not browser and not slow" -q

# The browser, hub and static-site tests run too (tests/browser/, marked `browser`, `hub`, `site`).
test: $(HUB_STAMP) $(VENV)/.site-installed-stamp $(AXE) $(CHP)
	$(VENV)/bin/repairlab check --quiet
	$(VENV)/bin/ruff check widgets tests bench tools deploy
	$(PY) -m pytest -q -m "not load"
	$(PY) -m pytest --nbval-lax -p no:cacheprovider curriculum -q

# 100 pages opened at once on one server (tests/browser/test_class_opens_pages.py): left out of
# `make test` because it failed intermittently in the full suite on a loaded 2-core machine.
test-load: $(STAMP)
	$(PY) -m pytest -q -m load

# The course on a real JupyterHub: two students log in through the hub in headless Chromium.
test-hub: $(HUB_STAMP) $(CHP)
	$(PY) -m pytest -m hub -q tests/browser/test_hub.py

# Strip outputs and execution counts before committing notebooks.
clean-notebooks: $(STAMP)
	$(PY) -m repairlab.content.clean_notebooks curriculum widgets/repairlab/templates

# Retrain the reply assessor's verdict (scikit-learn comes from the dev extra; a student's
# kernel never needs it). See bench/README.md for the data and the blind sets.
train-assessor: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) tools/train_assessor.py

# Retrain the learned part of the risk-inquiry signal (same dev extra; see bench/README.md).
train-risk: $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) tools/train_risk.py

# The course as a static site in site/ (docs/deploying.md, "A static site"): the `site` extra
# and, through npm, the Pyodide runtime; downloads and build steps are kept in build/site-cache.
SITE_STAMP := $(VENV)/.site-installed-stamp
SITE_DIR ?= site
$(SITE_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[test,site]"
	@touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(VENV)/bin/repairlab build-site $(SITE_DIR)

# The built site served by a plain static file server and used in headless Chromium
# (tests/browser/test_site.py); the build's downloads stay in build/site-cache between runs.
test-site: $(SITE_STAMP) $(AXE)
	$(PY) -m pytest -q -m site tests/browser/test_site.py

bench: $(STAMP)
	$(PY) bench/assess_replies.py
	$(PY) bench/serve_speed.py

# Not for CI: the progress store's concurrent-open tests (real processes racing to open one new
# file) STRESS_RUNS times over, since one passing run proves little. Says how many passed.
STRESS_RUNS ?= 50
stress-store: $(STAMP)
	@log=$$(mktemp); passed=0; \
	for run in $$(seq 1 $(STRESS_RUNS)); do \
	  if $(PY) -m pytest -q -p no:cacheprovider -m slow -k at_once tests/test_progress.py \
	      >$$log 2>&1; then passed=$$((passed + 1)); \
	  else echo "run $$run failed:"; tail -n 30 $$log; fi; \
	done; rm -f $$log; \
	echo "stress-store: $$passed of $(STRESS_RUNS) runs passed"; test $$passed -eq $(STRESS_RUNS)

clean:
	rm -rf $(VENV) node_modules test-artifacts .pytest_cache
