using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>Seeded weights and one-hot sequences shared by the benchmarks.</summary>
internal static class Data
{
    /// <summary>I = O = 64: a character model's vocabulary.</summary>
    internal const int Vocabulary = 64;

    /// <summary>Uniform weights in [−1, 1)/√rows, so that the tanh units are not saturated.</summary>
    internal static Matrix<double> Weights(int rows, int columns, int seed)
    {
        var random = new Random(seed);
        double scale = 1.0 / Math.Sqrt(rows);
        return Matrix<double>.Build.Dense(rows, columns, (_, _) => scale * (2.0 * random.NextDouble() - 1.0));
    }

    /// <summary>T seeded class indices in [0, size).</summary>
    internal static int[] Indices(int steps, int size, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, steps).Select(_ => random.Next(size)).ToArray();
    }

    /// <summary>T×size, row t one-hot at <paramref name="indices"/>[t].</summary>
    internal static Matrix<double> OneHot(int[] indices, int size) =>
        Matrix<double>.Build.Dense(indices.Length, size, (t, k) => indices[t] == k ? 1.0 : 0.0);

    /// <summary>The rows of <paramref name="inputs"/> as separate 1×I matrices, as a TimeStep caller holds them.</summary>
    internal static Matrix<double>[] Rows(Matrix<double> inputs) =>
        Enumerable.Range(0, inputs.RowCount).Select(t => inputs.SubMatrix(t, 1, 0, inputs.ColumnCount)).ToArray();

    /// <summary>A tanh RNN with I = O = 64 and the given H, without biases, from seeded weights.</summary>
    internal static RNN Model(int hidden) => new(
        Weights(Vocabulary, hidden, 1), Weights(hidden, hidden, 2), Weights(hidden, Vocabulary, 3));

    /// <summary>The article's RNN with the same weights as <see cref="Model"/>.</summary>
    internal static ArticleRnn Article(int hidden) => new(
        Weights(Vocabulary, hidden, 1), Weights(hidden, hidden, 2), Weights(hidden, Vocabulary, 3));
}
