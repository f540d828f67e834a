"""The README's examples of the gated cells, run: the README quotes these lines (python/tests/test_docs.py
checks that they occur here verbatim), and the assertions below them check what the README says they give."""
from __future__ import annotations

import numpy as np


def test_lstm_example():
    """NumPy LSTM and its C# twin through the bridge: same shapes, same values within the fast-mode bound."""
    from rnnport.cells import LSTM
    from rnnport.dotnet.lstm import DotNetLSTM   # loads .NET on first use

    rng = np.random.default_rng(0)
    I, H, O = 4, 16, 3
    W_ih, W_hh = rng.normal(size=(4 * H, I)) / 4, rng.normal(size=(4 * H, H)) / 4   # row blocks i|f|g|o
    W_hy, b_ih, b_hh = rng.normal(size=(O, H)), np.zeros(4 * H), np.full(4 * H, 0.1)  # torch's two biases
    numpy_lstm = LSTM(W_ih, W_hh, W_hy, b_ih=b_ih, b_hh=b_hh)
    csharp_lstm = DotNetLSTM(W_ih, W_hh, W_hy, b_ih=b_ih, b_hh=b_hh)
    xs = rng.normal(size=(100, I))
    ys, hs, cs = csharp_lstm.forward(xs)   # (100, 3), (100, 16), (100, 16): outputs, h and c per step

    assert (ys.shape, hs.shape, cs.shape) == ((100, O), (100, H), (100, H))
    for got, want in zip((ys, hs, cs), numpy_lstm.forward(xs)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(csharp_lstm.c, cs[-1])


def test_gru_example():
    """NumPy GRU and its C# twin through the bridge."""
    from rnnport.cells import GRU
    from rnnport.dotnet import DotNetGRU

    rng = np.random.default_rng(1)
    I, H, O = 4, 16, 3
    W_ih, W_hh = rng.normal(size=(3 * H, I)) / 4, rng.normal(size=(3 * H, H)) / 4   # row blocks r|z|n
    W_hy, b_hh = rng.normal(size=(O, H)), np.full(3 * H, 0.1)   # b_hh's n block is multiplied by r
    numpy_gru, csharp_gru = GRU(W_ih, W_hh, W_hy, b_hh=b_hh), DotNetGRU(W_ih, W_hh, W_hy, b_hh=b_hh)
    xs = rng.normal(size=(100, I))
    ys, hs = csharp_gru.forward(xs)   # (100, 3), (100, 16)

    assert (ys.shape, hs.shape) == ((100, O), (100, H))
    for got, want in zip((ys, hs), numpy_gru.forward(xs)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
