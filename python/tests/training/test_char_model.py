"""The character-model demo: training on the generated corpus lowers the loss clearly."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cli.main import main
from rnnport.training.char_model import TrainConfig, train
from rnnport.training.corpus import generate


def test_training_reduces_the_loss_by_more_than_half():
    """1500 Adagrad steps on the generated grammar: the last 100 chunks' mean loss is < 40% of the first 100's.

    The first chunks cost about ln(V)·25 ≈ 80 nats (a uniform guess); measured after 1500 steps: ~13.
    """
    result = train(generate(20_000), TrainConfig(steps=1500, sample_every=10_000))
    first, last = np.mean(result.losses[:100]), np.mean(result.losses[-100:])
    assert last < 0.4 * first, (first, last)


def test_command_line_trains_saves_plots_and_samples(tmp_path, capsys):
    """corpus → train → sample through `python -m rnnport`, with a checkpoint and a PNG written."""
    corpus, model, plot = tmp_path / "corpus.txt", tmp_path / "m.npz", tmp_path / "loss.png"
    assert main(["corpus", str(corpus), "--characters", "3000"]) == 0
    assert main(["train", str(corpus), "--steps", "200", "--hidden", "16", "--sample-every", "100",
                 "--out", str(model), "--plot", str(plot), "--quiet"]) == 0
    assert model.stat().st_size > 0 and plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "step 200, smooth loss" in capsys.readouterr().out
    assert main(["sample", str(model), "--length", "40", "--start", "t"]) == 0
    assert len(capsys.readouterr().out.strip()) >= 30


def test_command_line_errors_are_one_line_with_status_2(tmp_path, capsys):
    """A missing text file or a corrupt model gives one line on stderr and exit status 2."""
    assert main(["train", str(tmp_path / "missing.txt")]) == 2
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"garbage")
    assert main(["sample", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("rnnport ") for line in err)


def test_config_defaults_are_the_rules_files():
    """TrainConfig's defaults are option_rules.json's (sample_length: ``sample --length``'s), as C#'s TrainingSettings'."""
    from dataclasses import fields

    from rnnport.cli import option_rules

    names = {"hidden_size": "hidden", "seq_length": "seq-length", "learning_rate": "learning-rate", "steps": "steps",
             "clip": "clip", "clip_norm": "clip-norm", "optimizer": "optimizer", "seed": "seed",
             "sample_every": "sample-every", "cell": "cell"}
    config = TrainConfig()
    for field in fields(TrainConfig):
        command, name = ("sample", "length") if field.name == "sample_length" else ("train", names[field.name])
        assert getattr(config, field.name) == option_rules.parse(command, name, None), field.name


@pytest.mark.parametrize("changes,message", [
    ({"steps": 0}, "steps must be ≥ 1, got 0"),
    ({"sample_every": -1}, "sample_every must be ≥ 0 (0: never), got -1"),
    ({"clip": float("inf")}, "clip must be finite and > 0, got inf"),
])
def test_bad_settings_are_refused_with_the_messages_of_csharp(changes, message):
    """The same words as CharTrainerTests.BadSettingsAreRefusedNamingThem (both written by hand)."""
    with pytest.raises(ValueError) as error:
        TrainConfig(**changes)
    assert str(error.value) == message


def test_the_text_must_hold_one_chunk_and_its_target():
    with pytest.raises(ValueError, match=r"^the text has 3 characters; chunks of 3 need at least 4$"):
        train("abc", TrainConfig(seq_length=3))


def test_moving_average_is_trailing_and_short_at_the_start():
    from rnnport.cli.main import moving_average

    assert moving_average([1.0, 2.0, 3.0, 4.0], 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    assert moving_average([4.0, 0.0, 2.0], 5).tolist() == [4.0, 2.0, 2.0]


def shown(written: str) -> list[str]:
    """The lines a terminal shows: '\\r' returns to column 0 and later characters overwrite."""
    lines = []
    for raw in written.split("\n"):
        line: list[str] = []
        column = 0
        for char in raw:
            if char == "\r":
                column = 0
                continue
            if column < len(line):
                line[column] = char
            else:
                line.append(char)
            column += 1
        lines.append("".join(line).rstrip())
    return lines


def test_report_lines_are_not_glued_to_the_progress_bar(monkeypatch):
    """stdout and stderr on one screen: every report starts on its own line; without tqdm's external write
    mode (negative control: printing straight past the bar) the first one is glued to the bar."""
    import io
    import sys

    pytest.importorskip("tqdm")
    text = generate(2000)
    for careful in (True, False):
        screen = io.StringIO()
        monkeypatch.setattr(sys, "stdout", screen)
        monkeypatch.setattr(sys, "stderr", screen)
        config = TrainConfig(steps=30, hidden_size=4, seq_length=8, sample_every=10, sample_length=10)
        if careful:
            train(text, config, progress=True, report=print)
        else:
            from tqdm import tqdm

            bar = tqdm(total=1)
            bar.update(1)
            print("step 10, smooth loss 1.0000")
            bar.close()
        starts = [line for line in shown(screen.getvalue()) if line.startswith("step ")]
        monkeypatch.undo()
        assert len(starts) == (3 if careful else 0), screen.getvalue()
