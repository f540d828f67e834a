using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The argument checks every cell's BPTT makes before any work, in the NumPy twins' order: inputs, targets,
/// then each start state. NumPy twin: <c>rnnport.cells.state.checked_sequence</c>, <c>check_targets</c> and
/// <c>checked_vector</c>, as each cell's <c>bptt</c> calls them.
/// </summary>
internal static class BpttArguments
{
    /// <summary>Checks that <paramref name="inputs"/> is a finite T×I matrix and <paramref name="targets"/> T classes in [0, O).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ShapeMismatchException"><paramref name="inputs"/> is not T×I, or <paramref name="targets"/> does not hold T indices.</exception>
    /// <exception cref="NonFiniteValueException"><paramref name="inputs"/> holds NaN or ±Infinity.</exception>
    /// <exception cref="ArgumentException">T = 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A target lies outside [0, O).</exception>
    internal static void CheckChunk(Matrix<double> inputs, IReadOnlyList<int> targets, int inputSize, int outputSize)
    {
        Guard.HasShape(inputs, -1, inputSize, nameof(inputs));
        Guard.IsFiniteByRows(inputs, nameof(inputs));
        Loss.CheckTargets(targets, inputs.RowCount, outputSize);
    }

    /// <summary>Checks that a given start state (null: the model's own) is a finite 1×H row, named <paramref name="name"/>.</summary>
    /// <exception cref="ShapeMismatchException">It is not 1×H.</exception>
    /// <exception cref="NonFiniteValueException">It holds NaN or ±Infinity.</exception>
    internal static void CheckStart(Matrix<double>? given, int hidden, string name)
    {
        if (given is not null)
        {
            Guard.HasShape(given, 1, hidden, name);
            Guard.IsFinite(given, name);
        }
    }
}
