"""BPTT through the bridge: ``RnnPort.Bptt.Run`` as :func:`rnnport.cells.rnn_bptt.bptt`.

The gradients stay in .NET between calls (``DotNetGradients`` reads them out on demand), so clipping
and an optimiser step cost no crossing.
"""
from __future__ import annotations

from numpy.typing import ArrayLike

from rnnport.cells.rnn_bptt import BpttResult
from rnnport.dotnet.rnn import CSHARP_NAMES, DotNetRNN
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import vector_from_net
from rnnport.dotnet.twin import GradientsTwin, parameter_property, run_bptt


class DotNetGradients(GradientsTwin):
    """``RnnPort.Gradients`` with the attributes of :class:`rnnport.cells.rnn_bptt.Gradients` (NumPy layout, copies)."""

    CSHARP_NAMES = CSHARP_NAMES

    W_xh = parameter_property(CSHARP_NAMES, "W_xh", "(H, I) = C# InputWeightsᵀ")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(H, H) = C# RecurrentWeightsᵀ")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H) = C# OutputWeightsᵀ")
    b_h = parameter_property(CSHARP_NAMES, "b_h", "(H,) or None")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) or None")
    h0 = property(lambda self: vector_from_net(self._net.InitialState), doc="(H,) gradient w.r.t. the initial state")


def bptt(model: DotNetRNN, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """``RnnPort.Bptt.Run``: as :func:`rnnport.cells.rnn_bptt.bptt`; the gradients stay in .NET."""
    result = run_bptt(load().Bptt.Run, model, xs, targets, [(h_prev, "h_prev", "initialState")])
    return BpttResult(float(result.Loss), DotNetGradients(result.Gradients), vector_from_net(result.FinalState))
