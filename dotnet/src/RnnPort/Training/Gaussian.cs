using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>Standard normal draws by the Box–Muller transform, two per pair of uniforms from a seeded <see cref="Random"/>.</summary>
internal sealed class Gaussian(Random random)
{
    private double? _spare;

    /// <summary>min-char-rnn's initial weights: rows × columns of N(0, 1)·0.01, drawn row by row.</summary>
    internal static Func<int, int, Matrix<double>> Weights(Random random)
    {
        var normal = new Gaussian(random);
        return (rows, columns) => Matrix<double>.Build.Dense(rows, columns, (_, _) => normal.Next() * 0.01);
    }

    internal double Next()
    {
        if (_spare is { } spare)
        {
            _spare = null;
            return spare;
        }

        double u1 = 1.0 - random.NextDouble();  // (0, 1]: the logarithm stays finite
        double u2 = random.NextDouble();
        double radius = Math.Sqrt(-2.0 * Math.Log(u1));
        _spare = radius * Math.Sin(2.0 * Math.PI * u2);
        return radius * Math.Cos(2.0 * Math.PI * u2);
    }
}
