"""Both command lines as real processes on rows of parity_tests/cli/bad-invocations.json: same verdict.

The unit suites run every row in-process (python/tests/test_cli_matrix.py, CliMatrixTests); this runs
the rows that used to crash or hang, and a few accepted ones, through `python -m rnnport` and
`rnnport-cli` as the user does, so exit codes and stderr are the processes' own: no traceback, no
unhandled .NET exception (exit 134), the same status and the same one-line message.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rnnport.verify import cli_matrix
from rnnport.verify.cli_matrix import fill, scratch

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / "dotnet/src/RnnPort.Cli/bin/Release/net10.0/rnnport-cli.dll"
# The interpreter of the libpython running this suite (inside the host, sys.executable is not a python
# with NumPy): the python command a user of this installation runs.
PYTHON = sys.executable if "rnnport_pyhost_driver" not in sys.modules else \
    str(Path(sys.prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")
ROWS = {row["id"]: row for row in cli_matrix.rows()}
AS_PROCESSES = ["train-hidden-1e9", "sample-length-1e10", "train-clip-inf", "train-seed-2^70", "train-text-device",
                "sample-model-device", "train-out-directory", "train-out-missing-directory", "train-out-stdout",
                "train-text-not-utf8", "train-one-hot-too-large", "sample-accepted", "train-accepted-bounds",
                "forward-accepted-stack", "forward-inputs-width", "forward-inputs-nan"]


def judged(command: list[str], prefix: str, directory: Path) -> tuple[int, str | None, bool]:
    """(exit status, the stderr line after the prefix or None if stderr is not one such line, stdout empty)."""
    run = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "python")}, cwd=directory)
    lines = run.stderr.splitlines()
    line = lines[0][len(prefix):] if len(lines) == 1 and lines[0].startswith(prefix) else None
    return run.returncode, line, run.stdout == ""


def test_both_command_lines_give_the_matrix_verdict_as_processes(tmp_path):
    assert CLI.exists(), "build first: make build"
    jobs = []
    for number, row_id in enumerate(AS_PROCESSES):
        directory = tmp_path / str(number)
        directory.mkdir()
        where = scratch(directory)
        row = ROWS[row_id]
        args = [fill(arg, where) for arg in row["args"]]
        jobs.append((row, where, directory,
                     [PYTHON, "-m", "rnnport", *args], f"rnnport {args[0]}: ",
                     ["dotnet", str(CLI), *args], f"rnnport-cli {args[0]}: "))
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: (judged(job[3], job[4], job[2]), judged(job[5], job[6], job[2])), jobs))
    disagreements = []
    for (row, where, *_), (python, dotnet) in zip(jobs, results):
        if row["status"] == 0:  # accepted: both exit 0, whatever they print
            agree = python[0] == dotnet[0] == 0
        else:  # refused: exit 2, one line, nothing on stdout, the row's message from both
            message = fill(row["message"], where) if "message" in row else None
            agree = all(status == 2 and line is not None and quiet and (message is None or line == message)
                        for status, line, quiet in (python, dotnet))
        if not agree:
            disagreements.append((row["id"], python, dotnet))
    assert disagreements == []


def test_negative_control_a_crashing_process_is_caught(tmp_path):
    """What the old command lines did (a MemoryError traceback, exit 1) does not pass as a verdict."""
    crash = judged([PYTHON, "-c", "import numpy; numpy.zeros((10**9, 10**9))"], "rnnport train: ", tmp_path)
    assert crash[0] == 1 and crash[1] is None

