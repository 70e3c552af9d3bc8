# The README's two commands: `make run` and `make test`. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint platform clean installer installer-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/posdesk

platform: $(STAMP)
	$(BIN)/posdesk-platform --port 8765 --seed demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

# The one-folder bundle (dist/posdesk/) from build_installer.spec; runs where there is no Python.
INSTALLER_STAMP := $(VENV)/.installer
$(INSTALLER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,installer]'
	touch $(INSTALLER_STAMP)

installer: $(INSTALLER_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build_installer.spec
	du -sh dist/posdesk

# Builds the bundle in a temporary folder and starts it in training mode offscreen (about 3-4 minutes).
installer-test: $(INSTALLER_STAMP)
	POSDESK_INSTALLER_TEST=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s -m installer tests/installer

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
