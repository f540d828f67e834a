"""The model file through C#: ``RnnPort.ModelFile.Save`` and ``Load``, as :mod:`rnnport.io.model_file`,
for every cell: ``DotNetRNN``, ``DotNetLSTM`` and ``DotNetGRU`` (the bridge twin of each cell the file holds),
and for a version 3 file the C# ``RecurrentStack`` (its bridge twin :class:`DotNetRecurrentStack`)."""
from __future__ import annotations

import json
import os
from typing import Any

from rnnport.dotnet.errors import constructed, net_errors
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.lstm import DotNetLSTM
from rnnport.dotnet.rnn import DotNetRNN
from rnnport.dotnet.runtime import load
from rnnport.dotnet.stack import DotNetRecurrentStack
from rnnport.dotnet.transfer import net_path
from rnnport.io.model_file import ModelFile, ModelFileError
from rnnport.io.model_metadata import check_hyperparameters
from rnnport.training.vocabulary import Vocabulary


# The bridge twin of each cell, by the metadata's "cell" (rnnport.io.model_cells.CELLS for NumPy).
BRIDGE_CELLS: dict[str, Any] = {"rnn": DotNetRNN, "lstm": DotNetLSTM, "gru": DotNetGRU}


def save(path: str | os.PathLike[str], model: Any, vocabulary: Vocabulary | None = None,
         hyperparameters: dict[str, Any] | None = None) -> None:
    """``RnnPort.ModelFile.Save``: writes the format of :mod:`rnnport.io.model_file` from C#.

    Raises
    ------
    TypeError
        ``model`` is no bridge cell (``DotNetRNN``, ``DotNetLSTM``, ``DotNetGRU``) or C# stack (``DotNetRecurrentStack``).
    """
    if type(model) not in (*BRIDGE_CELLS.values(), DotNetRecurrentStack):
        names = ", ".join(c.__name__ for c in (*BRIDGE_CELLS.values(), DotNetRecurrentStack))
        raise TypeError(f"model must be one of {names}; got {type(model).__name__}")
    net = load()
    vocab = None
    if vocabulary is not None:  # in the given order (Vocabulary.Of would sort); C# refuses repeats
        codes = net.System.Array[net.System.Int32]([ord(c) for c in vocabulary.chars])  # see Construct.Vocabulary
        vocab = constructed(net.Construct.Vocabulary(codes))
    # The hyper-parameters cross as JSON text, which has no NaN or Infinity: the model file's own
    # writer rule (D4, docs/model-file.md) is checked here, with NumPy's message, before they cross.
    check_hyperparameters(hyperparameters or {})
    text = json.dumps(hyperparameters or {}, allow_nan=False)
    hyper = net.JsonNode.Parse(text).AsObject()
    with net_errors():
        net.ModelFile.Save(net_path(path, ValueError), model._net, vocab, hyper)


def load_model(path: str | os.PathLike[str]) -> ModelFile:
    """``RnnPort.ModelFile.Load``: a model file read by C#, as a :class:`ModelFile` holding the cell's bridge twin."""
    with net_errors(reading=True):  # a missing file included: every reader problem is ModelFileError
        contents = load().ModelFile.Load(net_path(path, ModelFileError))
        vocabulary = None if contents.Vocabulary is None else Vocabulary(str(contents.Vocabulary.Chars))
        hyper = json.loads(str(contents.Hyperparameters.ToJsonString()))
        cell = str(contents.CellName)
        if contents.IsStack:
            return ModelFile(DotNetRecurrentStack._wrap(contents.Stack), vocabulary, hyper, cell)
        net_model = contents.Cell.__implementation__  # pythonnet hands an interface-typed value out as the interface
    return ModelFile(BRIDGE_CELLS[cell]._wrap(net_model), vocabulary, hyper, cell)
