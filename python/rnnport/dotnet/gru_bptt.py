"""GRU BPTT through the bridge: ``RnnPort.GruBptt.Run`` as :func:`rnnport.cells.gru_bptt.gru_bptt`.

The gradients stay in .NET between calls; ``rnnport.dotnet``'s SGD, Adagrad and clipping take them as
they take the RNN's.
"""
from __future__ import annotations

from numpy.typing import ArrayLike

from rnnport.cells.rnn_bptt import BpttResult
from rnnport.dotnet.gru import CSHARP_NAMES, DotNetGRU
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import vector_from_net
from rnnport.dotnet.twin import GradientsTwin, parameter_property, run_bptt


class DotNetGruGradients(GradientsTwin):
    """``RnnPort.GruGradients`` with the attributes of ``GruGradients`` (NumPy layout, copies).

    ``rnnport.dotnet``'s SGD, Adagrad and clipping take it as they take the RNN's gradients.
    """

    CSHARP_NAMES = CSHARP_NAMES

    W_ih = parameter_property(CSHARP_NAMES, "W_ih", "(3H, I)")
    W_hh = parameter_property(CSHARP_NAMES, "W_hh", "(3H, H)")
    W_hy = parameter_property(CSHARP_NAMES, "W_hy", "(O, H)")
    b_ih = parameter_property(CSHARP_NAMES, "b_ih", "(3H,) or None")
    b_hh = parameter_property(CSHARP_NAMES, "b_hh", "(3H,) or None")
    b_y = parameter_property(CSHARP_NAMES, "b_y", "(O,) or None")
    h0 = property(lambda self: vector_from_net(self._net.InitialState), doc="(H,) gradient w.r.t. the initial state")


def gru_bptt(model: DotNetGRU, xs: ArrayLike, targets: ArrayLike, h_prev: ArrayLike | None = None) -> BpttResult:
    """``RnnPort.GruBptt.Run``: as ``rnnport.cells.gru_bptt.gru_bptt``; the gradients stay in .NET."""
    load()
    import RnnPort  # the namespace, importable once load() has added the assemblies

    result = run_bptt(RnnPort.GruBptt.Run, model, xs, targets, [(h_prev, "h_prev", "initialState")])
    return BpttResult(float(result.Loss), DotNetGruGradients(result.Gradients), vector_from_net(result.FinalState))
