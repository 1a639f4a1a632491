# medcite — two set-up commands on a fresh machine: `make demo` and `make test`.
# Both create .venv (Python 3.11) and install the project into it when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip
SHARED ?= ../shared/data
CORPUS ?= $(SHARED)/pubmedqa/abstracts.jsonl
INDEX  ?= default
# the extras `make test` installs (and `make lock` locks); `make demo` installs the package alone
EXTRAS ?= test,fast,bench,ray,llamacpp,milvus
# the lock: every direct and transitive dependency at one version with its sha256 hashes
# (uv pip compile; refresh with `make lock`, after `make check-upgrades`)
LOCK_TEST := requirements/test.lock
LOCK_BASE := requirements/base.lock
PIP_VERSION := 26.3
UV_VERSION := 0.13.8
LOCK_FLAGS := --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 --find-links /opt/wheels --no-header --quiet
comma := ,
export HF_HUB_OFFLINE := 1
# --no-compile below relies on Python writing each imported module's bytecode once; a machine
# with PYTHONDONTWRITEBYTECODE set (this one has it) would recompile torch and transformers in
# every process instead (~10-15 s each)
unexport PYTHONDONTWRITEBYTECODE
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test install clean-index help lock check-upgrades

help:
	@echo "make demo   build the demo index from $(CORPUS) and ask it two questions"
	@echo "make test   run the test suite"
	@echo "make lock   re-resolve requirements/*.lock from pyproject.toml (newest versions its ranges allow)"
	@echo "make check-upgrades  newest allowed versions in a throwaway venv + the quick tests, and a report"
	@echo "options: CORPUS=path/to/papers INDEX=name REBUILD=1"

# the demo needs the package alone (no llama-cpp-python to compile, no ray). --no-compile: pip
# byte-compiles every file it installs, one by one (torch alone has thousands): ~75 s of a
# 2-minute install here; Python compiles the modules actually imported, once, on first use.
# Installs exactly the locked versions (--require-hashes: nothing else, nothing altered), then
# medcite itself without dependencies and without build isolation (setuptools comes from the lock).
$(VENV)/.installed-base: pyproject.toml $(LOCK_BASE)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==$(PIP_VERSION)
	$(PIP) install --quiet --no-compile --no-deps --require-hashes -r $(LOCK_BASE)
	$(PIP) install --quiet --no-compile --no-deps --no-build-isolation -e .
	@touch $@

# llama-cpp-python compiles llama.cpp from source. Its default (GGML_NATIVE) builds for the CPU it
# compiles on, and on these Xeons that means AMX tile kernels, which the machine advertises but
# does not let a process run: the in-process Gemma test died with SIGILL ('tilezero') in
# ggml_backend_amx_mul_mat. GGML_NATIVE=OFF builds the portable AVX/AVX2/FMA/F16C/BMI2 CPU backend
# instead (AMX and AVX-512 off). pip caches the wheel it builds by the sdist's hash, not by these
# flags: after a native build, `pip cache remove llama_cpp_python` before reinstalling.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF

$(VENV)/.installed: pyproject.toml $(LOCK_TEST)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==$(PIP_VERSION)
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install --quiet --no-compile --no-deps --require-hashes -r $(LOCK_TEST)
	$(PIP) install --quiet --no-compile --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed-base

# test.lock: the package with every extra `make test` installs; base.lock: the package alone,
# constrained to test.lock so the demo and the tests run the same versions.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in $(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra $(e)) $(LOCK_FLAGS) -o $(LOCK_TEST)
	$(VENV)/bin/uv pip compile pyproject.toml requirements/build.in -c $(LOCK_TEST) $(LOCK_FLAGS) -o $(LOCK_BASE)
	@echo "locked: $$(grep -c '==' $(LOCK_TEST)) packages in $(LOCK_TEST), $$(grep -c '==' $(LOCK_BASE)) in $(LOCK_BASE)"

check-upgrades:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PYTHON) scripts/check_upgrades.py --extras "$(EXTRAS)" --lock $(LOCK_TEST)

install: $(VENV)/.installed

demo: $(VENV)/.installed-base
	@$(PY) scripts/demo.py --corpus "$(CORPUS)" --index "$(INDEX)" $(if $(REBUILD),--rebuild,)

test: install
	@bash scripts/ensure_chromium.sh
	$(PY) -m pytest -q $(PYTEST_ARGS)

clean-index:
	rm -rf indexes/$(INDEX)
