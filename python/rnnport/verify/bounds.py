"""Rigorous per-element bounds on how far two correct implementations of one RNN step can differ.

Both sides compute the same real numbers but round differently: NumPy's BLAS sums a dot product in
its own blocked/SIMD order, MathNet's managed provider sums k = 0, 1, … in turn, and NumPy's SIMD
``np.tanh`` is not the C library's ``tanh`` that .NET's ``Math.Tanh`` calls. The classic bound for a
dot product of length n summed in *any* order (with or without FMA) is

    |fl(Σ p_k) − Σ p_k| ≤ γ_n Σ |p_k|,     γ_n = n·u / (1 − n·u),  u = 2⁻⁵³   (Higham, Thm 3.1)

so for one side's pre-activation a = W_hh·h + W_xh·x (two dot products and one addition),
|â − a| ≤ γ_{n+1} (|W_hh|·|h| + |W_xh|·|x|) with n = max(H, I). Two sides differ by at most twice
that. tanh and relu are 1-Lipschitz, so the difference passes through f without growing, and each
side's f adds its own rounding: ``TANH_ULPS`` covers both (NumPy's SVML tanh is within 4 ULP,
glibc's within 2 ULP; the two were measured at most 3 ULP apart on 10⁶ normal samples here).
In free-running comparisons the states already differ by Δh_{t-1} (measured), which W_hh carries
into step t: |Δa_t| ≤ |W_hh|·|Δh_{t-1}| + 2γ S_t. The output y = W_hy·h gets its own dot-product
term plus |W_hy|·|Δh_t|.

Subnormal results break the relative model, so each operation may also add η/2 = 2⁻¹⁰⁷⁵ in
absolute terms; the bounds carry that term too. Every bound here is for values, in absolute terms; dividing by ``ulp(value)`` states it in ULPs.
The bound itself is computed in float64, so it is widened by ``SAFETY`` (a relative 1e-6) to cover
its own rounding.
"""
from __future__ import annotations

import numpy as np

U = 2.0 ** -53
ETA = 2.0 ** -1074  # the smallest subnormal: an underflowing product or sum adds at most ETA/2 absolute
TANH_ULPS = 6.0  # NumPy's np.tanh (≤ 4 ULP) plus glibc's tanh (≤ 2 ULP)
SAFETY = 1.0 + 1e-6
# C#'s opt-in fast kernel (``DotNetRNN(kernel="fast")``, ``Kernel.Simd``) applies TensorPrimitives' vectorised
# tanh, which is accurate in absolute rather than relative terms: within 3·u of glibc's tanh for every
# argument scale (measured, dotnet/tests/RnnPort.Tests/Numerics/VectorTanhTests.cs, which asserts 4·u),
# though thousands of ULPs for tiny results. Its bound adds this absolute term to the ULP term.
VECTOR_TANH_ABSOLUTE = 4.0 * U


def gamma(n: int) -> float:
    """γ_n = n·u / (1 − n·u): the relative error bound of an n-term sum of products."""
    return n * U / (1.0 - n * U)


def state_bound(W_xh: np.ndarray, W_hh: np.ndarray, x: np.ndarray, h_prev_a: np.ndarray,
                h_prev_b: np.ndarray, h_a: np.ndarray, h_b: np.ndarray, activation: str,
                tanh_absolute: float = 0.0) -> np.ndarray:
    """Bound on |h_a − h_b| for one step, each side having started from its own previous state.

    Parameters
    ----------
    W_xh : (H, I)
    W_hh : (H, H)
    x : (I,) or (T, I)
    h_prev_a, h_prev_b : (H,) or (T, H)
        The states the two sides started from (equal in a teacher-forced comparison).
    h_a, h_b : (H,) or (T, H)
        The states the two sides computed.
    activation : {"tanh", "relu"}
    tanh_absolute : float
        An absolute term added to the tanh rounding: ``VECTOR_TANH_ABSOLUTE`` when one side is C#'s fast
        kernel (vectorised tanh), 0 otherwise.

    Returns
    -------
    (H,) or (T, H) array of absolute bounds.
    """
    H, I = W_xh.shape
    g = gamma(max(H, I) + 1)
    A_hh = np.abs(W_hh)
    # `v @ A.T` rather than `A @ v`, so that (T, H) rows bound every step of a sequence at once.
    S = np.maximum(np.abs(h_prev_a), np.abs(h_prev_b)) @ A_hh.T + np.abs(x) @ np.abs(W_xh).T
    carried = np.abs(h_prev_a - h_prev_b) @ A_hh.T
    rounding = (TANH_ULPS * np.spacing(np.maximum(np.abs(h_a), np.abs(h_b))) + tanh_absolute
                if activation == "tanh" else 0.0)
    underflow = 2.0 * (max(H, I) + 2) * ETA  # γ_n holds for normal numbers; subnormals add η/2 per operation
    return SAFETY * (2.0 * g * S + carried + rounding + underflow)


def output_bound(W_hy: np.ndarray, h_a: np.ndarray, h_b: np.ndarray) -> np.ndarray:
    """Bound on |y_a − y_b| where y = W_hy·h, given the two sides' states h_a and h_b.

    Parameters
    ----------
    W_hy : (O, H)
    h_a, h_b : (H,) or (T, H)

    Returns
    -------
    (O,) or (T, O) array of absolute bounds.
    """
    A_T = np.abs(W_hy).T
    g = gamma(W_hy.shape[1])
    underflow = 2.0 * (W_hy.shape[1] + 1) * ETA
    return SAFETY * (2.0 * g * (np.maximum(np.abs(h_a), np.abs(h_b)) @ A_T) + np.abs(h_a - h_b) @ A_T + underflow)
