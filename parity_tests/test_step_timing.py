"""``RnnPort.Bridge.StepTiming``: the whole-loop helpers a Python benchmark times, reached through pythonnet."""
from __future__ import annotations

import numpy as np

from rnnport import RNN
from rnnport.dotnet import load, to_net


def test_step_timing_loops_end_where_the_numpy_exact_model_ends(DotNetRNN):
    load()
    from RnnPort.Bridge import StepTiming

    rng = np.random.default_rng(7)
    W_xh, W_hh, W_hy = rng.normal(size=(32, 6)), rng.normal(size=(32, 32)) / 6, rng.normal(size=(5, 32))
    xs = rng.normal(size=(200, 6))
    _, hs = RNN(W_xh, W_hh, W_hy, kernel="exact").forward(xs)

    for run in (StepTiming.TimeStepLoop, StepTiming.Forward):
        model = DotNetRNN(W_xh, W_hh, W_hy)
        model.step(np.ones(6))  # a state the helper must reset away
        run(model._net, to_net(xs))
        np.testing.assert_array_equal(model.h.view(np.int64), hs[-1].view(np.int64))
