using System.Runtime.CompilerServices;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The weights one recurrent layer's step reads, held live: the input and recurrent weights in the row
/// convention (I×G·H and H×G·H, the transposes of torch's <c>weight_ih</c> and <c>weight_hh</c>), their packed
/// copies for <see cref="SequentialKernels.RowTimesPacked"/>, and the two optional 1×G·H biases. The single
/// cells (<see cref="LSTM"/>, <see cref="GRU"/>) hold one; a <see cref="RecurrentStack"/> one per layer and
/// direction, so that both run the same per-step code. NumPy twin: the arrays a cell's <c>_step</c> reads.
/// </summary>
internal sealed class LayerWeights
{
    /// <summary>Wraps live matrices (not copied); <see cref="Pack"/> must run whenever they change.</summary>
    /// <param name="inputWeights">I×G·H, dense.</param>
    /// <param name="recurrentWeights">H×G·H, dense.</param>
    /// <param name="inputBias">1×G·H or null.</param>
    /// <param name="recurrentBias">1×G·H or null.</param>
    internal LayerWeights(Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double>? inputBias, Matrix<double>? recurrentBias)
    {
        InputWeights = inputWeights;
        RecurrentWeights = recurrentWeights;
        InputBias = inputBias;
        RecurrentBias = recurrentBias;
        InputData = ColumnMajor.Storage(inputWeights);
        RecurrentData = ColumnMajor.Storage(recurrentWeights);
        InputBiasData = inputBias is null ? null : ColumnMajor.Storage(inputBias);
        RecurrentBiasData = recurrentBias is null ? null : ColumnMajor.Storage(recurrentBias);
        InputPacked = new double[InputData.Length];
        RecurrentPacked = new double[RecurrentData.Length];
        Pack();
    }

    /// <summary>I×G·H, live.</summary>
    internal Matrix<double> InputWeights { get; }

    /// <summary>H×G·H, live.</summary>
    internal Matrix<double> RecurrentWeights { get; }

    /// <summary>1×G·H or null, live.</summary>
    internal Matrix<double>? InputBias { get; }

    /// <summary>1×G·H or null, live.</summary>
    internal Matrix<double>? RecurrentBias { get; }

    /// <summary>The input weights' column-major storage: (i, r) at i + r·I.</summary>
    internal double[] InputData { get; }

    /// <summary>The recurrent weights' column-major storage: (j, r) at j + r·H.</summary>
    internal double[] RecurrentData { get; }

    /// <summary>The input bias's storage, or null.</summary>
    internal double[]? InputBiasData { get; }

    /// <summary>The recurrent bias's storage, or null.</summary>
    internal double[]? RecurrentBiasData { get; }

    /// <summary>The packed copy of the input weights.</summary>
    internal double[] InputPacked { get; }

    /// <summary>
    /// The packed copy of the recurrent weights, one gate block at a time: the H×H block of gate g (columns
    /// gH … gH + H − 1) packed on its own (<see cref="SequentialKernels.Pack"/>) from <c>g·H·H</c>, so that a
    /// range of hidden units is a range of panels in every block (<see cref="GatedSteps"/>). With one gate
    /// (a stack's RNN layer) it is the plain packed copy.
    /// </summary>
    internal double[] RecurrentPacked { get; }

    /// <summary>I.</summary>
    internal int InputSize => InputWeights.RowCount;

    /// <summary>H.</summary>
    internal int HiddenSize => RecurrentWeights.RowCount;

    /// <summary>G·H.</summary>
    internal int Width => RecurrentWeights.ColumnCount;

    /// <summary>Rewrites the packed copies from the live weights: at construction and after every update.</summary>
    internal void Pack()
    {
        SequentialKernels.Pack(InputData, InputSize, Width, InputPacked);
        int hidden = HiddenSize, block = hidden * hidden;
        for (int g = 0; g * hidden < Width; g++)
        {
            SequentialKernels.Pack(RecurrentData.AsSpan(g * block, block), hidden, hidden, RecurrentPacked.AsSpan(g * block, block));
        }
    }

    /// <summary><c>values += bias</c> element by element when the bias is on (each cell adds its biases so).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AddBias(Span<double> values, double[]? bias)
    {
        if (bias is not null)
        {
            for (int k = 0; k < values.Length; k++)
            {
                values[k] += bias[k];
            }
        }
    }

    /// <summary>
    /// The gradient a step sends to its input: <c>dx_i = Σ_r W_ih[r, i]·dgi_r</c>, for every i a sequential sum
    /// over the G·H rows r from +0.0 (docs/stacks.md, BPTT step 3). r runs outside so W is read by columns.
    /// </summary>
    /// <param name="dgi">G·H pre-activation gradients.</param>
    /// <param name="dx">I values, overwritten.</param>
    internal void InputGradient(ReadOnlySpan<double> dgi, Span<double> dx)
    {
        int inputSize = InputSize;
        double[] w = InputData;
        dx.Clear();
        for (int r = 0; r < dgi.Length; r++)
        {
            double g = dgi[r];
            int column = r * inputSize;
            for (int i = 0; i < inputSize; i++)
            {
                dx[i] += g * w[i + column];
            }
        }
    }
}
