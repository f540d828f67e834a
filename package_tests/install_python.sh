#!/usr/bin/env sh
# README, "Installing": the wheel, built offline and installed into a virtual environment that takes
# NumPy (and pip) from Debian. package_tests/ runs this file as it is, from the repository root.
set -eu
/usr/bin/python3 -m pip wheel --no-deps --no-build-isolation . -w out/package/wheel
/usr/bin/python3 -m venv --system-site-packages --without-pip out/package/venv
out/package/venv/bin/python -m pip install --no-deps --no-index --find-links out/package/wheel rnnport
out/package/venv/bin/python -m rnnport verify --help
