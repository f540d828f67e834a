"""The character-model demo: training on the generated corpus lowers the loss clearly."""
from __future__ import annotations

import numpy as np

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
