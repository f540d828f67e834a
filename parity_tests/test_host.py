"""The .NET host behaves like the python command: argv, exit codes, and a clear error without libpython."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

HOST = Path(__file__).resolve().parents[1] / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0/rnnport-pyhost.dll"


def run_host(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(HOST.parents[6] / "python"), **env}
    return subprocess.run(["dotnet", str(HOST), *args], capture_output=True, text=True, env=environment, timeout=120)


def test_exit_code_and_argv_are_pythons():
    """sys.exit(3) exits 3, and sys.argv is ['-c', ...] as python -c sets it."""
    result = run_host("-c", "import sys, clr; print(sys.argv); sys.exit(3)", "a", "b")
    assert result.returncode == 3 and result.stdout.strip() == "['-c', 'a', 'b']"


def test_uncaught_exception_exits_1_with_traceback():
    """An uncaught exception prints Python's traceback and exits 1."""
    result = run_host("-c", "raise ValueError('boom')")
    assert result.returncode == 1 and "ValueError: boom" in result.stderr and "Traceback" in result.stderr


def test_module_runs_as_main():
    """-m runs a module as __main__ with its arguments."""
    result = run_host("-m", "rnnport", "corpus", "--help")
    assert result.returncode == 0 and "usage: python -m rnnport corpus" in result.stdout


@pytest.mark.parametrize("args", [[], ["-X", "dev"]])
def test_usage_errors_exit_2(args):
    """No arguments, or an option the host does not support, is a usage error."""
    result = run_host(*args)
    assert result.returncode == 2 and "usage: rnnport-pyhost" in result.stderr


def test_missing_libpython_names_pythonnet_pydll():
    """Without libpython the host says which variable to set, exits 2, and does not crash."""
    result = run_host("-c", "pass", PYTHONNET_PYDLL="/nonexistent/libpython3.so")
    assert result.returncode == 2 and "PYTHONNET_PYDLL" in result.stderr and "Unhandled" not in result.stderr
