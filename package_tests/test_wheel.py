"""The wheel: built offline from this tree (install_python.sh), installed into a fresh virtual environment
that takes NumPy from Debian, and run from outside the repository, so that the installed copy, not the
source tree, is what gets imported."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from package_setup import OUT, ROOT, VERSION, clean, run

VENV_PYTHON = OUT / "venv" / "bin" / "python"
PACKAGE = ROOT / "python" / "rnnport"


def outside_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RNNPORT_DOTNET_DIR")}


def imported_from(python: Path, cwd: Path, env: dict[str, str]) -> tuple[str, Path]:
    """``rnnport.__version__`` and ``rnnport.__file__`` as ``python`` sees them from ``cwd``."""
    out = run([str(python), "-c", "import rnnport; print(rnnport.__version__); print(rnnport.__file__)"],
              cwd=cwd, env=env).stdout.splitlines()
    return out[0], Path(out[1])


def is_inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


@pytest.fixture(scope="session")
def wheel(python_install) -> Path:
    wheels = list((OUT / "wheel").glob("rnnport-*.whl"))
    assert [w.name for w in wheels] == [f"rnnport-{VERSION}-py3-none-any.whl"]
    return wheels[0]


def test_wheel_holds_every_module_of_the_source_tree(wheel):
    """Package discovery: every .py file and the option rules, nothing else of the tree (no tests)."""
    source = {str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(f"rnnport-{VERSION}.dist-info/METADATA").decode()
    assert {n for n in names if n.endswith(".py")} == source
    assert "rnnport/torch/__init__.py" in source  # the package the hand-written list once missed
    assert "rnnport/cli/option_rules.json" in names
    assert f"\nVersion: {VERSION}\n" in metadata


def test_the_venv_imports_the_installed_package_and_its_version(wheel, tmp_path):
    version, file = imported_from(VENV_PYTHON, tmp_path, outside_env())
    assert is_inside(file, OUT / "venv") and not is_inside(file, ROOT / "python")
    assert version == VERSION


def test_negative_control_the_source_tree_is_seen_when_it_is_on_the_path(wheel, tmp_path):
    """The check above can fail: with PYTHONPATH=python the venv imports the source tree instead."""
    _, file = imported_from(VENV_PYTHON, tmp_path, {**outside_env(), "PYTHONPATH": str(ROOT / "python")})
    assert not is_inside(file, OUT / "venv")


def test_verify_help_runs_from_the_install(python_install, tmp_path):
    """The install script's last line ran `python -m rnnport verify --help`; it also runs from elsewhere."""
    assert "usage:" in python_install.stdout and "--mode" in python_install.stdout
    result = run([str(VENV_PYTHON), "-m", "rnnport", "verify", "--help"], cwd=tmp_path, env=outside_env())
    assert result.stdout.startswith("usage:") and "--cell" in result.stdout


def test_the_installed_bridge_names_its_missing_assemblies_in_one_line(wheel, tmp_path):
    """An installed package never looks into the repository's build: without RNNPORT_DOTNET_DIR, load() is
    one ImportError line saying how to point it at the assemblies."""
    result = run([str(VENV_PYTHON), "-c", "from rnnport.dotnet import load; load()"], cwd=tmp_path,
                 env=outside_env(), check=False)
    last = result.stderr.strip().splitlines()[-1]
    assert result.returncode == 1
    assert last.startswith("ImportError: cannot find RnnPort.Bridge.dll") and "RNNPORT_DOTNET_DIR" in last


def test_the_installed_package_drives_csharp_inside_the_host(wheel, tmp_path):
    """Inside the .NET host (which puts its assemblies on sys.path) the installed rnnport.dotnet works."""
    host = ROOT / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0/rnnport-pyhost.dll"
    site = next((OUT / "venv" / "lib").glob("python3*/site-packages"))
    code = ("import numpy as np, rnnport, rnnport.dotnet as d; "
            "m = d.DotNetRNN(np.eye(2), np.eye(2) * 0.5, np.eye(2)); "
            "print(rnnport.__file__); print(m.step(np.array([1.0, 0.0])).tolist())")
    out = run(["dotnet", str(host), "-c", code], cwd=tmp_path, env={**outside_env(), "PYTHONPATH": str(site)}).stdout
    file, y = out.splitlines()
    assert is_inside(Path(file), OUT / "venv")
    assert y == str([float(__import__("math").tanh(1.0)), 0.0])


PUBLISH = 'dotnet publish dotnet/src/RnnPort.Bridge -c Release -p:PublishDir="$PWD/out/package/dotnet/"'


def test_the_published_bridge_is_found_through_rnnport_dotnet_dir(wheel, tmp_path, dotnet_env):
    """README's way for an installed package: publish the bridge, set RNNPORT_DOTNET_DIR. The assemblies
    are then found (load() gets as far as starting .NET, which needs pythonnet from PyPI outside the host)."""
    assert PUBLISH in (ROOT / "README.md").read_text(encoding="utf-8")
    published = OUT / "dotnet"
    clean(published)
    run(["sh", "-c", PUBLISH], env=dotnet_env)  # README's line as it is, from the repository root
    assert {"RnnPort.dll", "RnnPort.Bridge.dll", "MathNet.Numerics.dll"} <= {p.name for p in published.iterdir()}
    code = "from rnnport.dotnet import load; load()"
    env = {**outside_env(), "RNNPORT_DOTNET_DIR": str(published)}
    result = run([str(VENV_PYTHON), "-c", code], cwd=tmp_path, env=env, check=False)
    assert result.stderr.strip().splitlines()[-1].startswith("ImportError: rnnport.dotnet needs pythonnet")
