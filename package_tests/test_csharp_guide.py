"""docs/csharp.md runs: the consumer's `guide` command executes every snippet of the guide (their text is
the compiled source's, python/tests/test_docs.py) against the package, next to a model file that
`python -m rnnport train` wrote, and what they print is checked here."""
from __future__ import annotations

import math
import os
import re
import sys

import pytest

from package_setup import ROOT, run

sys.path.insert(0, str(ROOT / "python"))
from rnnport.io import model_file  # noqa: E402

GUIDE = ROOT / "dotnet" / "tests" / "Consumer" / "Guide"


@pytest.fixture(scope="session")
def guide(consumer, tmp_path_factory, dotnet_env) -> tuple[str, object]:
    """The guide's output, run in a folder holding model.npz from Python's command line; and that folder."""
    folder = tmp_path_factory.mktemp("guide")
    python = {**os.environ, "PYTHONPATH": str(ROOT / "python")}
    run([sys.executable, "-m", "rnnport", "corpus", "corpus.txt", "--characters", "3000"], cwd=folder, env=python)
    run([sys.executable, "-m", "rnnport", "train", "corpus.txt", "--cell", "lstm", "--hidden", "16", "--steps", "60",
         "--sample-every", "0", "--quiet", "--out", "model.npz"], cwd=folder, env=python)
    return run(["dotnet", str(consumer), "guide"], cwd=folder, env=dotnet_env).stdout, folder


def section(output: str, name: str) -> str:
    return output.split(f"== {name}\n")[1].split("\n==")[0]


def test_every_guide_file_runs_as_a_section(guide):
    output, _ = guide
    for source in GUIDE.glob("*.cs"):
        name = source.stem
        assert f"Consumer.Guide.{name}.Run();" in (GUIDE.parent / "Program.cs").read_text(), f"{name} is never run"
    assert [line[3:] for line in output.splitlines() if line.startswith("== ")] == [
        "cells", "training", "trainer", "python model", "kernels"]


def test_cells_section(guide):
    text = section(guide[0], "cells")
    assert "forward: outputs 50×2, states 50×8" in text
    assert "lstm: 50 outputs" in text and "gru: 50 outputs" in text
    assert "forward == time steps: True" in text


def test_training_section_learns_and_saves_a_model_python_reads(guide):
    text, folder = guide[0], guide[1]
    first, last = map(float, re.search(r"loss per chunk: ([\d.]+) over the first 20 steps, ([\d.]+) over the last",
                                       section(text, "training")).groups())
    assert last < 0.5 * first, (first, last)
    saved = model_file.load(folder / "guide-model.npz")
    assert saved.cell == "rnn" and saved.vocabulary.chars == "".join(sorted(set("the cat sat on the mat. the dog sat on the log. ")))


def test_trainer_section_reports_learns_and_saves(guide):
    text, folder = section(guide[0], "trainer"), guide[1]
    assert re.findall(r"^step (\d+), smooth loss", text, re.MULTILINE) == ["100", "200", "300"]
    assert text.count("----\n") == 6  # each sample between two rules, on lines of its own
    steps, smoothed, last = re.search(r"^(\d+) steps, smoothed loss ([\d.]+), last loss ([\d.]+)$", text, re.MULTILINE).groups()
    saved = model_file.load(folder / "trained.npz")
    uniform = 25 * math.log(len(saved.vocabulary))  # a chunk's loss when guessing: where the smoothed loss starts
    assert steps == "300" and float(last) < 0.8 * uniform and float(smoothed) < uniform
    assert saved.cell == "gru" and saved.model.hidden_size == 32 and saved.hyperparameters["steps"] == 300


def test_python_model_section_samples_from_the_python_file(guide):
    text, folder = guide[0], guide[1]
    saved = model_file.load(folder / "model.npz")
    header, sample = section(text, "python model").split("\n", 1)  # the sample may hold newlines
    assert header.startswith(f"lstm: I = {len(saved.vocabulary)}, H = 16, {len(saved.vocabulary)} characters")
    assert '"steps":60' in header
    assert len(sample) == 61 and sample[0] == "t" and set(sample) <= set(saved.vocabulary.chars)


def test_kernels_section_stays_within_rounding(guide):
    difference = float(re.search(r"max \|exact - simd\| = (\S+)", section(guide[0], "kernels")).group(1))
    assert difference < 1e-12
