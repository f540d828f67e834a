using System.Globalization;
using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;
using System.Numerics.Tensors;

using Lanes = System.Numerics.Vector<double>;

namespace RnnPort;

/// <summary>
/// The checks behind <see cref="NonFiniteResultException"/> (docs/bad-input.md, "Non-finite results").
/// NumPy twin: <c>rnnport.numerics.finite_results</c>. Every search runs in column-major storage order, which for the
/// transposed matrices of this library is NumPy's C order of the twin arrays, so both languages name
/// the same element; values print as NumPy prints them (<c>inf</c>, <c>-inf</c>, <c>nan</c>).
/// </summary>
internal static class FiniteResults
{
    /// <summary>A non-finite value as Python's <c>repr</c> writes it.</summary>
    internal static string Value(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    /// <summary>
    /// A cheap screen: true when every value is finite. One vectorised sum (NaN or ±Infinity anywhere
    /// makes it NaN or ±Infinity); a sum of finite values that overflows is a false alarm, which the
    /// caller's exact search then clears.
    /// </summary>
    internal static bool AllFinite(ReadOnlySpan<double> values) => double.IsFinite(TensorPrimitives.Sum(values));

    /// <summary>
    /// Adds <c>v·0</c> for every v of <paramref name="values"/> into <paramref name="screen"/>, vectorised:
    /// a finite v adds ±0, an infinite or NaN v makes the screen NaN for good. No false alarms (nothing
    /// can overflow) and no dependency on the order, so it is cheap enough to run on every timestep.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Screen(ReadOnlySpan<double> values, ref Lanes screen)
    {
        // Four independent accumulators, so that the adds do not wait on one another.
        int n = 0, width = Lanes.Count;
        Lanes a0 = screen, a1 = Lanes.Zero, a2 = Lanes.Zero, a3 = Lanes.Zero;
        for (; n <= values.Length - 4 * width; n += 4 * width)
        {
            a0 += new Lanes(values.Slice(n, width)) * Lanes.Zero;
            a1 += new Lanes(values.Slice(n + width, width)) * Lanes.Zero;
            a2 += new Lanes(values.Slice(n + 2 * width, width)) * Lanes.Zero;
            a3 += new Lanes(values.Slice(n + 3 * width, width)) * Lanes.Zero;
        }

        double tail = 0.0;
        for (; n < values.Length; n++)
        {
            tail += values[n] * 0.0;
        }

        screen = (a0 + a1) + (a2 + a3) + new Lanes(tail);
    }

    /// <summary>True when a <see cref="Screen"/> accumulator saw only finite values.</summary>
    internal static bool Passed(Lanes screen) => double.IsFinite(System.Numerics.Vector.Sum(screen));

    /// <summary>The storage index of the first value that is not finite, or −1.</summary>
    internal static int FirstNonFinite(ReadOnlySpan<double> values)
    {
        for (int n = 0; n < values.Length; n++)
        {
            if (!double.IsFinite(values[n]))
            {
                return n;
            }
        }

        return -1;
    }

    /// <summary>
    /// Throws <c>"{what} of {name} is not finite (element … is …)"</c> when the dense parameter-shaped
    /// matrix <paramref name="m"/> holds NaN or ±Infinity; see <see cref="Refuse(double[], int, string, string)"/>.
    /// </summary>
    internal static void Refuse(Matrix<double> m, string what, string name) =>
        Refuse(ColumnMajor.Storage(m), m.RowCount, what, name);

    /// <summary>
    /// Throws <c>"{what} of {name} is not finite (element … is …)"</c> when <paramref name="values"/>, the
    /// column-major storage of parameter <paramref name="name"/> (rows×columns) or of its gradient, holds NaN
    /// or ±Infinity: the element as (row, column), or, for a bias or the initial state, which NumPy holds as
    /// a vector, as its column alone.
    /// </summary>
    internal static void Refuse(double[] values, int rows, string what, string name)
    {
        int n = FirstNonFinite(values);
        if (n >= 0)
        {
            bool vector = name is ParameterNames.HiddenBias or ParameterNames.OutputBias or ParameterNames.InitialState
                or ParameterNames.InputBias or ParameterNames.RecurrentBias;
            string where = vector ? Index(n) : string.Create(CultureInfo.InvariantCulture, $"({n % rows}, {n / rows})");
            throw new NonFiniteResultException($"{what} of {name} is not finite (element {where} is {Value(values[n])})");
        }
    }

    /// <summary>
    /// Throws <c>"bptt: the gradient of {name} is not finite (element … is …)"</c> for the first gradient, in the
    /// order of <see cref="IParameterGradients.Arrays"/> (the parameters', then the initial state's), that holds
    /// NaN or ±Infinity. NumPy twin: <c>GradientArrays.refuse_non_finite()</c>.
    /// </summary>
    internal static void RefuseGradients(IParameterGradients gradients)
    {
        foreach ((string name, Matrix<double> g) in gradients.Arrays())
        {
            Refuse(g, "bptt: the gradient", name);
        }
    }

    /// <summary>
    /// Throws <c>"step: the {what} is not finite (element j is …)"</c> when one step's <paramref name="values"/>
    /// (a state, cell state or output) hold NaN or ±Infinity: what every cell's <c>TimeStep</c> checks.
    /// NumPy twin: <c>refuse_non_finite(value, f"step: the {what}")</c>.
    /// </summary>
    internal static void RefuseStep(ReadOnlySpan<double> values, string what)
    {
        int j = FirstNonFinite(values);
        if (j >= 0)
        {
            throw new NonFiniteResultException(
                string.Create(CultureInfo.InvariantCulture, $"step: the {what} is not finite (element {j} is {Value(values[j])})"));
        }
    }

    /// <summary>
    /// Throws naming the first timestep whose state (checked first) or output is not finite, given the
    /// column-major T×H states and T×O outputs; returns quietly when every value is finite.
    /// </summary>
    internal static void RefuseSequence(double[] states, double[] outputs, int steps)
    {
        int hidden = steps == 0 ? 0 : states.Length / steps, outputSize = steps == 0 ? 0 : outputs.Length / steps;
        for (int t = 0; t < steps; t++)
        {
            RefuseRow(states, t, steps, hidden, "state");
            RefuseRow(outputs, t, steps, outputSize, "output");
        }
    }

    private static void RefuseRow(double[] data, int t, int steps, int columns, string what)
    {
        for (int j = 0; j < columns; j++)
        {
            double v = data[t + j * steps];
            if (!double.IsFinite(v))
            {
                throw new NonFiniteResultException(
                    string.Create(CultureInfo.InvariantCulture, $"forward: the {what} at step {t} is not finite (element {j} is {Value(v)})"));
            }
        }
    }

    private static string Index(int i) => i.ToString(CultureInfo.InvariantCulture);
}
