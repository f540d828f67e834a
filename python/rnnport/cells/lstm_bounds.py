"""Rigorous per-element bounds on how far two correct LSTM implementations can differ in one step.

The same argument as ``rnnport.bounds`` (RNN), carried through the gates (docs/exact-mode.md, "LSTM"):

1. Pre-activation. Row k of ``a = (W_ih x + b_ih) + (W_hh h + b_hh)`` is a sum of n = I + H + 2
   products (a bias is the product b·1), so any summation order, fused or not, is within
   γ_n·S_k of the exact value, S = |W_ih||x| + |b_ih| + |W_hh||h| + |b_hh| (Higham, Thm 3.1). Two
   sides: 2γ_n·S, plus |W_hh|·|Δh_{t−1}| when their previous states already differ (free-running).
2. Gates. σ is ¼-Lipschitz and tanh 1-Lipschitz, so Δi ≤ ¼Δa_i + σ's rounding, Δg ≤ Δa_g + tanh's.
   σ = 1/(1 + exp(−z)) with exp within 4 ULP (NumPy's SIMD exp; glibc's is within 1) is within
   (8u + 2u) relative per side (exp's relative error passes through 1 + E at most unchanged, then one
   rounding for the addition and one for the division): ``SIGMOID_REL`` = 16u for both sides together,
   absolute since σ ≤ 1. tanh: ``TANH_ULPS`` (6) ULP of 1 for g, whose size is not passed in.
3. Cell. c' = (f·c) + (i·g) with |f|, |i|, |g| ≤ 1 and C = max|c_{t−1}| of the two sides:
   Δc' ≤ Δc + C·Δf + Δi + Δg + 2γ_2·(C + 1)  (f_a c_a − f_b c_b = f_a Δc + c_b Δf, likewise i·g;
   each side rounds two products and one sum).
4. State. h' = o·tanh(c'): Δh' ≤ Δc' + 6 ULP of min(1, max|c'|) (tanh is 1-Lipschitz, tanh(x) ≤ x)
   + Δo + 2u (one rounded product per side, |h'| ≤ 1).
5. Output. y = W_hy h' + b_y: 2γ_{H+1}·(|W_hy||h'| + |b_y|) + |W_hy|·|Δh'|.

Each stage adds 2(n + 2)·η/2 for subnormal results, and the total is widened by ``SAFETY``.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from rnnport.verify.bounds import ETA, SAFETY, TANH_ULPS, U, gamma

SIGMOID_REL = 16.0 * U  # both sides' σ rounding together, absolute (σ ≤ 1)


def _abs_bias(params: Mapping[str, np.ndarray | None], name: str, size: int) -> np.ndarray:
    b = params.get(name)
    return np.zeros(size) if b is None else np.abs(b)


def step_bounds(params: Mapping[str, np.ndarray | None], x: np.ndarray,
                h_prev: tuple[np.ndarray, np.ndarray], c_prev: tuple[np.ndarray, np.ndarray],
                h: tuple[np.ndarray, np.ndarray], c: tuple[np.ndarray, np.ndarray],
                dx: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Bounds on |h_a − h_b|, |c_a − c_b| and |y_a − y_b| for one step or T steps at once.

    Parameters
    ----------
    params : mapping with W_ih (4H, I), W_hh (4H, H) and optional W_hy (O, H), b_ih, b_hh (4H,), b_y (O,)
    x : (I,) or (T, I)
        Side a's input.
    h_prev, c_prev : pairs of (H,) or (T, H)
        The states each side started from (equal when teacher-forced).
    h, c : pairs of (H,) or (T, H)
        The states each side computed.
    dx : (I,) or (T, I), optional
        |x_a − x_b| when the two sides' inputs differ (a stack's upper layers); zero when omitted.

    Returns
    -------
    (bound_h, bound_c, bound_y): (…, H), (…, H), (…, O) absolute bounds; bound_y is None without W_hy.
    """
    W_ih, W_hh, W_hy = params["W_ih"], params["W_hh"], params.get("W_hy")
    H4, I = W_ih.shape
    H = H4 // 4
    A_hh, A_ih = np.abs(W_hh), np.abs(W_ih)
    n = I + H + 2
    dx = np.zeros_like(x) if dx is None else dx
    S = ((np.abs(x) + dx) @ A_ih.T + _abs_bias(params, "b_ih", H4)
         + np.maximum(np.abs(h_prev[0]), np.abs(h_prev[1])) @ A_hh.T + _abs_bias(params, "b_hh", H4))
    d_a = (2.0 * gamma(n) * S + np.abs(h_prev[0] - h_prev[1]) @ A_hh.T + dx @ A_ih.T
           + 2.0 * (n + 2) * ETA)
    d_i, d_f = 0.25 * d_a[..., :H] + SIGMOID_REL, 0.25 * d_a[..., H:2 * H] + SIGMOID_REL
    d_g = d_a[..., 2 * H:3 * H] + TANH_ULPS * np.spacing(1.0)
    d_o = 0.25 * d_a[..., 3 * H:] + SIGMOID_REL
    C = np.maximum(np.abs(c_prev[0]), np.abs(c_prev[1]))
    d_c = (np.abs(c_prev[0] - c_prev[1]) + C * d_f + d_i + d_g + 2.0 * gamma(2) * (C + 1.0) + 8.0 * ETA)
    tanh_size = np.minimum(1.0, np.maximum(np.abs(c[0]), np.abs(c[1])))
    d_h = d_c + TANH_ULPS * np.spacing(tanh_size) + d_o + 2.0 * U + 8.0 * ETA
    if W_hy is None:
        return SAFETY * d_h, SAFETY * d_c, None
    O, A_hy = W_hy.shape[0], np.abs(W_hy)
    y_size = np.maximum(np.abs(h[0]), np.abs(h[1])) @ A_hy.T + _abs_bias(params, "b_y", O)
    d_y = 2.0 * gamma(H + 1) * y_size + np.abs(h[0] - h[1]) @ A_hy.T + 2.0 * (H + 3) * ETA
    return SAFETY * d_h, SAFETY * d_c, SAFETY * d_y


def sequence_bounds(params: Mapping[str, np.ndarray | None], xs: np.ndarray,
                    h0: np.ndarray, c0: np.ndarray,
                    a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                    teacher_forced_from: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-step bounds over a sequence, (T, H), (T, H), (T, O).

    ``a`` and ``b`` are each side's (hs, cs), (T, H) each. Free-running (default): step t starts from
    each side's own state t − 1 (h0, c0 at t = 0). Teacher-forced: both started from
    ``teacher_forced_from`` = (hs, cs) of side a, shifted by one step.
    """
    def shifted(states: np.ndarray, first: np.ndarray) -> np.ndarray:
        return np.vstack([first[None, :], states[:-1]]) if len(states) else states

    if teacher_forced_from is None:
        h_prev = (shifted(a[0], h0), shifted(b[0], h0))
        c_prev = (shifted(a[1], c0), shifted(b[1], c0))
    else:
        hp, cp = shifted(teacher_forced_from[0], h0), shifted(teacher_forced_from[1], c0)
        h_prev, c_prev = (hp, hp), (cp, cp)
    return step_bounds(params, xs, h_prev, c_prev, (a[0], b[0]), (a[1], b[1]))
