"""Gradient clipping in .NET: ``Bptt.ClipElementwise`` and ``Bptt.ClipGlobalNorm``, as
:mod:`rnnport.training.clipping`."""
from __future__ import annotations

from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.rnn_bptt import DotNetGradients
from rnnport.dotnet.runtime import load
from rnnport.numerics.checks import as_real_scalar


def clip_elementwise(gradients: DotNetGradients, limit: float) -> None:
    """``Bptt.ClipElementwise``: clip every gradient element to [−limit, limit], in .NET."""
    limit = as_real_scalar(limit, "limit")  # NumPy's rule: TypeError for "5", True, None
    with net_errors():
        load().Bptt.ClipElementwise(gradients._net, limit)


def clip_global_norm(gradients: DotNetGradients, max_norm: float) -> float:
    """``Bptt.ClipGlobalNorm``: scale the parameter gradients to norm ≤ max_norm; returns the norm before."""
    max_norm = as_real_scalar(max_norm, "max_norm")
    with net_errors():
        return float(load().Bptt.ClipGlobalNorm(gradients._net, max_norm))
