"""Arrays across the boundary: NumPy layout in, MathNet matrices out, and back, one block copy each.

A MathNet dense matrix is column-major, so an (r, c) matrix is block-copied from an F-contiguous
(r, c) NumPy array by ``ArrayTransfer.ToMatrix`` and back by ``ArrayTransfer.CopyTo``: one
``Marshal.Copy`` per array, never pythonnet's element-by-element conversion. Results come back
C-ordered, as NumPy's own are: a weight read as its transpose needs no reordering, any other matrix one
NumPy copy (:func:`from_net`). What C# cannot be asked
(ranks, dtypes, sizes past a .NET ``int``, strings holding a lone surrogate) is checked here first,
with the shared rules of :mod:`rnnport.numerics.checks`.
"""
from __future__ import annotations

import math
import os
from typing import Any, Callable

import numpy as np
from numpy.typing import ArrayLike

from rnnport.dotnet.runtime import load
from rnnport.numerics.checks import as_float64, as_int_array, check_shape, shape_str

INT32_MAX = 2**31 - 1  # .NET's int: the largest row or column count, and the largest element count


def fits_net(shape: tuple[int, ...], name: str) -> None:
    """Raise ``OverflowError`` unless an array of ``shape`` fits a .NET matrix (every size, and the
    element count, at most 2**31 - 1); checked before any copy, so a huge view is never copied."""
    if max(shape, default=0) > INT32_MAX or math.prod(shape) > INT32_MAX:
        raise OverflowError(f"{name} has shape {shape_str(shape)}: a .NET matrix holds at most 2**31 - 1 "
                            f"elements and rows or columns")


def to_net(array: np.ndarray, name: str = "array") -> Any:
    """Copy a 2-D float64 array of shape (r, c) into a new r×c MathNet matrix (one block copy)."""
    net = load()
    fits_net(array.shape, name)
    block = np.asfortranarray(array, dtype=np.float64)  # no copy when already F-ordered float64
    return net.ArrayTransfer.ToMatrix(block.ctypes.data, block.shape[0], block.shape[1])


def to_net_reusing(array: np.ndarray, owner: Any, name: str = "array") -> Any:
    """``to_net``, but into the .NET matrix that ``owner`` kept from its last call with this shape, if any.

    A fresh .NET array's pages are mapped by the copy itself (one page fault per 4 KB, about 2.4 GB/s
    here); a reused one's already are, so a repeated transfer runs at memory speed. The owner (a bridge
    twin) keeps one matrix per ``name``, the last shape's, so it holds that much memory while it lives.
    The returned matrix is overwritten by the owner's next call: pass it to one .NET call, keep nothing.
    """
    fits_net(array.shape, name)
    block = np.asfortranarray(array, dtype=np.float64)
    cache: dict[str, Any] = owner.__dict__.setdefault("_reused_net_matrices", {})
    matrix = cache.get(name)
    if matrix is None or (matrix.RowCount, matrix.ColumnCount) != block.shape:
        cache[name] = matrix = to_net(block, name)
        return matrix
    load().ArrayTransfer.CopyInto(block.ctypes.data, matrix)
    return matrix


def float64_argument(value: ArrayLike, name: str) -> np.ndarray:
    """``as_float64`` after checking that the shape fits .NET (before the conversion copies anything)."""
    if isinstance(value, np.ndarray):
        fits_net(value.shape, name)
    return as_float64(value, name)


def transposed_from_net(matrix: Any) -> np.ndarray:
    """Copy an r×c MathNet matrix's transpose into a new C-contiguous float64 array of shape (c, r): one block
    copy, since MathNet stores columns contiguously (a C# weight read back in NumPy layout, ``W_xh`` = ``inputWeights.T``)."""
    out = np.empty((matrix.ColumnCount, matrix.RowCount))
    load().ArrayTransfer.CopyTo(matrix, out.ctypes.data)
    return out


def from_net(matrix: Any) -> np.ndarray:
    """Copy an r×c MathNet matrix into a new C-contiguous float64 array of shape (r, c), as NumPy's own
    results are (a second copy reorders MathNet's columns into rows; a 1×n row needs none)."""
    return np.ascontiguousarray(transposed_from_net(matrix).T)


def batch_to_net(array: np.ndarray, name: str) -> Any:
    """Copy a C-contiguous float64 (B, T, n) array into a new .NET ``double[B, T, n]`` (one block copy)."""
    fits_net(array.shape, name)
    block = np.ascontiguousarray(array, dtype=np.float64)
    return load().BatchTransfer.ToBatch(block.ctypes.data, *block.shape)


def batch_targets_to_net(targets: np.ndarray) -> Any:
    """Copy (B, T) integer targets, already checked to lie in a vocabulary (so within int32), into a new .NET
    ``int[B, T]`` (one block copy)."""
    block = np.ascontiguousarray(targets, dtype=np.int32)
    return load().BatchTransfer.ToTargets(block.ctypes.data, *block.shape)


def batch_from_net(array: Any) -> np.ndarray:
    """Copy a .NET ``double[B, T, n]`` into a new C-contiguous float64 (B, T, n) array (one block copy)."""
    out = np.empty((array.GetLength(0), array.GetLength(1), array.GetLength(2)))
    load().BatchTransfer.CopyTo(array, out.ctypes.data)
    return out


def vector_from_net(row: Any) -> np.ndarray | None:
    """A 1×n C# row as an (n,) array; None stays None."""
    return None if row is None else from_net(row)[0].copy()


def vector_argument(value: ArrayLike, name: str, length: Callable[[], int | str]) -> np.ndarray:
    """A C-contiguous float64 (n,) vector, or ValueError.

    The rank is the bridge's to check (the NumPy API takes vectors; a (1, n) array must not slip
    through as C#'s 1×n row), with NumPy's message: ``length()`` gives the expected length (asked
    only on failure); the length itself is left to the C# model, which names both shapes.
    """
    vector = float64_argument(value, name)
    if vector.ndim != 1:
        check_shape(vector, (None,), name, (str(length()),))
    return vector


def row_to_net(value: ArrayLike, name: str, length: Callable[[], int | str]) -> Any:
    """A (n,) vector as the 1×n C# row matrix (see ``vector_argument``)."""
    return to_net(vector_argument(value, name, length).reshape(1, -1), name)


def is_unicode(text: str) -> bool:
    """True unless ``text`` holds a lone surrogate: pythonnet aborts the whole process (an unhandled
    .NET exception) when it converts such a string, so none may reach a .NET call."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def net_path(path: str | os.PathLike[str], error: type[Exception]) -> str:
    """A path as a .NET string, or ``error``: a file name that is not valid UTF-8 (Python keeps its bytes
    as lone surrogates) has no .NET spelling."""
    text = os.fspath(path)
    if not is_unicode(text):
        raise error(f"{text!r} is not a valid Unicode path: .NET cannot name this file")
    return text


def sequence_argument(xs: ArrayLike, input_size: int) -> np.ndarray:
    """xs as a (T, I') float64 array for C#: the rank is checked here; I' = I is C#'s to check, except
    when a size cannot be a .NET int at all: then NumPy's rule answers, since C# cannot be asked."""
    array = np.asarray(xs) if isinstance(xs, np.ndarray) else None
    if array is not None and array.ndim == 2 and array.size == 0 and max(array.shape) > INT32_MAX:
        check_shape(array, (None, input_size), "xs", ("T", "I"))
    xs = float64_argument(xs, "xs")
    if xs.ndim != 2:
        check_shape(xs, (None, input_size), "xs", ("T", "I"))
    return xs


def targets_to_net(values: ArrayLike, steps: int, classes: int) -> Any:
    """Targets as a .NET int[] (short: element-wise conversion is fine).

    The dtype and the rank are checked here with NumPy's rules (``as_int_array``, then a (T,)
    vector: a (6, 1), (2, 3) or 0-d array is refused, not flattened); the length and the range are
    C#'s. A target that is no 32-bit integer is out of every vocabulary, and NumPy's message says so.
    """
    array = as_int_array(values, "targets")
    if array.ndim != 1:
        check_shape(array, (steps,), "targets")
    if array.size and (array.min() < -2**31 or array.max() >= 2**31):
        t = int(np.flatnonzero((array < -2**31) | (array >= 2**31))[0])
        raise ValueError(f"targets[{t}] = {int(array[t])} is outside the vocabulary [0, {classes})")
    net = load()
    return net.System.Array[net.System.Int32]([int(v) for v in array])


def doubles_to_net(values: ArrayLike, name: str) -> Any:
    """A .NET double[] from a 1-D array: one block copy into a 1×n matrix, whose storage is the row."""
    array = float64_argument(values, name)
    check_shape(array, (None,), name, ("N",))
    return to_net(array.reshape(1, -1), name).ToColumnMajorArray()
