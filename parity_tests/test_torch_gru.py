"""The NumPy GRU against torch.nn.GRU (float64), the outside reference for the equations and gate order.

torch is imported at the top: a machine without it fails here, never skips. torch's weight_ih_l0,
weight_hh_l0, bias_ih_l0 and bias_hh_l0 get the NumPy weights as they are; the output layer, which
nn.GRU does not have, is computed on torch's states with NumPy.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from rnnport.cells.gru import GRU
from rnnport.verify.gru_bounds import gru_output_bound, gru_state_bound


def weights(I, H, O, seed, biases=True):
    rng = np.random.default_rng(seed)
    w = {"W_ih": rng.normal(size=(3 * H, I)) / math.sqrt(I), "W_hh": rng.normal(size=(3 * H, H)) / math.sqrt(H),
         "W_hy": rng.normal(size=(O, H)) / math.sqrt(H), "h0": rng.uniform(-0.9, 0.9, H),
         "b_y": rng.normal(size=O) if biases else None}
    if biases:
        w |= {"b_ih": rng.normal(size=3 * H) * 0.3, "b_hh": rng.normal(size=3 * H) * 0.3}
    return w, rng.normal(size=(40, I))


def torch_gru(w):
    """torch.nn.GRU (float64, one layer) holding the NumPy weights W_ih, W_hh and, when given, b_ih, b_hh."""
    H, I = w["W_hh"].shape[1], w["W_ih"].shape[1]
    gru = torch.nn.GRU(I, H, bias="b_ih" in w, dtype=torch.float64)
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(w["W_ih"]))
        gru.weight_hh_l0.copy_(torch.from_numpy(w["W_hh"]))
        if "b_ih" in w:
            gru.bias_ih_l0.copy_(torch.from_numpy(w["b_ih"]))
            gru.bias_hh_l0.copy_(torch.from_numpy(w["b_hh"]))
    return gru


def torch_forward(w, xs):
    """States (T, H) from torch.nn.GRU and outputs (T, O) = W_hy h (+ b_y) on them."""
    gru = torch_gru(w)
    with torch.no_grad():
        out, _ = gru(torch.from_numpy(xs)[:, None, :], torch.from_numpy(w["h0"])[None, None, :])
    hs = out[:, 0, :].numpy().copy()
    ys = hs @ w["W_hy"].T
    return (ys if w["b_y"] is None else ys + w["b_y"]), hs


def numpy_forward(w, xs, kernel):
    model = GRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w.get("b_ih"), b_hh=w.get("b_hh"), b_y=w["b_y"],
                kernel=kernel)
    return model.forward(xs)


def within(w, xs, ours, theirs):
    """Whether both the states and the outputs lie within the derived bound (free-running)."""
    (ys_a, hs_a), (ys_b, hs_b) = ours, theirs
    prev_a, prev_b = np.vstack([w["h0"], hs_a[:-1]]), np.vstack([w["h0"], hs_b[:-1]])
    state = gru_state_bound(w["W_ih"], w["W_hh"], w.get("b_ih"), w.get("b_hh"), xs, prev_a, prev_b)
    output = gru_output_bound(w["W_hy"], w["b_y"], hs_a, hs_b)
    return bool(np.all(np.abs(hs_a - hs_b) <= state) and np.all(np.abs(ys_a - ys_b) <= output))


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("I, H, O, biases", [(3, 4, 2, True), (1, 1, 1, True), (7, 16, 5, False), (16, 3, 9, True)])
def test_numpy_gru_matches_torch(kernel, I, H, O, biases):
    w, xs = weights(I, H, O, seed=I * 100 + H, biases=biases)
    ours, theirs = numpy_forward(w, xs, kernel), torch_forward(w, xs)
    assert within(w, xs, ours, theirs), np.abs(ours[1] - theirs[1]).max()


@pytest.mark.parametrize("mutation", ["gates z, r, n", "bias_hh dropped", "reset gate on h"])
def test_torch_check_catches_wrong_equations(mutation):
    """Negative controls: each wrong GRU differs from torch by more than the bound."""
    I, H, O = 3, 5, 2
    w, xs = weights(I, H, O, seed=7)
    if mutation == "gates z, r, n":
        swap = np.r_[H:2 * H, 0:H, 2 * H:3 * H]
        wrong = dict(w, W_ih=w["W_ih"][swap], W_hh=w["W_hh"][swap], b_ih=w["b_ih"][swap], b_hh=w["b_hh"][swap])
        ours = numpy_forward(wrong, xs, "fast")
    elif mutation == "bias_hh dropped":
        ours = numpy_forward({k: v for k, v in w.items() if k != "b_hh"}, xs, "fast")
    else:
        original = GRU.cell

        def reset_on_h(self, gi, h, whh_h):  # n = tanh(gi_n + W_hn (r ⊙ h) + b_hn)
            gh = whh_h + self.b_hh
            sig = lambda a: 1.0 / (1.0 + np.exp(-a))  # noqa: E731
            r, z = sig(gi[:H] + gh[:H]), sig(gi[H:2 * H] + gh[H:2 * H])
            n = np.tanh(gi[2 * H:] + self.W_hh[2 * H:] @ (r * h) + self.b_hh[2 * H:])
            return (1.0 - z) * n + z * h

        GRU.cell = reset_on_h
        try:
            ours = numpy_forward(w, xs, "fast")
        finally:
            GRU.cell = original
    assert not within(w, xs, ours, torch_forward(w, xs))


def torch_gradients(w, xs, targets):
    """Loss and gradients of every parameter and of h0 through torch's autograd (float64)."""
    gru = torch_gru(w)
    W_hy = torch.tensor(w["W_hy"], requires_grad=True)
    b_y = None if w["b_y"] is None else torch.tensor(w["b_y"], requires_grad=True)
    h0 = torch.tensor(w["h0"], requires_grad=True)
    out, _ = gru(torch.from_numpy(xs)[:, None, :], h0[None, None, :])
    ys = out[:, 0, :] @ W_hy.T
    ys = ys if b_y is None else ys + b_y
    loss = torch.nn.functional.cross_entropy(ys, torch.from_numpy(targets), reduction="sum")
    loss.backward()
    grads = {"W_ih": gru.weight_ih_l0.grad, "W_hh": gru.weight_hh_l0.grad, "W_hy": W_hy.grad, "h0": h0.grad}
    if "b_ih" in w:
        grads |= {"b_ih": gru.bias_ih_l0.grad, "b_hh": gru.bias_hh_l0.grad, "b_y": b_y.grad}
    return float(loss), {k: v.numpy() for k, v in grads.items()}


# Both sides compute the same float64 quantities in other orders: T = 20 steps of sums over ≤ 3H terms,
# products and exp/tanh within a few ULP; a relative 1e-9 of each gradient's largest element leaves six
# orders of magnitude over what was measured (≤ 1e-15 relative) and stays far below what a wrong term gives.
GRADIENT_TOLERANCE = 1e-9


def gradients_agree(ours, theirs):
    return all(np.max(np.abs(ours[k] - theirs[k])) <= GRADIENT_TOLERANCE * np.max(np.abs(theirs[k])) for k in theirs)


@pytest.mark.parametrize("kernel", ["fast", "exact"])
@pytest.mark.parametrize("biases", [True, False])
def test_bptt_gradients_match_torch_autograd(kernel, biases):
    from rnnport.cells.gru_bptt import gru_bptt

    I, H, O = 4, 6, 5
    w, xs = weights(I, H, O, seed=21, biases=biases)
    xs = xs[:20]
    targets = np.random.default_rng(4).integers(0, O, 20)
    model = GRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w.get("b_ih"), b_hh=w.get("b_hh"), b_y=w["b_y"],
                kernel=kernel)
    result = gru_bptt(model, xs, targets)
    loss, theirs = torch_gradients(w, xs, targets)
    ours = dict(result.gradients.parameters(), h0=result.gradients.h0)
    assert result.loss == pytest.approx(loss, rel=1e-13)
    assert set(ours) == set(theirs) and gradients_agree(ours, theirs)


def test_autograd_check_catches_a_dropped_term():
    """Negative control: BPTT without the direct path dh ⊙ z into h_{t−1} disagrees with torch."""
    import rnnport.cells.gru_bptt as module

    source = open(module.__file__, encoding="utf-8").read()
    assert "+ dh * z" in source
    namespace: dict = {}
    exec(compile(source.replace("+ dh * z", ""), module.__file__, "exec"), namespace)
    w, xs = weights(4, 6, 5, seed=21)
    targets = np.random.default_rng(4).integers(0, 5, 20)
    model = GRU(w["W_ih"], w["W_hh"], w["W_hy"], w["h0"], b_ih=w["b_ih"], b_hh=w["b_hh"], b_y=w["b_y"])
    result = namespace["gru_bptt"](model, xs[:20], targets)
    _, theirs = torch_gradients(w, xs[:20], targets)
    assert not gradients_agree(dict(result.gradients.parameters(), h0=result.gradients.h0), theirs)
