"""``python/benchmarks/goals.py``: the verdicts ``make bench`` prints and its exit status rest on ``judge``."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import goals  # noqa: E402


def _all_rows(value: float = 1.0) -> goals.Measurements:
    """Every row any goal names, each measured as ``value``."""
    return {row: value for goal in goals.GOALS for row in goal.rows}


def test_every_goal_names_rows_and_a_limit():
    names = [goal.name for goal in goals.GOALS]
    assert len(names) == len(set(names)) == 16  # issue 12: 3 + 2 + 2 + 2 + 1 + 3 + 2 + 1
    assert all(goal.rows and goal.sense in ("≤", "≥") for goal in goals.GOALS)


def test_a_goal_passes_and_fails_at_its_limit(capsys):
    goal = goals.ratio("r", "a", "b", "≤", 1.0)
    assert goals.judge({"a": 1.0, "b": 1.0}, [goal])
    assert not goals.judge({"a": 1.01, "b": 1.0}, [goal])
    at_least = goals.value("v", "a", "≥", 5.0, " GB/s")
    assert goals.judge({"a": 5.0}, [at_least]) and not goals.judge({"a": 4.9}, [at_least])
    out = capsys.readouterr().out
    assert "| r | 1.00× | ≤ 1× | PASS |" in out and "| r | 1.01× | ≤ 1× | FAIL |" in out
    assert "| v | 4.90 GB/s | ≥ 5 GB/s | FAIL |" in out


def test_a_missing_row_is_a_failure_that_says_so(capsys):
    rows = _all_rows()
    missing = goals.kernels("fast C# Forward / NumPy forward, H=256")
    del rows[missing]
    assert not goals.judge(rows)
    out = capsys.readouterr().out
    assert f"not measured ({missing})" in out
    assert out.rstrip().endswith("at least one goal FAILS")


def test_the_first_measured_source_is_used(capsys):
    goal = goals.value("g", "paired row", "≤", 1.0, "×", "paired").or_else(goals.ratio("", "a", "b", "≤", 1.0, "medians"))
    assert goals.judge({"paired row": 0.9, "a": 2.0, "b": 1.0}, [goal])   # the paired row, when it ran
    assert not goals.judge({"a": 2.0, "b": 1.0}, [goal])                   # else the medians
    out = capsys.readouterr().out
    assert "| g | 0.90× (paired) |" in out and "| g | 2.00× (medians) |" in out


def test_the_per_step_overhead_divides_by_T():
    goal = goals.per_step_overhead("o", "slow", "fast", 10.0)
    assert goal.sources[0].value({"slow": 0.030, "fast": 0.020, goals.STEPS: 1000}) == pytest.approx(10.0)


@pytest.mark.parametrize("value,passes", [(0.5, False), (6.0, False)])
def test_no_single_value_passes_every_goal(value, passes, capsys):
    """Negative control: the limits point both ways, so a constant table cannot pass them all."""
    rows = _all_rows(value)
    assert goals.judge(rows) is passes
