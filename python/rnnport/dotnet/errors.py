"""Every .NET exception as its documented Python twin, on one line in NumPy terms (docs/bad-input.md).

The C# library decides what it refuses; :func:`translate` turns its exception into the Python type
with the message rebuilt for the Python argument (its name, NumPy shape and coordinates). Constructors
are called through ``RnnPort.Bridge.Construct``, which returns their error (:func:`constructed`): a
.NET constructor throwing into Python leaks native memory in pythonnet.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import numpy as np

from rnnport.dotnet.runtime import load
from rnnport.io.atomic import AtomicWriteError
from rnnport.io.model_file_error import ModelFileError
from rnnport.numerics.checks import shape_str

# How a C# argument is shown to the Python caller: its Python name and how its C# matrix relates to
# the NumPy array that was passed: "transposed" (a weight, C# I×H for NumPy (H, I)), "row" (a 1×n C#
# row for a NumPy (n,) vector) or "same" (xs: T×I in both). Each call passes the entries for the C#
# names it uses (a twin's constructor arguments, Bptt's initialState as h_prev, …).
ArgumentNames = dict[str, tuple[str, str]]


def _numpy_shape(rows: int | str, columns: int | str, layout: str) -> tuple[int | str, ...]:
    """The NumPy shape of a C# rows×columns matrix in ``layout`` (see ``ArgumentNames``)."""
    return {"transposed": (columns, rows), "row": (columns,), "same": (rows, columns)}[layout]


def _message(error: Any) -> str:
    """The .NET message on one line: without ArgumentException's " (Parameter 'x')" and
    ArgumentOutOfRangeException's "Actual value was …" line, which only repeat what the message says."""
    text = str(error.Message)
    name = getattr(error, "ParamName", None)
    if name is not None:
        text = text.split(f" (Parameter '{name}')")[0]
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _rebuilt(error: Any, names: ArgumentNames) -> str | None:
    """A ShapeMismatchException's or NonFiniteValueException's message in NumPy terms, or None when
    the argument has no known Python twin (the .NET message is used as it is)."""
    net = load()
    python = names.get(str(error.ParamName)) if error.ParamName is not None else None
    if python is None:
        return None
    name, layout = python
    if isinstance(error, net.ShapeMismatchException):
        if error.ActualRows is None:
            return None
        expected_rows = str(error.FreeRowsLabel) if error.ExpectedRows is None else int(error.ExpectedRows)
        actual = _numpy_shape(int(error.ActualRows), int(error.ActualColumns), layout)
        expected = _numpy_shape(expected_rows, int(error.ExpectedColumns), layout)
        return f"{name} has shape {shape_str(actual)}, expected {shape_str(expected)}"
    if isinstance(error, net.NonFiniteValueException):
        index = _numpy_shape(int(error.Row), int(error.Column), layout)
        return f"{name} must be finite, but element {tuple(index)} is {np.float64(float(error.Value))!r}"
    return None


def translate(error: Any, names: ArgumentNames | None = None, reading: bool = False) -> Exception:
    """The Python exception for a .NET one (thrown, or returned by a ``Construct`` factory).

    ``ModelFileException`` (and, with ``reading``, anything else but memory) → ``ModelFileError``;
    ``ArgumentNullException`` → ``TypeError``; any other ``ArgumentException`` → ``ValueError``;
    ``OverflowException`` → ``OverflowError``; any other ``ArithmeticException`` (the non-finite
    result) → ``FloatingPointError``; ``OutOfMemoryException`` → ``MemoryError``; ``AtomicWriteException``
    (a failed save, the old file intact) → ``AtomicWriteError`` (an ``OSError``); another ``IOException``
    while writing → ``OSError``; anything else → ``RuntimeError`` (a bug: no documented call raises it).
    The message is one line, names the Python argument with its NumPy shape and coordinates when the
    .NET exception says which argument, and ends with the .NET type's name in brackets.
    """
    net = load()
    System = net.System
    text = (_rebuilt(error, names or {}) if isinstance(error, System.ArgumentException) else None) or _message(error)
    message = f"{text} [{error.GetType().Name}]"
    kinds: list[tuple[Any, type[Exception]]] = [
        (System.OutOfMemoryException, MemoryError),
        (net.ModelFileException, ModelFileError),
    ]
    if reading:
        kinds.append((System.Exception, ModelFileError))  # every reader problem is the model-file error
    kinds += [
        (System.ArgumentNullException, TypeError),
        (System.ArgumentException, ValueError),
        (System.OverflowException, OverflowError),
        (System.ArithmeticException, FloatingPointError),
        (net.AtomicWriteException, AtomicWriteError),
        (System.IO.IOException, OSError),
        (System.UnauthorizedAccessException, PermissionError),
    ]
    for kind, python_type in kinds:
        if isinstance(error, kind):
            return python_type(message)
    return RuntimeError(message)


@contextmanager
def net_errors(names: ArgumentNames | None = None, reading: bool = False) -> Iterator[None]:
    """Re-raise any .NET exception as its Python twin (:func:`translate`)."""
    System = load().System
    try:
        yield
    except System.Exception as error:
        raise translate(error, names, reading) from None


def constructed(outcome: Any, names: ArgumentNames | None = None) -> Any:
    """The object a ``Construct`` factory made, or its error raised as the Python twin."""
    if outcome.Error is not None:
        raise translate(outcome.Error, names)
    return outcome.Value
