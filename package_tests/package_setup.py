"""Shared by the package tests (their fixtures are in conftest.py): the repository, the build folder out/package (never committed), and
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


OURS = ("rnnport", "rnnport-cli")  # NuGet's packages folder names ids in lower case


def usual_packages_folder(env: dict[str, str]) -> Path | None:
    """The machine's NuGet packages folder (~/.nuget/packages unless configured otherwise), if any."""
    listed = run(["dotnet", "nuget", "locals", "global-packages", "--list"], env=env, check=False).stdout
    folder = Path(listed.split("global-packages:", 1)[-1].strip()) if "global-packages:" in listed else None
    return folder if folder is not None and folder.is_dir() else None
