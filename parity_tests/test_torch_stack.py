"""RecurrentStack against torch float64 (one thread): cell × num_layers × bidirectional × bias × batch_first.

Each case builds a torch module with its own seeded initialisation, converts it with ``rnnport.torch.from_torch``
and runs a batch of B = 2 sequences through torch in its layout (``batch_first`` or not), each from its own h0
(and c0). Our NumPy stack (fast and exact kernels) runs each sequence alone and must give torch's outputs,
h_n (and c_n) within ``TOL`` of the larger of 1 and the value; our BPTT (summed softmax cross-entropy, through
``W_hy``/``b_y`` when the case has them) must give torch autograd's gradients of every parameter and of h0
(c0) within ``GRAD_TOL``, relatively. Negative controls that the same comparison must catch: the LSTM's i
and f blocks exchanged, ``_reverse`` weights swapped with the forward ones, ``bias_hh`` dropped.
A missing torch fails here, never skips.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from rnnport import RecurrentStack
from rnnport.cells.stack_bptt import bptt
from rnnport.torch import from_torch, to_state_dict

torch.set_num_threads(1)

#: The stated tolerances. Sizes here (I ≤ 5, H ≤ 6, T ≤ 7, L ≤ 3, weights within ±1/√H) keep every sum short;
#: the largest differences measured over the matrix are 4.5e-16 (forward, relative to max(1, |v|)) and 1.5e-15
#: (gradients, relative to max(1, max |g|)), margins of ~2000 and ~10000, while the negative controls miss by
#: 2e10 or more (measured with this file's forward_ratio/gradient_ratio over CASES and the controls).
TOL = 2.0**-40            # ≈ 9.1e-13, per element, times max(1, |value|)
GRAD_TOL = 2.0**-36       # ≈ 1.5e-11, per parameter, times max(1, max |gradient|)
B, T = 2, 6
MODULES = {"rnn-tanh": ("rnn", "tanh"), "rnn-relu": ("rnn", "relu"), "lstm": ("lstm", "tanh"), "gru": ("gru", "tanh")}


def make_module(name: str, I: int, H: int, L: int, bidirectional: bool, bias: bool, batch_first: bool, seed: int):
    cell, nonlinearity = MODULES[name]
    torch.manual_seed(seed)
    kwargs = dict(num_layers=L, bidirectional=bidirectional, bias=bias, batch_first=batch_first, dtype=torch.float64)
    if cell == "rnn":
        return torch.nn.RNN(I, H, nonlinearity=nonlinearity, **kwargs)
    return {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](I, H, **kwargs)


def inputs(m, O: int | None, seed: int):
    """xs (B, T, I), h0 and c0 (L·D, B, H), targets (B, T), and W_hy, b_y (or None)."""
    rng = np.random.default_rng(seed)
    D = 2 if m.bidirectional else 1
    xs = rng.normal(size=(B, T, m.input_size))
    h0 = rng.uniform(-0.8, 0.8, (m.num_layers * D, B, m.hidden_size))
    c0 = rng.uniform(-0.8, 0.8, h0.shape)
    W_hy = rng.normal(size=(O, D * m.hidden_size)) / 2 if O else None
    b_y = rng.normal(size=O) * 0.3 if O else None
    targets = rng.integers(0, O or D * m.hidden_size, (B, T))
    return xs, h0, c0, W_hy, b_y, targets


def torch_run(m, xs, h0, c0, W_hy, b_y, targets):
    """torch's outputs (B, T, D·H), h_n and c_n (L·D, B, H), and autograd's gradients by name (with h0, c0)."""
    lstm = isinstance(m, torch.nn.LSTM)
    x = torch.from_numpy(xs if m.batch_first else xs.transpose(1, 0, 2).copy())
    th0, tc0 = torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    extra = {n: torch.tensor(v, requires_grad=True) for n, v in (("W_hy", W_hy), ("b_y", b_y)) if v is not None}
    m.zero_grad()
    out, state = m(x, (th0, tc0) if lstm else th0)
    out_bt = out if m.batch_first else out.transpose(0, 1)  # (B, T, D·H)
    ys = out_bt @ extra["W_hy"].T if "W_hy" in extra else out_bt
    if "b_y" in extra:
        ys = ys + extra["b_y"]
    loss = torch.nn.functional.cross_entropy(ys.reshape(B * T, -1), torch.from_numpy(targets.reshape(-1)), reduction="sum")
    loss.backward()
    grads = {n: p.grad.numpy().copy() for n, p in m.named_parameters()}
    grads.update({n: t.grad.numpy().copy() for n, t in extra.items()}, h0=th0.grad.numpy().copy())
    if lstm:
        grads["c0"] = tc0.grad.numpy().copy()
    h_n, c_n = (state if lstm else (state, None))
    return (out_bt.detach().numpy(), h_n.detach().numpy(), None if c_n is None else c_n.detach().numpy(),
            float(loss), grads)


def worst(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max |Δ| / (TOL · max(1, |torch|)): ≤ 1 passes."""
    return float((np.abs(ours - theirs) / (TOL * np.maximum(1.0, np.abs(theirs)))).max(initial=0.0))


def forward_ratio(stack: RecurrentStack, xs, h0, c0, reference) -> float:
    """Our forward of each sequence against torch's batch: the worst ratio over outputs, h_n, c_n."""
    out, h_n, c_n = reference[:3]
    ratios = []
    for b in range(B):
        stack.h = h0[:, b]
        if c_n is not None:
            stack.c = c0[:, b]
        layers = stack.layer_outputs(xs[b])
        _, our_h, our_c = stack.forward(xs[b])
        ratios += [worst(layers[-1], out[b]), worst(our_h, h_n[:, b])]
        if c_n is not None:
            ratios.append(worst(our_c, c_n[:, b]))
    return max(ratios)


def gradient_ratio(stack: RecurrentStack, xs, h0, c0, targets, reference) -> float:
    """Our BPTT, summed over the sequences, against autograd: the worst max|Δ| / (GRAD_TOL · max(1, max|g|))."""
    loss, grads = reference[3:]
    results = [bptt(stack, xs[b], targets[b], h0[:, b], c0[:, b] if stack.cell == "lstm" else None) for b in range(B)]
    ratios = [abs(sum(r.loss for r in results) - loss) / (GRAD_TOL * max(1.0, abs(loss)))]
    for name, theirs in grads.items():
        if name in ("h0", "c0"):
            ours = np.stack([getattr(r.gradients, name) for r in results], axis=1)
        else:
            ours = sum(r.gradients[name] for r in results)
        ratios.append(float(np.abs(ours - theirs).max() / (GRAD_TOL * max(1.0, np.abs(theirs).max()))))
    assert set(grads) - {"h0", "c0"} == set(stack.parameters())
    return max(ratios)


CASES = list(itertools.product(MODULES, (1, 2, 3), (False, True), (False, True), (False, True)))


@pytest.mark.parametrize("name, L, bidirectional, bias, batch_first", CASES,
                         ids=[f"{n}-L{L}-{'bi' if d else 'uni'}-{'bias' if b else 'nobias'}-{'bf' if f else 'tf'}"
                              for n, L, d, b, f in CASES])
def test_stack_matches_torch(name, L, bidirectional, bias, batch_first):
    seed = CASES.index((name, L, bidirectional, bias, batch_first))
    I, H = 3 + seed % 3, 4 + seed % 3
    m = make_module(name, I, H, L, bidirectional, bias, batch_first, seed)
    xs, h0, c0, W_hy, b_y, targets = inputs(m, 3 if bias else None, seed)  # an output layer in the biased half
    reference = torch_run(m, xs, h0, c0, W_hy, b_y, targets)
    for kernel in ("fast", "exact"):
        stack = from_torch(m, W_hy=W_hy, b_y=b_y, kernel=kernel)
        assert forward_ratio(stack, xs, h0, c0, reference) <= 1.0, kernel
    assert gradient_ratio(stack, xs, h0, c0, targets, reference) <= 1.0


def _control(name, L, bidirectional, change):
    """The forward and gradient ratios of a stack whose weights were changed by ``change``, against torch."""
    m = make_module(name, 4, 5, L, bidirectional, True, False, seed=99)
    xs, h0, c0, W_hy, b_y, targets = inputs(m, 3, seed=99)
    reference = torch_run(m, xs, h0, c0, W_hy, b_y, targets)
    state = to_state_dict(from_torch(m))
    change(state, m.hidden_size)
    stack = RecurrentStack(MODULES[name][0], state, num_layers=L, bidirectional=bidirectional,
                           nonlinearity=MODULES[name][1], W_hy=W_hy, b_y=b_y)
    return forward_ratio(stack, xs, h0, c0, reference), gradient_ratio(stack, xs, h0, c0, targets, reference)


def _swap_i_f(state, H):
    for key, value in state.items():
        value[[*range(H, 2 * H), *range(H)]] = value[:2 * H].copy()


def _swap_reverse(state, H):
    for key in [k for k in state if k.endswith("_reverse")]:
        state[key], state[key[:-len("_reverse")]] = state[key[:-len("_reverse")]], state[key]


def _drop_bias_hh(state, H):
    for key in [k for k in state if k.startswith("bias_hh")]:
        state[key] = np.zeros_like(state[key])


@pytest.mark.parametrize("name, L, bidirectional, change", [
    ("lstm", 2, True, _swap_i_f),
    ("gru", 2, True, _swap_reverse),
    ("lstm", 1, True, _swap_reverse),
    ("rnn-tanh", 3, False, _drop_bias_hh),
    ("gru", 2, True, _drop_bias_hh),
], ids=["lstm-gates-i-f", "gru-reverse-swapped", "lstm-reverse-swapped", "rnn-bias_hh-dropped", "gru-bias_hh-dropped"])
def test_negative_controls_fail_the_same_comparison(name, L, bidirectional, change):
    forward, gradients = _control(name, L, bidirectional, change)
    assert forward > 1e3 and gradients > 1e3, (forward, gradients)


def test_negative_control_the_unchanged_stack_passes_the_same_comparison():
    forward, gradients = _control("lstm", 2, True, lambda state, H: None)
    assert forward <= 1.0 and gradients <= 1.0


def test_dropout_is_accepted_and_the_module_in_eval_mode_is_what_the_stack_computes():
    """torch's inter-layer dropout is a training-time device: from_torch takes the module, eval mode matches."""
    torch.manual_seed(0)
    m = torch.nn.GRU(3, 4, num_layers=2, dropout=0.5, dtype=torch.float64).eval()
    xs = np.random.default_rng(0).normal(size=(T, 3))
    with torch.no_grad():
        out, _ = m(torch.from_numpy(xs))
    assert worst(from_torch(m).forward(xs)[0], out.numpy()) <= 1.0


def test_proj_size_is_refused_naming_the_key():
    from rnnport.torch import StateDictError

    with pytest.raises(StateDictError, match="^weight_hr_l0: proj_size > 0"):
        from_torch(torch.nn.LSTM(3, 4, proj_size=2, dtype=torch.float64))
