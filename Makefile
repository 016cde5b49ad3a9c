# The two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := plugin_host/translations plugins/genogram/translations plugins/weekly_meeting/translations plugins/feedback/translations examples/client_note/client_note/translations
AXE := node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test install translations chromium postgresql lint clean

demo: install translations
	$(BIN)/plugin-host demo

test: install translations chromium postgresql $(AXE)
	$(BIN)/ruff check .
	$(BIN)/pytest

install: $(INSTALLED)

$(INSTALLED): setup.cfg pyproject.toml examples/client_note/setup.cfg
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -e examples/client_note
	touch $@

translations: install
	for catalog in $(CATALOGS); do $(BIN)/pybabel compile --statistics -d $$catalog || exit 1; done

# Browser tests drive Debian's Chromium; nothing downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The database tests start a private PostgreSQL cluster of their own (tests/fixtures/postgres.py)
# with Debian's server programs; installed only when no initdb is found.
postgresql:
	@command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }

# axe-core, injected by the browser tests to check WCAG 2.1 AA.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint: install
	$(BIN)/ruff check .

# Benchmarks print figures and judge nothing (bench/README.md): every bench/<name>.py in turn,
# the helpers (bench/_*.py) aside.
.PHONY: bench
bench: install
	for module in bench/[!_]*.py; do $(BIN)/python -m bench.$$(basename $$module .py) || exit 1; done

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache node_modules
