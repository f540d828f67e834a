"""The package tests' fixtures: each install of README's "Installing", run once per session (package_setup.py)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from package_setup import CONSUMER, OUT, OURS, ROOT, VERSION, clean, run, usual_packages_folder


@pytest.fixture(scope="session")
def dotnet_env() -> dict[str, str]:
    """The environment of every dotnet command here: a packages folder of its own, without our packages.

    The machine's packages (MathNet and the rest) are linked into it, all but ours, so that a fresh
    clone does not download what the machine already has; a version not there is downloaded into it.
    """
    env = {**os.environ, "DOTNET_NOLOGO": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    packages = OUT / "nuget-packages"
    usual = usual_packages_folder(env)
    packages.mkdir(parents=True, exist_ok=True)
    if usual is not None and usual.resolve() != packages.resolve():
        for package in usual.iterdir():
            link = packages / package.name
            if package.name not in OURS and not link.exists() and not link.is_symlink():
                link.symlink_to(package, target_is_directory=True)
    for name in OURS:  # never linked, and removed: restores extract the package just packed
        clean(packages / name)
    return {**env, "NUGET_PACKAGES": str(packages)}


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
