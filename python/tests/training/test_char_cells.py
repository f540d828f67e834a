"""The demo's trainer over every cell (rnnport.training.char_cells): loss falls, the cell is saved and
sampled back, and sampling between chunks leaves an LSTM's (h, c) as it found them."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cli.main import main
from rnnport.io import model_file
from rnnport.training import sampling
from rnnport.training.char_cells import CHAR_CELLS
from rnnport.training.char_model import TrainConfig, train
from rnnport.training.corpus import generate

TEXT = generate(4000, seed=1)


@pytest.mark.parametrize("cell, kind", [("lstm", LSTM), ("gru", GRU)])
def test_each_cell_trains_reducing_the_loss(cell, kind):
    result = train(TEXT, TrainConfig(hidden_size=32, seq_length=16, steps=600, sample_every=0, cell=cell))
    assert type(result.model) is kind and result.hyperparameters()["cell"] == cell
    first, last = np.mean(result.losses[:20]), np.mean(result.losses[-50:])
    assert last < 0.7 * first, (cell, first, last)


def test_an_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="cell must be one of 'rnn', 'lstm', 'gru'"):
        TrainConfig(cell="transformer")


def test_sampling_leaves_the_lstm_cell_state_as_it_was():
    """With samples every 7 steps or none, the losses are the same: sampling restores h and c."""
    config = TrainConfig(hidden_size=8, seq_length=10, steps=40, seed=3, sample_every=0, cell="lstm")
    quiet = train(TEXT, config).losses
    sampled = train(TEXT, TrainConfig(**{**config.__dict__, "sample_every": 7}), report=lambda _: None).losses
    assert quiet == sampled


def test_the_cell_state_check_can_fail(monkeypatch):
    """Negative control: a sampler that forgets to restore c changes the losses that follow a sample."""
    real = sampling.sample

    def forgetful(model, *args, **kwargs):
        c = model.c
        picks = real(model, *args, **kwargs)
        model.c = c + 0.5  # as if the draws had moved it
        return picks

    monkeypatch.setattr("rnnport.training.char_model.sample", forgetful)
    config = TrainConfig(hidden_size=8, seq_length=10, steps=40, seed=3, sample_every=7, cell="lstm")
    quiet = train(TEXT, TrainConfig(**{**config.__dict__, "sample_every": 0})).losses
    assert train(TEXT, config, report=lambda _: None).losses != quiet


@pytest.mark.parametrize("cell", sorted(CHAR_CELLS))
def test_train_then_sample_any_cell_from_the_command_line(tmp_path, capsys, cell):
    corpus, model = tmp_path / "corpus.txt", tmp_path / f"{cell}.npz"
    corpus.write_text(TEXT, encoding="utf-8")
    assert main(["train", str(corpus), "--cell", cell, "--steps", "30", "--hidden", "8", "--sample-every", "0",
                 "--out", str(model), "--quiet"]) == 0
    assert model_file.load(model).cell == cell
    capsys.readouterr()
    assert main(["sample", str(model), "--length", "30", "--start", "t"]) == 0
    out = capsys.readouterr().out  # the start, 30 drawn characters (newlines among them), a final newline
    assert len(out) == 32 and out.startswith("t") and out.endswith("\n")
