"""`python -m rnnport` against the command-line matrix both CLIs run (parity_tests/cli/bad-invocations.json).

xunit runs the same rows through rnnport-cli (CliMatrixTests); parity_tests/test_cli_matrix.py runs
both as real processes and compares them. A rejected row must exit 2 before any work: stdout empty,
nothing written, one line on stderr (ending with the row's message when it has one).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rnnport.cli import option_rules
from rnnport.cli.main import main
from rnnport.verify import cli_matrix
from rnnport.verify.cli_matrix import fill, scratch

ROOT = Path(__file__).resolve().parents[3]
MATRIX = cli_matrix.rows()


def verdict(row: dict[str, Any], status: int, out: str, err: str, before: set[str], after: set[str],
            prefixes: tuple[str, ...], places: dict[str, str]) -> list[str]:
    """Everything wrong with one run of ``row`` (empty: the CLI judged it as the matrix says)."""
    problems = []
    if status != row["status"]:
        problems.append(f"exit status {status}, expected {row['status']}")
    if row["status"] != 0:
        lines = err.splitlines()
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr: {err!r}")
        elif not lines[0].startswith(prefixes):
            problems.append(f"stderr does not start with {prefixes}: {lines[0]!r}")
        elif "message" in row and not any(lines[0] == p + fill(row["message"], places) for p in prefixes):
            problems.append(f"stderr {lines[0]!r}, expected the message {fill(row['message'], places)!r}")
        if out:
            problems.append(f"stdout is not empty: {out[:80]!r}")
        if after != before:
            problems.append(f"files changed: {sorted(after ^ before)}")
    return problems


def run_python(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as stop:  # argparse
        status = int(stop.code or 0)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("row", MATRIX, ids=[row["id"] for row in MATRIX])
def test_python_cli_judges_the_row_as_the_matrix_says(row, tmp_path, capsys):
    places = scratch(tmp_path)
    before = set(os.listdir(tmp_path))
    status, out, err = run_python([fill(arg, places) for arg in row["args"]], capsys)
    command = row["args"][0]
    prefixes = (f"rnnport {command}: ", f"python -m rnnport {command}: ", "python -m rnnport: ")
    assert verdict(row, status, out, err, before, set(os.listdir(tmp_path)), prefixes, places) == []
    assert cli_matrix.written_vocabulary(row, places) == []


def test_the_rows_have_distinct_ids():
    ids = [row["id"] for row in MATRIX]
    assert sorted(ids) == sorted(set(ids))


def test_negative_control_a_wrong_vocabulary_is_caught(tmp_path):
    """The old reader's vocabulary of bom-crlf.txt (\r dropped, the BOM a character) fails the row's check."""
    from rnnport.io import model_file
    from rnnport.training.vocabulary import Vocabulary
    from rnnport.verify.cases import make_case

    row = next(row for row in MATRIX if row["id"] == "train-text-bom-crlf-accepted")
    places = scratch(tmp_path)
    model_file.save(fill(row["model"], places), make_case(4, 2, 4, 1, seed=1).numpy_model(), Vocabulary("\nxy\ufeff"))
    assert cli_matrix.written_vocabulary(row, places) != []


def test_negative_control_the_verdict_catches_wrong_behaviour():
    """A traceback, exit 1, output before failing, a written file or another message are each caught."""
    row = {"status": 2, "message": "--hidden expects an integer in [1, 16384], got '0'"}
    good = "rnnport train: --hidden expects an integer in [1, 16384], got '0'\n"
    ok = verdict(row, 2, "", good, {"a"}, {"a"}, ("rnnport train: ",), {})
    assert ok == []
    wrong = [verdict(row, 1, "", good, {"a"}, {"a"}, ("rnnport train: ",), {}),
             verdict(row, 2, "", "Traceback (most recent call last):\n  ...\nMemoryError\n", set(), set(), ("rnnport train: ",), {}),
             verdict(row, 2, "step 1\n", good, set(), set(), ("rnnport train: ",), {}),
             verdict(row, 2, "", good, set(), {"model.npz"}, ("rnnport train: ",), {}),
             verdict(row, 2, "", "rnnport train: --hidden is bad\n", set(), set(), ("rnnport train: ",), {})]
    assert all(problems for problems in wrong)


def test_the_matrix_covers_every_rule_of_the_spec():
    """Every shared option has rows for each way its rule can be broken: an integer just below its
    minimum and just above its maximum, a float at 0, nan and inf, a wrong choice, two characters."""
    given = {(row["args"][0], arg, row["args"][i + 1]) for row in MATRIX
             for i, arg in enumerate(row["args"][:-1]) if arg.startswith("--")}
    missing = []
    for command in ("train", "sample"):
        for name, rule in option_rules.options(command).items():
            wanted = {"int": [str(rule.get("min", 0) - 1), str(rule.get("max", 0) + 1)], "float": ["0", "nan", "inf"],
                      "choice": ["adam"], "char": ["xy"]}[rule["kind"]]
            missing += [(command, f"--{name}", text) for text in wanted if (command, f"--{name}", text) not in given]
    assert missing == []


def test_docs_table_is_the_rules_file():
    """docs/cli.md's table of option rules is cli/option_rules.json, rendered (so the doc cannot drift)."""
    def shown(rule: dict[str, Any]) -> str:
        kind = rule["kind"]
        if kind == "int":
            return f"integer in [{rule['min']}, {rule['max']}]"
        if kind == "float":
            return f"finite number > {rule['above']}"
        if kind == "choice":
            return "one of " + ", ".join(f"`{choice}`" for choice in rule["choices"])
        return "one character"
    rendered = [f"| `{command}` | `--{name}` | {shown(rule)} | "
                f"{'none' if rule['default'] is None else '`' + str(rule['default']) + '`'} |"
                for command in ("train", "sample") for name, rule in option_rules.options(command).items()]
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8").splitlines()
    assert [line for line in doc if line.startswith(("| `train` |", "| `sample` |"))] == rendered


def test_running_out_of_memory_within_the_limits_is_one_line(tmp_path, capsys, monkeypatch):
    """A size under 2^28 this machine still cannot hold: exit 2 and one line, not a MemoryError traceback."""
    import rnnport.training.char_model

    def exhausted(*args: Any, **kwargs: Any) -> None:
        raise MemoryError("Unable to allocate 2.00 GiB for an array with shape (16384, 16384)")
    monkeypatch.setattr(rnnport.training.char_model, "train", exhausted)
    places = scratch(tmp_path)
    assert main(["train", places["{corpus}"], "--quiet", "--out", str(tmp_path / "m.npz")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == ["rnnport train: out of memory (Unable to allocate 2.00 GiB for an array with shape (16384, 16384))"]
