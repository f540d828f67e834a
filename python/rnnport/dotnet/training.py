"""The C# library trainer from Python: ``RnnPort.CharTrainer.Train`` behind the signature of its NumPy twin
:func:`rnnport.training.char_model.train`, for the parity tests that run both trainers."""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable

from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.model_file import BRIDGE_CELLS
from rnnport.dotnet.runtime import load
from rnnport.training.char_model import TrainConfig, TrainResult
from rnnport.training.vocabulary import Vocabulary

# TrainConfig's fields by their RnnPort.TrainingSettings property.
SETTINGS: dict[str, str] = {"hidden_size": "HiddenSize", "seq_length": "SeqLength", "learning_rate": "LearningRate",
                            "steps": "Steps", "clip": "Clip", "clip_norm": "ClipNorm", "optimizer": "Optimizer",
                            "seed": "Seed", "sample_every": "SampleEvery", "sample_length": "SampleLength",
                            "cell": "Cell"}


def settings(config: TrainConfig) -> Any:
    """An ``RnnPort.TrainingSettings`` holding ``config``'s values."""
    load()
    import RnnPort

    net_settings = RnnPort.TrainingSettings()
    for field in fields(config):
        setattr(net_settings, SETTINGS[field.name], getattr(config, field.name))
    return net_settings


def train(text: str, config: TrainConfig, report: Callable[[str], None] | None = None, model: Any = None) -> TrainResult:
    """``CharTrainer.Train(text, settings, report, null, model)``.

    Parameters
    ----------
    text, config, report
        As :func:`rnnport.training.char_model.train`.
    model : DotNetRNN, DotNetLSTM or DotNetGRU, optional
        The bridge model to train in place (C# checks that it fits); fresh C# weights when None.

    Returns
    -------
    TrainResult
        The model's bridge twin, the vocabulary, and the (steps,) losses and smoothed losses as Python floats.
    """
    net = load()
    import RnnPort

    callback = None if report is None else net.System.Action[net.System.String](lambda line: report(str(line)))
    with net_errors():
        result = RnnPort.CharTrainer.Train(text, settings(config), callback, None,
                                           None if model is None else model._net)
    trained = model if model is not None else BRIDGE_CELLS[config.cell]._wrap(result.Model.__implementation__)
    return TrainResult(trained, Vocabulary(str(result.Vocabulary.Chars)), [float(v) for v in result.Losses],
                       [float(v) for v in result.SmoothLosses], config)
