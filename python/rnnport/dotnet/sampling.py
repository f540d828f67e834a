"""Sampling in .NET: ``RnnPort.Sampler.Sample`` as :func:`rnnport.training.sampling.sample`."""
from __future__ import annotations

from numpy.typing import ArrayLike

from rnnport.dotnet.errors import net_errors
from rnnport.dotnet.rnn import DotNetRNN
from rnnport.dotnet.runtime import load
from rnnport.dotnet.transfer import doubles_to_net, row_to_net
from rnnport.numerics.checks import as_int_scalar, as_real_scalar, check_index


def sample(model: DotNetRNN, seed_index: int, uniforms: ArrayLike, temperature: float = 1.0,
           h: ArrayLike | None = None) -> list[int]:
    """``RnnPort.Sampler.Sample``: as :func:`rnnport.training.sampling.sample`."""
    seed_index = as_int_scalar(seed_index, "seed_index")  # NumPy's rules: TypeError for True, 1.5
    temperature = as_real_scalar(temperature, "temperature")
    if not -2**31 <= seed_index < 2**31:  # no .NET int can carry it, so it is outside every vocabulary
        check_index(seed_index, model.input_size, "seed index")
    start = None if h is None else row_to_net(h, "h", lambda: model.hidden_size)
    with net_errors({"state": ("h", "row")}):
        picks = load().Sampler.Sample(model._net, seed_index, doubles_to_net(uniforms, "uniforms"), temperature, start)
    return [int(i) for i in picks]
