"""Both command lines as real processes on rows of parity_tests/cli/bad-invocations.json: same verdict, same results.

The unit suites run every row in-process (python/tests/test_cli_matrix.py, CliMatrixTests); this runs
the rows that used to crash or hang, the text-reading rows and every accepted row through
`python -m rnnport` and `rnnport-cli` as the user does, each in its own directory, so exit codes and
stderr are the processes' own: no traceback, no unhandled .NET exception (exit 134), the same status
and the same one-line message. An accepted row must give the same results: a trained model file with
the same cell, vocabulary, hyper-parameters and array shapes, the same summary line, and samples of
the same length (the sampled characters differ: each language draws its own uniforms).
"""
from __future__ import annotations

import json
import os
import re
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
                "train-text-not-utf8", "train-one-hot-too-large", "forward-inputs-width", "forward-inputs-nan",
                *(row_id for row_id, row in ROWS.items() if row["status"] == 0 or row_id.startswith("train-text-"))]


def judged(command: list[str], prefix: str, directory: Path) -> tuple[int, str | None, bool, str]:
    """(exit status, the stderr line after the prefix or None if stderr is not one such line, stdout empty, stdout)."""
    run = subprocess.run(command, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT / "python")}, cwd=directory)
    lines = run.stderr.splitlines()
    line = lines[0][len(prefix):] if len(lines) == 1 and lines[0].startswith(prefix) else None
    return run.returncode, line, run.stdout == "", run.stdout


def results(row: dict, args: list[str], stdout: str, where: dict[str, str]) -> dict:
    """What an accepted row produced, in terms both languages must share (no random draws)."""
    from rnnport.io import model_file

    if args[0] == "sample":
        return {"sample length": len(stdout.rstrip("\n")), "start": stdout[:1]}
    out = Path(args[args.index("--out") + 1])
    if args[0] == "forward":  # both run the exact order: the same bytes
        return {"outputs": out.read_bytes()}
    loaded = model_file.load(out)
    return {"cell": loaded.cell, "vocabulary": loaded.vocabulary, "hyperparameters": loaded.hyperparameters,
            "shapes": {name: value.shape for name, value in loaded.model.parameters().items()},
            "summary": re.sub(r"[0-9]+\.[0-9]{3}", "N", stdout.splitlines()[-1]).replace(where["{dir}"], "{dir}")}


def test_both_command_lines_give_the_matrix_verdict_as_processes(tmp_path):
    assert CLI.exists(), "build first: make build"
    jobs = []
    for number, row_id in enumerate(AS_PROCESSES):
        row, sides = ROWS[row_id], []
        for side, command, prefix in (("python", [PYTHON, "-m", "rnnport"], "rnnport"), ("dotnet", ["dotnet", str(CLI)], "rnnport-cli")):
            directory = tmp_path / str(number) / side  # each side its own files: both write the same --out name
            directory.mkdir(parents=True)
            where = scratch(directory)
            args = [fill(arg, where) for arg in row["args"]]
            sides.append((directory, where, args, [*command, *args], f"{prefix} {args[0]}: "))
        jobs.append((row, sides))
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(pool.map(lambda job: [judged(command, prefix, directory) for directory, _, _, command, prefix in job[1]], jobs))
    disagreements = []
    for (row, sides), (python, dotnet) in zip(jobs, runs):
        if row["status"] == 0:  # accepted: both exit 0 with the same results
            agree = python[0] == dotnet[0] == 0 and \
                results(row, sides[0][2], python[3], sides[0][1]) == results(row, sides[1][2], dotnet[3], sides[1][1])
        else:  # refused: exit 2, one line, nothing on stdout, the row's message from both
            agree = all(status == 2 and line is not None and quiet
                        and ("message" not in row or line == fill(row["message"], where))
                        for (status, line, quiet, _), (_, where, *_) in zip((python, dotnet), sides))
        if not agree:
            disagreements.append((row["id"], python, dotnet))
    assert disagreements == []


def test_negative_control_a_crashing_process_is_caught(tmp_path):
    """What the old command lines did (a MemoryError traceback, exit 1) does not pass as a verdict."""
    crash = judged([PYTHON, "-c", "import numpy; numpy.zeros((10**9, 10**9))"], "rnnport train: ", tmp_path)
    assert crash[0] == 1 and crash[1] is None

