using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>
/// One model's per-step crossing without arguments: an input row and an output row in pinned .NET arrays
/// that Python views as NumPy arrays (<see cref="InputAddress"/>, <see cref="OutputAddress"/>), so a step is
/// one NumPy copy into the input, one call of <see cref="Step"/> with no argument to convert, and one
/// copy out of the output. NumPy twin: the <c>step</c> of every bridge twin (python/rnnport/dotnet/twin.py).
/// </summary>
/// <remarks>
/// The arrays live on the pinned object heap, so their addresses hold for this object's lifetime (the
/// Python twin keeps it alive as long as its views). For an <see cref="RNN"/> a step is
/// <c>TimeStepInto</c>, which allocates nothing; for the other cells it is <c>TimeStep</c> on a 1×I
/// matrix that adopts the input array, and its 1×O result is copied into the output array.
/// </remarks>
public sealed unsafe class StepBuffers
{
    private readonly IRecurrentCell _cell;
    private readonly RNN? _rnn;
    private readonly double[] _input, _output;
    private readonly Matrix<double> _inputRow;

    /// <summary>Buffers of I and O values for <paramref name="cell"/>'s steps.</summary>
    /// <param name="cell">The model (RNN, LSTM or GRU).</param>
    /// <exception cref="ArgumentNullException"><paramref name="cell"/> is null.</exception>
    public StepBuffers(IRecurrentCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        _cell = cell;
        _rnn = cell as RNN;
        _input = GC.AllocateArray<double>(Math.Max(1, cell.InputSize), pinned: true);
        _output = GC.AllocateArray<double>(Math.Max(1, cell.OutputSize), pinned: true);
        _inputRow = Matrix<double>.Build.Dense(1, cell.InputSize, _input.Length == cell.InputSize ? _input : new double[cell.InputSize]);
    }

    /// <summary>Address of the I input values (pinned for this object's lifetime).</summary>
    public long InputAddress => (long)Unsafe.AsPointer(ref _input[0]);

    /// <summary>Address of the O output values (pinned for this object's lifetime).</summary>
    public long OutputAddress => (long)Unsafe.AsPointer(ref _output[0]);

    /// <summary>
    /// One <c>TimeStep</c> on the input buffer, its output into the output buffer. The checks, messages and
    /// bits are <c>TimeStep</c>'s; a rejected step leaves the model's state unchanged and the output buffer as it was.
    /// </summary>
    /// <exception cref="NonFiniteValueException">The input holds NaN or ±Infinity.</exception>
    /// <exception cref="NonFiniteResultException">The new state or the output is not finite.</exception>
    public void Step()
    {
        if (_rnn is not null)
        {
            _rnn.TimeStepInto(_input.AsSpan(0, _rnn.InputSize), _output.AsSpan(0, _rnn.OutputSize));
            return;
        }

        Matrix<double> y = _cell.TimeStep(_inputRow);
        ColumnMajor.ReadOnly(y).AsSpan(0, _cell.OutputSize).CopyTo(_output);
    }
}
