"""Shared by the package tests: the repository, the build folder out/package (never committed), and
the installs both READMEs describe, each run once per session from a clean folder.

Nothing stale can be tested: the feed, the tool path, the consumer's build, the wheel folder and the
virtual environment are removed first; NuGet's packages folder is one under out/package
(NUGET_PACKAGES), from which RnnPort and rnnport-cli are removed before every run, so the consumer
always extracts the package just packed (its other packages, MathNet among them, stay cached there).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out" / "package"
CONSUMER = ROOT / "dotnet" / "tests" / "Consumer"
VERSION = (ROOT / "version.txt").read_text(encoding="utf-8").strip()


def run(command: list[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None, check: bool = True,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``command``; with ``check``, fail the test with its output when it exits non-zero."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                            stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def clean(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def dotnet_env() -> dict[str, str]:
    """The environment of every dotnet command here: a packages folder of its own, without our packages."""
    packages = OUT / "nuget-packages"
    clean(packages / "rnnport", packages / "rnnport-cli")
    env = {**os.environ, "NUGET_PACKAGES": str(packages), "DOTNET_NOLOGO": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    return env


@pytest.fixture(scope="session")
def dotnet_install(dotnet_env) -> subprocess.CompletedProcess[str]:
    """README's .NET install (package_tests/install_dotnet.sh), run as it is from a clean feed and tool path."""
    clean(OUT / "feed", OUT / "tools")
    return run(["sh", "package_tests/install_dotnet.sh"], env=dotnet_env)


@pytest.fixture(scope="session")
def python_install() -> subprocess.CompletedProcess[str]:
    """README's Python install (package_tests/install_python.sh), run as it is into a fresh venv.

    setuptools builds in the tree's build/ folder; it is removed first so that no file of an earlier
    build can slip into the wheel.
    """
    clean(OUT / "wheel", OUT / "venv", ROOT / "build")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return run(["sh", "package_tests/install_python.sh"], env=env)


@pytest.fixture(scope="session")
def library(dotnet_install) -> Path:
    return OUT / "feed" / f"RnnPort.{VERSION}.nupkg"


@pytest.fixture(scope="session")
def consumer(dotnet_install, dotnet_env) -> Path:
    """The consumer, built from a clean folder against the feed; the path of its Consumer.dll."""
    clean(OUT / "consumer")
    run(["dotnet", "build", str(CONSUMER), "-c", "Release", "--artifacts-path", str(OUT / "consumer"), "-nologo",
         "-v", "quiet"], env=dotnet_env)
    return OUT / "consumer" / "bin" / "Consumer" / "release" / "Consumer.dll"
