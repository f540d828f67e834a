"""The two library trainers, rnnport.training.char_model.train (NumPy, exact kernels) and RnnPort.CharTrainer
(C#, through rnnport.dotnet.training), from the same initial weights: every step's loss, the smoothed loss, the
final weights and state bit for bit, for every cell and both optimisers, over a text short enough that the data
pointer wraps several times. Negative controls: a trainer with another data-pointer rule or another smoothing
is caught."""
from __future__ import annotations

import dataclasses
import json
import sys
import types

import numpy as np
import pytest

from rnnport.dotnet import training as net_training
from rnnport.training import char_model
from rnnport.training.char_cells import CHAR_CELLS
from rnnport.training.char_model import TrainConfig
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify.cell_registry import CELLS

TEXT = "the cat sat on the mat.\nthe rat ate the hat!\n" * 3  # 135 characters: 9 chunks of 14 per pass


def bits(values) -> list[int]:
    return np.asarray(values, dtype=np.float64).view(np.int64).ravel().tolist()


def both_models(cell: str, V: int, H: int, seed: int):
    """The NumPy model on exact kernels and its C# twin, with the NumPy trainer's initial weights."""
    spec = CELLS[cell]
    arguments = spec.arguments(CHAR_CELLS[cell].make(V, H, np.random.default_rng(seed)))
    return spec.numpy_model(arguments, "exact"), spec.dotnet_model(arguments)


def run_both(config: TrainConfig, train=char_model.train):
    V = len(Vocabulary.of(TEXT))
    numpy_model, net_model = both_models(config.cell, V, config.hidden_size, config.seed)
    return (train(TEXT, config, model=numpy_model), net_training.train(TEXT, config, model=net_model))


def disagreements(a, b) -> list[str]:
    """What differs between two TrainResults, to the bit."""
    wrong = [name for name, u, v in (("losses", a.losses, b.losses), ("smoothed losses", a.smooth_losses, b.smooth_losses))
             if bits(u) != bits(v)]
    wrong += [name for name, w in a.model.parameters().items() if bits(w) != bits(b.model.parameters()[name])]
    wrong += [name for name in CELLS[a.config.cell].states if bits(getattr(a.model, name)) != bits(getattr(b.model, name))]
    return wrong + ([] if a.vocabulary == b.vocabulary else ["vocabulary"])


CONFIGS = [TrainConfig(cell=cell, optimizer=optimizer, steps=30, hidden_size=5, seq_length=14,
                       learning_rate=0.1, clip=1.0, seed=3, sample_every=0)
           for cell in ("rnn", "lstm", "gru") for optimizer in ("adagrad", "sgd")]


@pytest.mark.parametrize("config", CONFIGS, ids=[f"{c.cell}-{c.optimizer}" for c in CONFIGS])
def test_both_trainers_take_the_same_steps_bit_for_bit(config):
    a, b = run_both(config)
    assert len(a.losses) == len(b.losses) == config.steps
    assert a.losses[0] != a.losses[9]  # the text wraps after 9 chunks: the pointer rule is exercised
    assert disagreements(a, b) == []


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_global_norm_clipping_agrees_to_rounding(cell):
    """With --clip-norm the two sides sum the squares in different orders, so the norm may differ in its last
    bit; the losses and weights then agree to a relative 1e-12 (a wrong threshold moves them by far more)."""
    config = dataclasses.replace(CONFIGS[0], cell=cell, optimizer="sgd", clip_norm=0.5)
    a, b = run_both(config)
    np.testing.assert_allclose(a.losses, b.losses, rtol=1e-12, atol=0)
    for name, w in a.model.parameters().items():
        np.testing.assert_allclose(w, b.model.parameters()[name], rtol=1e-12, atol=1e-15, err_msg=name)
    other = run_both(dataclasses.replace(config, clip_norm=0.45))[1]  # negative control: another threshold
    assert np.abs(np.array(a.losses) - np.array(other.losses)).max() > 1e-6


def parts(line: str) -> tuple[str, int]:
    """A report's first line and its sample's length, checking the ``----`` frame around the sample."""
    header, rest = line.split("\n", 1)
    assert rest.startswith("----\n") and rest.endswith("\n----"), line
    return header, len(rest) - len("----\n") - len("\n----")


def test_both_trainers_report_the_same_step_lines():
    """The periodic report: the same step and smoothed loss lines (the samples differ: each side draws its own uniforms)."""
    config = dataclasses.replace(CONFIGS[0], sample_every=10, sample_length=12)
    lines: dict[str, list[str]] = {"numpy": [], "net": []}
    V = len(Vocabulary.of(TEXT))
    numpy_model, net_model = both_models("rnn", V, config.hidden_size, config.seed)
    char_model.train(TEXT, config, report=lines["numpy"].append, model=numpy_model)
    net_training.train(TEXT, config, report=lines["net"].append, model=net_model)
    shape = [parts(line) for line in lines["numpy"]]
    assert shape == [parts(line) for line in lines["net"]]
    smooth = run_both(config)[0].smooth_losses
    assert shape == [(f"step {k}, smooth loss {smooth[k - 1]:.4f}", 12) for k in (10, 20, 30)]


def test_both_record_the_same_hyperparameters():
    config = CONFIGS[3]
    record = net_training.settings(config).Hyperparameters()

    assert json.loads(str(record.ToJsonString())) == dataclasses.asdict(config)


@pytest.mark.parametrize("change", [
    ("position += L\n", "position += L + 1\n"),  # chunks that do not overlap by their target
    ("model.reset()  #", "pass  #"),  # a wrap that keeps the state
    ("smooth = 0.999 * smooth + 0.001 * result.loss", "smooth = 0.99 * smooth + 0.01 * result.loss"),
], ids=["data-pointer", "no-reset-on-wrap", "smoothing"])
def test_negative_control_another_rule_is_caught(change, monkeypatch):
    source = open(char_model.__file__, encoding="utf-8").read()
    assert change[0] in source
    changed = types.ModuleType("changed_char_model")
    monkeypatch.setitem(sys.modules, changed.__name__, changed)  # dataclasses look their module up
    exec(compile(source.replace(change[0], change[1]), char_model.__file__, "exec"), changed.__dict__)
    a, b = run_both(CONFIGS[0], train=changed.train)
    assert disagreements(a, b) != []
