"""rnnport.torch.from_state_dict / to_state_dict without torch: every torch RNN/LSTM/GRU state_dict becomes a
RecurrentStack (layers, directions, biases inferred from the keys and shapes) and comes back bit for bit;
every refusal names its key."""
from __future__ import annotations

import re

import numpy as np
import pytest

from rnnport import RecurrentStack
from rnnport.torch import StateDictError, from_state_dict, infer_cell, infer_stack, to_state_dict

I, H = 3, 4


def state(gates, L=2, bidirectional=True, bias=True, seed=0, dtype=np.float64):
    """A state_dict as torch lays it out, written out here: per layer, per direction, ih, hh (, biases)."""
    rng = np.random.default_rng(seed)
    D = 2 if bidirectional else 1
    sd = {}
    for k in range(L):
        for s in ("", "_reverse")[:D]:
            sd[f"weight_ih_l{k}{s}"] = rng.normal(size=(gates * H, I if k == 0 else D * H)).astype(dtype)
            sd[f"weight_hh_l{k}{s}"] = rng.normal(size=(gates * H, H)).astype(dtype)
            if bias:
                sd[f"bias_ih_l{k}{s}"] = rng.normal(size=gates * H).astype(dtype)
                sd[f"bias_hh_l{k}{s}"] = rng.normal(size=gates * H).astype(dtype)
    return sd


@pytest.mark.parametrize("gates, cell", [(1, "rnn"), (4, "lstm"), (3, "gru")])
@pytest.mark.parametrize("L, bidirectional, bias", [(1, False, True), (2, True, True), (3, True, False), (3, False, False)])
def test_the_stack_is_read_off_the_keys_and_comes_back_bit_for_bit(gates, cell, L, bidirectional, bias):
    sd = state(gates, L, bidirectional, bias)
    found = infer_stack(sd)
    assert (found.cell, found.num_layers, found.bidirectional, found.input_size, found.hidden_size, found.bias) == \
        (cell, L, bidirectional, I, H, bias)
    assert infer_cell(sd) == (cell, I, H)
    model = from_state_dict(sd, nonlinearity="relu" if cell == "rnn" else "tanh")
    assert isinstance(model, RecurrentStack) and model.output_size == (2 if bidirectional else 1) * H
    back = to_state_dict(model)
    assert list(back) == list(sd)
    for key in sd:
        assert back[key].tobytes() == sd[key].tobytes(), key


def test_both_rnn_biases_are_kept():
    sd = state(1, 1, False)
    back = to_state_dict(from_state_dict(sd))
    assert back["bias_hh_l0"].tobytes() == sd["bias_hh_l0"].tobytes()


def test_float32_widens_exactly_and_the_output_layer_is_kept_out():
    sd = state(3, dtype=np.float32)
    model = from_state_dict(sd, W_hy=np.ones((2, 2 * H)), b_y=np.zeros(2))
    assert np.array_equal(model.parameters()["weight_hh_l1_reverse"], sd["weight_hh_l1_reverse"].astype(np.float64))
    assert model.output_size == 2 and set(to_state_dict(model)) == set(sd)


def _with(sd, **changes):
    out = dict(sd)
    for key, value in changes.items():
        if value is None:
            del out[key]
        else:
            out[key] = value
    return out


_SD = state(4)  # 2 layers, bidirectional, biases: an LSTM, H = 4
REFUSALS = [
    ("weight_hr_l0", _with(_SD, weight_hr_l0=np.zeros((2, 4))), "proj_size > 0"),
    ("weight_hr_l1_reverse", _with(_SD, weight_hr_l1_reverse=np.zeros((2, 4))), "proj_size > 0"),
    ("bias_ih", _with(_SD, bias_ih=np.zeros(16)), "not a key of a torch"),
    ("weight_ih_l0_backward", _with(_SD, weight_ih_l0_backward=np.zeros(16)), "not a key of a torch"),
    ("weight_hh_l1_reverse", _with(_SD, weight_hh_l1_reverse=None), "missing"),
    ("bias_hh_l0", _with(_SD, bias_hh_l0=None), "missing (torch has all biases or none)"),
    ("weight_ih_l3", _with(_SD, weight_ih_l3=np.zeros((16, 8))), "layer 3 follows a gap (no key of layer 2)"),
    ("weight_ih_l2", _with(_SD, weight_ih_l2=np.zeros((16, 8))), "missing"),  # layer 2 incomplete: its weight_hh is named
    ("weight_hh_l0", _with(_SD, weight_hh_l0=np.zeros((8, 4))), "fits no cell"),
    ("weight_ih_l1", _with(_SD, weight_ih_l1=np.zeros((16, 5))), "shape (16, 5), expected (16, 8) for a lstm with H = 4"),
    ("weight_ih_l0", _with(_SD, weight_ih_l0=np.zeros((12, 3))), "shape (12, 3), expected (16, 3)"),
    ("bias_ih_l1_reverse", _with(_SD, bias_ih_l1_reverse=np.zeros(12)), "expected (16,)"),
    ("weight_ih_l0", _with(_SD, weight_ih_l0=np.zeros((16, 3), dtype=np.int64)), "not a floating type"),
    ("bias_hh_l1", _with(_SD, bias_hh_l1=np.full(16, np.nan)), "non-finite"),
]


@pytest.mark.parametrize("key, sd, words", REFUSALS, ids=[f"{k}-{w[:12]}" for k, _, w in REFUSALS])
def test_refusals_name_the_key(key, sd, words):
    with pytest.raises(StateDictError) as caught:
        from_state_dict(sd)
    message = str(caught.value)
    if key == "weight_ih_l2":  # layer 2 with weight_ih only: its other keys are missing
        key = "weight_hh_l2"
    assert message.startswith(f"{key}:") and words in message and "\n" not in message, message


def test_a_different_cell_is_refused():
    with pytest.raises(StateDictError, match=re.escape("weight_hh_l0: shape (16, 4) is a lstm, not a gru")):
        from_state_dict(_SD, "gru")


def test_negative_control_the_unmodified_dict_converts():
    assert from_state_dict(_SD, "lstm").num_layers == 2


def test_to_state_dict_refuses_other_objects():
    with pytest.raises(TypeError, match="expected a RecurrentStack"):
        to_state_dict(object())  # type: ignore[arg-type]
