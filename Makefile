# Two commands for a fresh clone (see README):
#   make        install into .venv, build and validate the knowledge graph from the shipped data,
#               then serve the catalogue at http://127.0.0.1:8000/ (Ctrl+C stops it)
#   make test   install what the tests need, then run the whole test suite
# Both install the package versions in constraints.txt (what CI tested); `make constraints`
# regenerates that file after a dependency in pyproject.toml changed.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test install constraints system-deps bench clean

run: install
	$(BIN)/offri build
	$(BIN)/offri serve

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'

# A clean install of .[test] into a scratch venv, frozen: every package and version, offri left out.
FRESH := .venv-constraints
constraints:
	rm -rf $(FRESH)
	$(PYTHON) -m venv $(FRESH)
	$(FRESH)/bin/python -m pip install --quiet --upgrade pip
	$(FRESH)/bin/python -m pip install --quiet '.[test]'
	{ printf '%s\n' \
	    '# What CI installs: a clean `pip install .[test]`, frozen (offri itself left out).' \
	    '# Used as `pip install -c constraints.txt -e .[test]` by `make install` (and so by CI).' \
	    '# Regenerate with `make constraints` after changing a dependency in pyproject.toml,' \
	    '# then run the tests; pyproject.toml keeps the ranges offri works with.'; \
	  $(FRESH)/bin/python -m pip freeze --exclude offri; } > constraints.txt
	rm -rf $(FRESH) build

# Java runs HermiT (OWL reasoning), Virtuoso is a real triple store and Chromium a real browser in
# the tests; install them when missing (needs root, as on CI).
system-deps:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing Java (default-jre-headless) for HermiT"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless; }
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Virtuoso (virtuoso-opensource) for the remote-store tests"; \
	  printf '%s\n' 'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba' \
	    'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba' | debconf-set-selections; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource; }
	@ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || { \
	  echo "installing libseccomp2: the query workers' network filter"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libseccomp2; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Chromium (chromium) for the browser tests (Playwright drives it; no playwright install)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

test: system-deps install
	@$(BIN)/python -m pytest -n 2 -p no:cacheprovider; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: install
	$(BIN)/python benchmarks/bench_validate.py

clean:
	rm -rf $(VENV) $(FRESH) build *.egg-info
