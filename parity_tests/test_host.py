"""What only the .NET host does: .NET inside, sys.executable, and refusing an unusable libpython.

How it behaves like python3 (exit codes, signals, atexit, options, REPL) is the matrix in
``test_host_matrix.py``; docs/host.md describes both.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOST = ROOT / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0/rnnport-pyhost.dll"
PYHOST = ROOT / "dotnet/pyhost"


def run_host(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the built host directly (not through dotnet/pyhost), so argv[0] is rnnport-pyhost."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "python"), **env}
    return subprocess.run(["dotnet", str(HOST), *args], capture_output=True, text=True, env=environment, timeout=120)


def test_clr_and_the_bridge_assemblies_load():
    """import clr works, the RnnPort assemblies are on sys.path, sys.argv is python's."""
    result = run_host("-c", "import sys, clr; clr.AddReference('RnnPort'); import RnnPort; print(sys.argv, RnnPort.RNN.__name__)", "a")
    assert (result.returncode, result.stdout, result.stderr) == (0, "['-c', 'a'] RNN\n", "")


def test_dotnet_objects_alive_at_exit_and_atexit_using_dotnet():
    """.NET objects held until exit and an atexit handler calling .NET: pythonnet shuts down after both."""
    code = ("import atexit, clr\nfrom System.Text import StringBuilder\nkept = StringBuilder('kept')\n"
            "atexit.register(lambda: print(StringBuilder('from atexit').ToString()))\nprint(kept.ToString())")
    result = subprocess.run([str(PYHOST), "-c", code], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "kept\nfrom atexit\n", "")


def test_sys_executable_is_the_host_and_children_do_not_inherit_its_name():
    """subprocess.run([sys.executable, ...]) starts the host again (with clr), as python3 starts python3."""
    code = ("import os, subprocess, sys\nprint(sys.executable == sys.argv[1], os.environ.get('RNNPORT_PYHOST_ARGV0'))\n"
            "subprocess.run([sys.executable, '-c', 'import clr; print(\"child ok\")'], check=True)")
    result = subprocess.run([str(PYHOST), "-c", code, str(PYHOST)], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "True None\nchild ok\n", "")


FAULT_IN_DOTNET = """\
import clr, faulthandler
from System import IntPtr
from System.Runtime.InteropServices import Marshal
ENABLE
try:
    Marshal.ReadInt32(IntPtr.Zero)
except Exception as error:
    print(type(error).__name__, faulthandler.is_enabled())
"""


def test_faulthandler_leaves_dotnet_its_fault_signals():
    """With faulthandler on (pytest turns it on), a fault .NET handles is still a .NET exception."""
    code = FAULT_IN_DOTNET.replace("ENABLE", "faulthandler.enable()")
    result = subprocess.run([str(PYHOST), "-X", "faulthandler", "-c", code], capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (0, "AccessViolationException True\n", "")


def test_faulthandler_unwrapped_kills_the_process():
    """Negative control: faulthandler's own enable, in front of .NET's handler, turns the same fault into a crash."""
    code = FAULT_IN_DOTNET.replace("ENABLE", "faulthandler.enable.__wrapped__()")
    result = subprocess.run([str(PYHOST), "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "Fatal Python error" in result.stderr


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> None:
    """Exit 2 and one line on stderr that names the problem; no crash, no .NET stack trace."""
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result
    assert len(lines) == 1 and lines[0].startswith("rnnport-pyhost: "), result.stderr
    assert all(word in lines[0] for word in words), lines[0]


def test_missing_libpython_names_pythonnet_pydll():
    assert_refused(run_host("-c", "pass", PYTHONNET_PYDLL="/nonexistent/libpython3.so"), "PYTHONNET_PYDLL", "not found")


def test_a_file_that_is_not_a_library_is_refused(tmp_path):
    fake = tmp_path / "libpython3.11.so"
    fake.write_text("not an ELF file\n" * 20)
    assert_refused(run_host("-c", "pass", PYTHONNET_PYDLL=str(fake)), "cannot load libpython", "invalid ELF header")


@pytest.fixture(scope="module")
def fake_libpython(tmp_path_factory):
    """Build shared libraries that look like libpython to dlopen but are not usable ones."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler (cc/gcc) to build fake libpython files")
    folder = tmp_path_factory.mktemp("fake-libpython")

    def build(name: str, source: str) -> str:
        (folder / f"{name}.c").write_text(source)
        subprocess.run([compiler, "-shared", "-fPIC", "-o", str(folder / f"{name}.so"), str(folder / f"{name}.c")], check=True)
        return str(folder / f"{name}.so")

    return {
        "old": build("old", 'const char *Py_GetVersion(void) { return "3.9.18 (main) [GCC]"; }\n'),
        "future": build("future", 'const char *Py_GetVersion(void) { return "4.0.0a1 (main) [GCC]"; }\n'),
        "hollow": build("hollow", 'const char *Py_GetVersion(void) { return "3.11.2 (main) [GCC]"; }\n'),
        "other": build("other", "int answer(void) { return 42; }\n"),
    }


@pytest.mark.parametrize(("kind", "words"), [
    ("old", ("is Python 3.9.18", "PYTHONNET_PYDLL")),
    ("future", ("is Python 4.0.0a1",)),
    ("hollow", ("lacks PyConfig_InitPythonConfig",)),
    ("other", ("is not a libpython",)),
])
def test_an_unusable_libpython_is_refused_in_one_line(fake_libpython, kind, words):
    """A libpython of a version pythonnet 3.2.1 cannot drive, or not a libpython at all: exit 2, one line."""
    assert_refused(run_host("-c", "pass", PYTHONNET_PYDLL=fake_libpython[kind]), *words)


def test_refusal_check_fails_on_a_crash():
    """Negative control: what the host did before (an abort with a .NET stack trace) fails assert_refused."""
    crash = subprocess.CompletedProcess([], 134, "", "Unhandled exception. System.BadImageFormatException: ...\n   at Main\n")
    with pytest.raises(AssertionError):
        assert_refused(crash, "libpython")
