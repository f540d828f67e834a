"""The two layouts, tested rather than assumed: C#'s weights are the transposes of NumPy's."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import dotnet
from rnnport.verify.cases import make_case


def test_csharp_weights_are_numpy_transposes(DotNetRNN):
    """inputWeights[i, j] = W_xh[j, i], and likewise for the recurrent and output weights."""
    case = make_case(3, 5, 2, 0, seed=1)  # all three shapes non-square, so a missing .T cannot hide
    net = DotNetRNN(*case.weights())._net
    for csharp, numpy in ((net.InputWeights, case.W_xh), (net.RecurrentWeights, case.W_hh),
                          (net.OutputWeights, case.W_hy)):
        assert (csharp.RowCount, csharp.ColumnCount) == numpy.T.shape
        for i in range(csharp.RowCount):
            for j in range(csharp.ColumnCount):
                assert csharp[i, j] == numpy[j, i]
    assert (net.InputSize, net.HiddenSize, net.OutputSize) == (3, 5, 2)


def test_bridge_returns_numpy_layout(DotNetRNN):
    """DotNetRNN hands back W_xh (H, I), W_hh, W_hy, h0 and h in NumPy layout, bit for bit."""
    case = make_case(3, 5, 2, 0, seed=2, nonzero_h0=True)
    model = DotNetRNN(*case.weights())
    for got, want in ((model.W_xh, case.W_xh), (model.W_hh, case.W_hh), (model.W_hy, case.W_hy),
                      (model.h0, case.h0), (model.h, case.h0)):
        assert got.shape == want.shape and np.array_equal(got, want)


@pytest.mark.parametrize("make", [
    lambda a: a,                             # C order
    lambda a: np.asfortranarray(a),          # Fortran order
    lambda a: np.repeat(a, 2, axis=1)[:, ::2],  # non-contiguous view
    lambda a: a.astype(np.float32).astype(np.float64),
], ids=["C", "F", "strided", "from-float32"])
def test_transfer_round_trips_any_memory_layout(make):
    """to_net/from_net copy values, not memory layouts: any ndarray comes back equal."""
    a = make(np.arange(12.0).reshape(3, 4) / 7.0)
    matrix = dotnet.to_net(a)
    assert (matrix.RowCount, matrix.ColumnCount) == (3, 4)
    assert matrix[2, 1] == a[2, 1]
    assert np.array_equal(dotnet.from_net(matrix), a)


def test_transfer_of_empty_matrix():
    """A (0, 4) array crosses as a 0×4 matrix and back."""
    matrix = dotnet.to_net(np.empty((0, 4)))
    assert (matrix.RowCount, matrix.ColumnCount) == (0, 4)
    assert dotnet.from_net(matrix).shape == (0, 4)
