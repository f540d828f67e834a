"""BPTT over a batch through the bridge: ``RnnPort.BatchBptt.Run`` as :func:`rnnport.cells.batch_bptt.bptt_batch`.

The arguments are checked by NumPy's own function (``checked_arguments``, the same messages), then cross as one block copy each;
the summed gradients stay in .NET (the cell's gradients twin reads them on demand).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from rnnport.cells.batch_bptt import checked_arguments
from rnnport.cells.lstm_bptt import LstmBpttResult
from rnnport.cells.rnn_bptt import BpttResult
from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.gru_bptt import DotNetGruGradients
from rnnport.dotnet.lstm import DotNetLSTM, DotNetLstmGradients
from rnnport.dotnet.rnn import DotNetRNN
from rnnport.dotnet.rnn_bptt import DotNetGradients
from rnnport.dotnet.transfer import batch_targets_to_net, batch_to_net, from_net

_GRADIENTS = {DotNetRNN: DotNetGradients, DotNetLSTM: DotNetLstmGradients, DotNetGRU: DotNetGruGradients}


def bptt_batch(model: DotNetRNN | DotNetLSTM | DotNetGRU, xs: ArrayLike, targets: ArrayLike) -> Any:
    """The summed loss and gradients of B sequences (``BatchBptt.Run``), as ``rnnport.cells.batch_bptt.bptt_batch``:
    xs (B, T, I), targets (B, T); ``h_last`` (and ``c_last``) (B, H). The model is not changed."""
    gradients = _GRADIENTS.get(type(model))
    if gradients is None:
        raise TypeError(f"model must be a DotNetRNN, DotNetLSTM or DotNetGRU, got {type(model).__name__}")
    xs, array = checked_arguments(xs, targets, model.input_size)
    classes = model.output_size
    if array.size and (array.min() < 0 or array.max() >= classes):  # NumPy's message, naming the sequence
        b, t = (int(i) for i in np.argwhere((array < 0) | (array >= classes))[0])
        raise ValueError(f"sequence {b}: targets[{t}] = {int(array[b, t])} is outside the vocabulary [0, {classes})")
    net_targets = batch_targets_to_net(array)
    import RnnPort  # the namespace, importable now that the targets' copy has loaded the assemblies

    with net_errors({"inputs": ("xs", "same")}):
        result = RnnPort.BatchBptt.Run(model._net, batch_to_net(xs, "xs"), net_targets)
    if isinstance(model, DotNetLSTM):
        return LstmBpttResult(float(result.Loss), gradients(result.Gradients),  # type: ignore[arg-type]
                              from_net(result.FinalState), from_net(result.FinalCellState))
    return BpttResult(float(result.Loss), gradients(result.Gradients), from_net(result.FinalState))
