# medcite — two set-up commands on a fresh machine: `make demo` and `make test`.
# Both create .venv (Python 3.11) and install the project into it when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
SHARED ?= ../shared/data
CORPUS ?= $(SHARED)/pubmedqa/abstracts.jsonl
INDEX  ?= default
EXTRAS ?= test,fast,bench,ray,llamacpp
export HF_HUB_OFFLINE := 1
# --no-compile below relies on Python writing each imported module's bytecode once; a machine
# with PYTHONDONTWRITEBYTECODE set (this one has it) would recompile torch and transformers in
# every process instead (~10-15 s each)
unexport PYTHONDONTWRITEBYTECODE
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test install clean-index help

help:
	@echo "make demo   build the demo index from $(CORPUS) and ask it two questions"
	@echo "make test   run the test suite"
	@echo "options: CORPUS=path/to/papers INDEX=name REBUILD=1"

# the demo needs the package alone (no llama-cpp-python to compile, no ray). --no-compile: pip
# byte-compiles every file it installs, one by one (torch alone has thousands): ~75 s of a
# 2-minute install here; Python compiles the modules actually imported, once, on first use.
$(VENV)/.installed-base: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --no-compile -e .
	@touch $@

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet --no-compile -e ".[$(EXTRAS)]"
	@touch $@ $(VENV)/.installed-base

install: $(VENV)/.installed

demo: $(VENV)/.installed-base
	@$(PY) scripts/demo.py --corpus "$(CORPUS)" --index "$(INDEX)" $(if $(REBUILD),--rebuild,)

test: install
	@bash scripts/ensure_chromium.sh
	$(PY) -m pytest -q $(PYTEST_ARGS)

clean-index:
	rm -rf indexes/$(INDEX)
