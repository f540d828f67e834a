"""The bridge twins hand out arrays as NumPy's cells do (C-ordered), and every cell and twin has a repr naming
the cell, its sizes, kernel and biases."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import dotnet
from rnnport.dotnet.transfer import from_net, to_net
from rnnport.verify.cell_registry import CELLS


def arrays_of(model, xs) -> dict[str, np.ndarray]:
    """Every array a model hands out: forward's results, parameters, state (and the RNN's step and gradients)."""
    out = {f"forward[{i}]": a for i, a in enumerate(model.forward(xs))}
    out.update({f"parameters()[{name}]": a for name, a in model.parameters().items()})
    out.update({name: getattr(model, name) for name in ("h", "h0", "W_hh", "W_hy")})
    return out


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_twin_arrays_are_c_ordered_like_numpys(cell):
    spec = CELLS[cell]
    arguments, xs = spec.case(3, 5, 4, 7, 2, True)
    numpy_arrays, twin_arrays = arrays_of(spec.numpy_model(arguments, "exact"), xs), arrays_of(spec.dotnet_model(arguments), xs)
    assert {name: a.flags.c_contiguous for name, a in numpy_arrays.items()} == \
        {name: a.flags.c_contiguous for name, a in twin_arrays.items()}
    assert all(a.flags.c_contiguous for a in twin_arrays.values())
    assert all(np.array_equal(numpy_arrays[name], twin_arrays[name]) for name in numpy_arrays)


def test_gradients_and_from_net_are_c_ordered():
    arguments, xs = CELLS["rnn"].case(3, 5, 4, 7, 2, True)
    result = dotnet.bptt(CELLS["rnn"].dotnet_model(arguments), xs, np.arange(7) % 4)
    assert all(g.flags.c_contiguous for g in result.gradients.parameters().values())
    matrix = to_net(np.arange(12.0).reshape(3, 4), "m")
    assert from_net(matrix).flags.c_contiguous and np.array_equal(from_net(matrix), np.arange(12.0).reshape(3, 4))


def test_negative_control_an_f_ordered_result_is_caught():
    ys = np.asfortranarray(np.ones((7, 4)))
    assert not ys.flags.c_contiguous  # what forward used to return


@pytest.mark.parametrize("cell,expected", [
    ("rnn", "RNN(I=3, H=5, O=4, activation='tanh', kernel='exact', biases=())"),
    ("lstm", "LSTM(I=3, H=5, O=4, kernel='exact', biases=('b_ih', 'b_hh', 'b_y'))"),
    ("gru", "GRU(I=3, H=5, O=4, kernel='exact', biases=('b_ih', 'b_hh', 'b_y'))"),
])
def test_reprs_name_cell_sizes_kernel_and_biases(cell, expected):
    spec = CELLS[cell]
    arguments, _ = spec.case(3, 5, 4, 7, 2, True)
    assert repr(spec.numpy_model(arguments, "exact")) == expected
    twin = expected.replace("kernel='exact'", "kernel='Sequential'")
    assert repr(spec.dotnet_model(arguments)) == "DotNet" + twin
    fast = repr(spec.numpy_model(arguments, "fast"))
    assert "kernel='fast'" in fast and fast != expected  # negative control: the kernel shows


def test_rnn_repr_shows_its_biases_and_activation():
    from rnnport.cells.rnn import RNN

    rng = np.random.default_rng(0)
    model = RNN(rng.normal(size=(5, 3)), rng.normal(size=(5, 5)), rng.normal(size=(4, 5)), activation="relu",
                b_h=np.zeros(5), b_y=np.zeros(4))
    assert repr(model) == "RNN(I=3, H=5, O=4, activation='relu', kernel='fast', biases=('b_h', 'b_y'))"
