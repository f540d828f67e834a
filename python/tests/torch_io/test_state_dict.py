"""rnnport.torch.single_cell without torch (the first slice: one layer to a single cell): cell inference, the RNN's bias sum,
the way back, and every refusal naming its key."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.torch import StateDictError, cell_from_state_dict, infer_cell, to_state_dict


def state(gates: int, I: int = 3, H: int = 4, bias: bool = True, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    sd = {"weight_ih_l0": rng.normal(size=(gates * H, I)), "weight_hh_l0": rng.normal(size=(gates * H, H))}
    if bias:
        sd |= {"bias_ih_l0": rng.normal(size=gates * H), "bias_hh_l0": rng.normal(size=gates * H)}
    return sd


@pytest.mark.parametrize("gates,cell,model_class", [(1, "rnn", RNN), (4, "lstm", LSTM), (3, "gru", GRU)])
def test_cell_is_read_off_the_shapes(gates, cell, model_class):
    sd = state(gates)
    assert infer_cell(sd) == (cell, 3, 4)
    model = cell_from_state_dict(sd)
    assert type(model) is model_class and (model.input_size, model.hidden_size, model.output_size) == (3, 4, 4)
    np.testing.assert_array_equal(model.W_hy, np.eye(4))  # no output layer in torch: the identity
    assert model.b_y is None


def test_importing_the_package_does_not_import_torch():
    """rnnport.torch imports torch lazily: the state_dict conversion works without it."""
    import subprocess
    code = "import sys, rnnport.torch as t, numpy as np; t.from_state_dict({'weight_ih_l0': np.ones((2, 1)), " \
           "'weight_hh_l0': np.ones((2, 2))}); print('torch' in sys.modules)"  # a fresh process
    import os
    import rnnport
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(rnnport.__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("gates", [4, 3])
def test_gated_round_trip_is_bit_for_bit(gates):
    sd = state(gates)
    back = to_state_dict(cell_from_state_dict(sd))
    assert list(back) == list(sd)
    for key in sd:
        assert back[key].tobytes() == sd[key].tobytes(), key


def test_rnn_bias_is_the_sum_and_goes_back_into_bias_ih():
    sd = state(1)
    model = cell_from_state_dict(sd, "rnn", nonlinearity="relu")
    assert model.activation == "relu"
    np.testing.assert_array_equal(model.b_h, sd["bias_ih_l0"] + sd["bias_hh_l0"])
    back = to_state_dict(model)
    np.testing.assert_array_equal(back["bias_ih_l0"], model.b_h)
    np.testing.assert_array_equal(back["bias_hh_l0"], np.zeros(4))


def test_without_biases_no_bias_keys_come_back():
    back = to_state_dict(cell_from_state_dict(state(3, bias=False)))
    assert set(back) == {"weight_ih_l0", "weight_hh_l0"}


def test_output_layer_when_given():
    W_hy, b_y = np.arange(8.0).reshape(2, 4), np.array([1.0, -1.0])
    model = cell_from_state_dict(state(4), W_hy=W_hy, b_y=b_y)
    np.testing.assert_array_equal(model.W_hy, W_hy)
    np.testing.assert_array_equal(model.b_y, b_y)


def test_float32_widens_exactly():
    sd = {k: v.astype(np.float32) for k, v in state(3).items()}
    model = cell_from_state_dict(sd)
    np.testing.assert_array_equal(model.W_ih, sd["weight_ih_l0"].astype(np.float64))


def _with(sd: dict, **changes) -> dict:
    out = dict(sd)
    for key, value in changes.items():
        if value is None:
            del out[key]
        else:
            out[key] = value
    return out


_SD = state(4)
REFUSALS = {
    "weight_hr_l0": (_with(_SD, weight_hr_l0=np.zeros((2, 4))), "proj_size"),
    "weight_ih_l1": (_with(_SD, weight_ih_l1=np.zeros((16, 4))), "stacked/bidirectional"),
    "weight_hh_l0_reverse": (_with(_SD, weight_hh_l0_reverse=np.zeros((16, 4))), "stacked/bidirectional"),
    "bias_hh_l1": (_with(_SD, bias_hh_l1=np.zeros(16)), "stacked/bidirectional"),
    "bias_ih": (_with(_SD, bias_ih=np.zeros(16)), "not a key"),
    "weight_hh_l0": (_with(_SD, weight_hh_l0=None), "missing"),
    "weight_ih_l0": (_with(_SD, weight_ih_l0=None), "missing"),
    "bias_hh_l0": (_with(_SD, bias_hh_l0=None), "missing"),
    "bias_ih_l0": (_with(_SD, bias_ih_l0=None), "missing"),
}


@pytest.mark.parametrize("key", list(REFUSALS))
def test_refusals_name_the_key(key):
    sd, words = REFUSALS[key]
    with pytest.raises(StateDictError) as caught:
        cell_from_state_dict(sd)
    message = str(caught.value)
    assert message.startswith(f"{key}:") and words in message and "\n" not in message


@pytest.mark.parametrize("key,value,words", [
    ("weight_hh_l0", np.zeros((8, 4)), "fits no cell"),         # 2H rows: no cell has two blocks
    ("weight_hh_l0", np.zeros(16), "fits no cell"),
    ("weight_ih_l0", np.zeros((12, 3)), "expected (16, I)"),     # a GRU's rows beside an LSTM's W_hh
    ("bias_ih_l0", np.zeros(12), "expected (16,)"),
    ("weight_ih_l0", np.zeros((16, 3), dtype=np.int64), "not a floating type"),
    ("bias_hh_l0", np.full(16, np.nan), "non-finite"),
])
def test_shape_and_dtype_refusals_name_the_key(key, value, words):
    with pytest.raises(StateDictError, match=f"^{key}: .*{__import__('re').escape(words)}"):
        cell_from_state_dict(_with(_SD, **{key: value}))


def test_a_different_cell_is_refused():
    with pytest.raises(StateDictError, match="^weight_hh_l0: .* is a lstm, not a gru"):
        cell_from_state_dict(_SD, "gru")


def test_a_valid_state_passes_the_same_checks():
    """Negative control of the refusals: the unmodified dict converts."""
    assert isinstance(cell_from_state_dict(_SD, "lstm"), LSTM)
