"""Bad input through the bridge: .NET's typed errors arrive as Python's, and state is unchanged."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport.io.model_file import ModelFileError
from rnnport.verify.cases import make_case


@pytest.fixture
def stepped(DotNetRNN):
    """A bridged model (I=3, H=4, O=2) that has already stepped, so h is not h0."""
    case = make_case(3, 4, 2, 3, seed=3)
    model = DotNetRNN(*case.weights())
    model.forward(case.xs)
    return model


@pytest.mark.parametrize("call, error, message", [
    (lambda m: m.step(np.zeros(2)), ValueError, "x has shape (2,), expected (3,) [ShapeMismatchException]"),
    (lambda m: m.step(np.zeros((2, 3))), ValueError, "x has shape (2, 3), expected (3,)"),
    (lambda m: m.step([0.0, np.nan, 0.0]), ValueError, "x must be finite, but element (1,) is nan [NonFiniteValueException]"),
    (lambda m: m.step(None), TypeError, "x must be an array of real numbers, not None"),
    (lambda m: m.step(np.zeros(3, dtype=complex)), TypeError, "x must be an array of real numbers, got dtype complex128"),
    (lambda m: m.forward(np.zeros((5, 4))), ValueError, "xs has shape (5, 4), expected (T, 3) [ShapeMismatchException]"),
    (lambda m: m.forward(np.zeros(3)), ValueError, "xs has shape (3,), expected (T, 3)"),
    (lambda m: m.forward(np.full((2, 3), np.inf)), ValueError, "xs must be finite, but element (0, 0) is inf [NonFiniteValueException]"),
    (lambda m: setattr(m, "h", np.zeros(5)), ValueError, "h has shape (5,), expected (4,) [ShapeMismatchException]"),
])
def test_rejected_calls_raise_python_errors_and_keep_state(stepped, call, error, message):
    """Each rejected call raises ValueError/TypeError with the message, and h keeps its exact bytes."""
    before = stepped.h.tobytes()
    with pytest.raises(error) as caught:
        call(stepped)
    assert str(caught.value) == message
    assert stepped.h.tobytes() == before


@pytest.mark.parametrize("args, message", [
    ((np.zeros((4, 3)), np.zeros((4, 5)), np.zeros((2, 4))), "W_hh has shape (4, 5), expected (4, 4) [ShapeMismatchException]"),
    ((np.zeros((5, 3)), np.zeros((4, 4)), np.zeros((2, 4))), "W_xh has shape (5, 3), expected (4, I) [ShapeMismatchException]"),
    ((np.zeros((4, 3)), np.zeros((4, 4)), np.zeros((2, 4)), np.zeros(3)), "h0 has shape (3,), expected (4,) [ShapeMismatchException]"),
    ((np.zeros((4, 3)), np.full((4, 4), np.nan), np.zeros((2, 4))), "W_hh must be finite, but element (0, 0) is nan [NonFiniteValueException]"),
])
def test_constructor_errors_match_the_numpy_side(DotNetRNN, args, message):
    """Bad weights are a ValueError on both sides with the same words: the Python argument, its NumPy
    shape and coordinates (the bridge adds the .NET type that refused them)."""
    from rnnport import RNN

    with pytest.raises(ValueError) as numpy_error:
        RNN(*args)
    with pytest.raises(ValueError) as caught:
        DotNetRNN(*args)
    assert str(caught.value) == message
    assert message.startswith(str(numpy_error.value))


def test_unknown_activation_is_a_value_error_on_both_sides(DotNetRNN):
    """'sigmoid' is refused by both models with the same words."""
    from rnnport import RNN

    args = (np.zeros((4, 3)), np.zeros((4, 4)), np.zeros((2, 4)))
    for model in (RNN, DotNetRNN):
        with pytest.raises(ValueError, match="unknown activation 'sigmoid': expected 'tanh' or 'relu'"):
            model(*args, activation="sigmoid")


def _dotnet_exceptions():
    """(.NET exception, reading a model file?, Python type it must arrive as, message it must carry)."""
    from rnnport import dotnet

    net = dotnet.load()
    System = net.System
    return [
        (System.ArgumentNullException("model", "model must not be null"), False, TypeError, "model must not be null [ArgumentNullException]"),
        (System.ArgumentOutOfRangeException("learningRate", -0.1, "learning_rate must be finite and > 0, got -0.1"), False,
         ValueError, "learning_rate must be finite and > 0, got -0.1 [ArgumentOutOfRangeException]"),
        (System.ArgumentException("character 'a' appears twice", "runes"), False, ValueError, "character 'a' appears twice [ArgumentException]"),
        (System.OverflowException("Arithmetic operation resulted in an overflow."), False, OverflowError, "overflow. [OverflowException]"),
        (System.ArithmeticException("the step's state is not finite"), False, FloatingPointError, "not finite [ArithmeticException]"),
        (System.DivideByZeroException(), False, FloatingPointError, "[DivideByZeroException]"),
        (System.OutOfMemoryException(), False, MemoryError, "[OutOfMemoryException]"),
        (System.OutOfMemoryException(), True, MemoryError, "[OutOfMemoryException]"),
        (System.InsufficientMemoryException("no room"), False, MemoryError, "no room [InsufficientMemoryException]"),
        (net.ModelFileException("not a zip file"), False, ModelFileError, "not a zip file [ModelFileException]"),
        (System.IO.FileNotFoundException("Could not find file 'x'."), True, ModelFileError, "[FileNotFoundException]"),
        (System.InvalidOperationException("Cannot read incomplete UTF-16 JSON text"), True, ModelFileError, "[InvalidOperationException]"),
        (System.IO.DirectoryNotFoundException("Could not find a part of the path"), False, OSError, "[DirectoryNotFoundException]"),
        (System.UnauthorizedAccessException("Access denied"), False, PermissionError, "Access denied [UnauthorizedAccessException]"),
        (System.InvalidOperationException("line one\nline two"), False, RuntimeError, "line one line two [InvalidOperationException]"),
    ]


def test_every_dotnet_exception_arrives_as_its_python_type():
    """The translation table of docs/bad-input.md, one row per .NET type: the exact Python type (an
    OverflowException is an ArithmeticException but must be OverflowError, not FloatingPointError),
    one line, the .NET message without "(Parameter '…')" or "Actual value was …", the type's name."""
    from rnnport import dotnet

    for error, reading, python_type, message in _dotnet_exceptions():
        translated = dotnet.errors.translate(error, reading=reading)
        assert type(translated) is python_type, (error.GetType().Name, reading, type(translated))
        assert "\n" not in str(translated) and "(Parameter" not in str(translated) and "Actual value" not in str(translated)
        assert str(translated).endswith(message), str(translated)


def test_a_thrown_overflow_arrives_as_overflow_error():
    """A real OverflowException thrown by .NET (rows × columns past int) through the bridge's handler."""
    from rnnport import dotnet

    with pytest.raises(OverflowError, match=r"\[OverflowException\]$"):
        with dotnet.errors.net_errors():
            dotnet.load().ArrayTransfer.ToMatrix(0, 2**16, 2**15)
