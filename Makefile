# The README's two commands: `make run` and `make test`. Both set up .venv on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint platform clean installer installer-test

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,installer]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/posdesk

platform: $(STAMP)
	$(BIN)/posdesk-platform --port 8765 --seed demo

# The bundle test (issue 12) builds the PyInstaller bundle and starts it: mostly one busy core for three
# minutes, so it runs beside the rest of the suite rather than after it; its output follows the suite's.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	@mkdir -p build
	QT_QPA_PLATFORM=offscreen POSDESK_INSTALLER_TEST=1 $(BIN)/python -m pytest -q -s -p no:cacheprovider \
		-m installer tests/installer > build/installer-test.log 2>&1 & bundle=$$!; \
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m 'not installer'; suite=$$?; \
	wait $$bundle; built=$$?; echo '--- bundle test (tests/installer, -m installer) ---'; \
	cat build/installer-test.log; exit $$(( suite || built ))

# The one-folder bundle (dist/posdesk/) from build_installer.spec; runs where there is no Python.
installer: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean build_installer.spec
	du -sh dist/posdesk

# Builds the bundle in a temporary folder and starts it in training mode offscreen (about 3-4 minutes).
installer-test: $(STAMP)
	POSDESK_INSTALLER_TEST=1 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -s -m installer tests/installer

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
