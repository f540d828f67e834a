"""Distances between float64 values in units in the last place (ULPs).

``ulp_distance(a, b)`` counts the representable doubles between a and b: 0 for identical values
(and for +0.0 against -0.0), 1 for neighbours. It maps each value's 64-bit pattern onto a line that
is ordered like the reals (negative patterns are reflected), then subtracts in uint64 so that even
opposite signs cannot overflow. NaN is at distance 2**64 - 1 from everything, itself included,
unless both bit patterns are identical.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

_NAN_DISTANCE = np.uint64(np.iinfo(np.uint64).max)


def _ordered(x: np.ndarray) -> np.ndarray:
    bits = x.view(np.int64)
    # Negative doubles have the sign bit set, so their int64 patterns run backwards; reflecting them
    # through INT64_MIN puts -0.0 on +0.0 and keeps every other double in real-number order.
    return np.where(bits < 0, np.int64(np.iinfo(np.int64).min) - bits, bits)


def ulp_distance(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Element-wise distance between float64 arrays a and b in ULPs, as uint64 (shapes broadcast)."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    a, b = np.broadcast_arrays(a, b)
    oa, ob = _ordered(np.ascontiguousarray(a)).view(np.uint64), _ordered(np.ascontiguousarray(b)).view(np.uint64)
    distance = np.where(oa.view(np.int64) >= ob.view(np.int64), oa - ob, ob - oa)  # wraps mod 2**64: exact
    same_bits = np.ascontiguousarray(a).view(np.int64) == np.ascontiguousarray(b).view(np.int64)
    nan = (np.isnan(a) | np.isnan(b)) & ~same_bits
    return np.where(nan, _NAN_DISTANCE, distance)


def ulp(x: ArrayLike) -> np.ndarray:
    """The size of one ULP at |x|: the gap from |x| to the next larger double."""
    return np.spacing(np.abs(np.asarray(x, dtype=np.float64)))


def bit_identical(a: ArrayLike, b: ArrayLike) -> bool:
    """True when a and b have the same shape and the same 64-bit pattern in every element."""
    a = np.ascontiguousarray(a, dtype=np.float64)
    b = np.ascontiguousarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.array_equal(a.view(np.int64), b.view(np.int64)))
