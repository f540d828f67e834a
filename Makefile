# The two commands of the README: `make verify` and `make test`. Both install what they need.
PYTHON   ?= /usr/bin/python3
DOTNET   ?= dotnet
PYHOST   := dotnet/pyhost
SOLUTION := dotnet/RnnPort.sln
LIBPYTHON := /usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0
APT_PACKAGES := python3-numpy python3-pytest python3-tqdm python3-matplotlib python3-hypothesis libpython3.11 python3-torch \
                python3-pip python3-setuptools python3-wheel
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
ARGS ?=

.PHONY: deps build test test-dotnet test-python test-parity test-torch test-package verify soak bench bench-dotnet clean

# Debian's packages for Debian's /usr/bin/python3 (PyPI is not reachable here); installed only when missing.
# torch (python3-torch, float64 on one thread) is the outside reference of the torch tests: a missing
# torch fails them, so it is installed here rather than skipped there. pip, setuptools and wheel build
# and install the wheel offline in test-package.
deps:
	@if ! $(PYTHON) -c "import numpy, pytest, tqdm, matplotlib, hypothesis, torch, setuptools, wheel, pip" 2>/dev/null || [ ! -f $(LIBPYTHON) ]; then \
	  echo "installing $(APT_PACKAGES) from Debian"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

build: deps
	$(DOTNET) build $(SOLUTION) -c Release -nologo -v quiet

test: build test-dotnet test-python test-parity test-package

test-dotnet: build
	$(DOTNET) test $(SOLUTION) -c Release --no-build -nologo -v quiet

test-python: deps
	$(PYTHON) -m pytest python/tests

test-parity: build
	$(PYHOST) -m pytest parity_tests

# Both packages as a user gets them (package_tests/, README "Installing"): the NuGet packages packed into
# out/package/feed, a consumer project built on them, the dotnet tool; the wheel in a fresh venv.
test-package: build
	$(PYTHON) -m pytest package_tests

# The tests against torch.nn.RNN/LSTM/GRU alone (parity_tests/test_torch_*.py); `make test` runs them too.
test-torch: build
	$(PYHOST) -m pytest parity_tests -k torch

verify: build
	$(PYHOST) -m rnnport verify $(ARGS)

# Benchmarks (docs/benchmarks.md). The Python one wants torch (the outside reference) and OpenBLAS;
# installing libopenblas0-pthread switches Debian's libblas.so.3 alternative to it, as most NumPy
# installs have. OPENBLAS_CORETYPE/L2_SIZE, set on some machines here for old OpenBLAS builds, slow a
# current one, so they are unset for this command alone.
bench: build
	@if ! $(PYTHON) -c "import torch" 2>/dev/null || [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends python3-torch libopenblas0-pthread; \
	fi
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PYHOST) python/benchmarks/bench.py $(ARGS)

bench-dotnet: build
	$(DOTNET) run -c Release --project dotnet/benchmarks/RnnPort.Benchmarks -- --filter '*' --job short

# 10^6 calls from Python into .NET, bounded by --max-seconds; not part of `make test`.
soak: build
	$(PYHOST) parity_tests/soak.py --calls 1000000 --max-seconds 900

clean:
	$(DOTNET) clean $(SOLUTION) -c Release -nologo -v quiet
	find . -name bin -o -name obj -o -name __pycache__ -o -name .pytest_cache | xargs rm -rf
	rm -rf out/package build
