using System.Globalization;
using CsCheck;
using Xunit.Abstractions;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// Properties checked on random models with CsCheck: random shapes (size-1 dimensions favoured),
/// both activations, with and without biases, and weights that include ±1e3 (saturated tanh, large
/// relu states), subnormals and signed zeros. A failure is shrunk and reported with its seed.
/// </summary>
public sealed class PropertyTests(ITestOutputHelper output)
{
    /// <summary>Iterations of <see cref="CanForwardExactlyAsRepeatedTimeSteps"/>.</summary>
    internal const int ForwardIterations = 400;

    /// <summary>Iterations of <see cref="RejectsBadCallsLeavingModelBitIdentical"/>.</summary>
    internal const int RejectionIterations = 500;

    /// <summary>A dimension in 1..12, 1 a quarter of the time.</summary>
    private static readonly Gen<int> Dimension = Gen.Frequency((1, Gen.Const(1)), (3, Gen.Int[1, 12]));

    /// <summary>Any subnormal of either sign: a random non-zero mantissa under a zero exponent.</summary>
    private static readonly Gen<double> Subnormal =
        Gen.Select(Gen.Long[1, (1L << 52) - 1], Gen.Bool, (bits, negative) => BitConverter.Int64BitsToDouble(negative ? bits | long.MinValue : bits));

    /// <summary>Finite values, mostly ordinary, with the awkward ones often enough to matter.</summary>
    private static readonly Gen<double> Value = Gen.Frequency(
        (8, Gen.Double[-1.0, 1.0]),
        (2, Gen.Double[-1e3, 1e3]),
        (1, Gen.OneOf(1e3, -1e3, 0.0, -0.0, 1e-310, -1e-310, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308)),
        (1, Subnormal));

    private static readonly Gen<ModelCase> Models = Model(square: false);

    private static readonly Gen<(ModelCase Model, int Steps, double[] Inputs)> Sequences =
        from model in Models
        from steps in Gen.Frequency((1, Gen.Const(0)), (1, Gen.Const(1)), (6, Gen.Int[0, 30]))
        from inputs in Value.Array[steps * model.I]
        select (model, steps, inputs);

    private static readonly Gen<(Rejection Kind, ModelCase Model, double[] Prefix, int Variant)> Rejections =
        from kind in Gen.Enum<Rejection>()
        from model in Model(square: kind is Rejection.SamplerUniforms)
        from prefixSteps in Gen.Int[1, 5]
        from prefix in Value.Array[prefixSteps * model.I]
        from variant in Gen.Int
        select (kind, model, prefix, variant);

    /// <summary>The calls that must be refused, each built from the model's sizes and a seeded variant.</summary>
    internal enum Rejection
    {
        TimeStepShape,
        TimeStepNonFinite,
        ForwardShape,
        ForwardNonFinite,
        StateShape,
        StateNonFinite,
        BpttTargetOutOfRange,
        BpttLengthMismatch,
        BpttInitialState,
        SgdMismatchedGradients,
        AdagradMismatchedGradients,
        AdagradMemoryOfOtherModel,
        SamplerUniforms,
        SamplerOtherArguments,
    }

    [Fact]
    public void CanForwardExactlyAsRepeatedTimeSteps()
    {
        Sequences.Sample(
            c =>
            {
                (ModelCase model, int steps, double[] inputs) = c;
                Matrix<double> xs = Matrix<double>.Build.Dense(steps, model.I, (double[])inputs.Clone());
                RNN whole = model.Build(), stepped = model.Build();

                (Matrix<double> outputs, Matrix<double> states) = whole.Forward(xs);

                Assert.Equal((steps, model.O), (outputs.RowCount, outputs.ColumnCount));
                Assert.Equal((steps, model.H), (states.RowCount, states.ColumnCount));
                for (int t = 0; t < steps; t++)
                {
                    Matrix<double> y = stepped.TimeStep(xs.SubMatrix(t, 1, 0, model.I));
                    Build.AssertBitIdentical(y, outputs.SubMatrix(t, 1, 0, model.O));
                    Build.AssertBitIdentical(stepped.State, states.SubMatrix(t, 1, 0, model.H));
                }

                Build.AssertBitIdentical(stepped.State, whole.State);
                if (steps == 0)
                {
                    Build.AssertBitIdentical(whole.InitialState, whole.State);
                }
            },
            writeLine: output.WriteLine,
            iter: ForwardIterations,
            print: c => $"{c.Model}, T={c.Steps}, inputs=[{Show(c.Inputs)}]");
    }

    [Fact]
    public void RejectsBadCallsLeavingModelBitIdentical()
    {
        Rejections.Sample(
            c =>
            {
                (Rejection kind, ModelCase modelCase, double[] prefix, int variant) = c;
                RNN model = modelCase.Build();
                model.Forward(Matrix<double>.Build.Dense(prefix.Length / modelCase.I, modelCase.I, (double[])prefix.Clone()));  // a model that has stepped
                var random = new Random(variant);

                // Setting up may itself take valid steps (an Adagrad update); the snapshot comes after it.
                (string label, Action call, Func<string>? extra) = Prepare(kind, model, random);
                Matrix<double>[] before = Build.Snapshot(model);
                string? extraBefore = extra?.Invoke();

                Exception? error = Record.Exception(call);

                Assert.True(error is ArgumentException, $"{kind} ({label}): expected an ArgumentException, got {error?.GetType().Name ?? "no exception"}: {error?.Message}");
                Build.AssertUnchanged(before, model);
                Assert.Equal(extraBefore, extra?.Invoke());
            },
            writeLine: output.WriteLine,
            iter: RejectionIterations,
            print: c => $"{c.Kind}, variant {c.Variant}, {c.Model}, prefix of {c.Prefix.Length / c.Model.I} steps");
    }

    /// <summary>The rejected call of <paramref name="kind"/>, and optionally more state to compare (the optimiser's memory).</summary>
    private static (string Label, Action Call, Func<string>? Extra) Prepare(Rejection kind, RNN model, Random random)
    {
        int i = model.InputSize, h = model.HiddenSize, o = model.OutputSize;
        switch (kind)
        {
            case Rejection.TimeStepShape:
            {
                (int rows, int columns) = ShapeOtherThan(random, 1, i);
                return ($"input {rows}×{columns}", () => model.TimeStep(Finite(random, rows, columns)), null);
            }

            case Rejection.TimeStepNonFinite:
            {
                Matrix<double> input = WithNonFinite(random, Finite(random, 1, i));
                return ("non-finite input", () => model.TimeStep(input), null);
            }

            case Rejection.ForwardShape:
            {
                int rows = random.Next(0, 6), columns = OtherThan(random, i);
                return ($"inputs {rows}×{columns}", () => model.Forward(Finite(random, rows, columns)), null);
            }

            case Rejection.ForwardNonFinite:
            {
                Matrix<double> inputs = WithNonFinite(random, Finite(random, random.Next(1, 7), i));
                return ("non-finite inputs", () => model.Forward(inputs), null);
            }

            case Rejection.StateShape:
            {
                (int rows, int columns) = ShapeOtherThan(random, 1, h);
                Matrix<double> state = Finite(random, rows, columns);
                return ($"state {rows}×{columns}", () => model.State = state, null);
            }

            case Rejection.StateNonFinite:
            {
                Matrix<double> state = WithNonFinite(random, Finite(random, 1, h));
                return ("non-finite state", () => model.State = state, null);
            }

            case Rejection.BpttTargetOutOfRange:
            {
                int steps = random.Next(1, 7);
                int[] targets = Build.Targets(steps, o, random.Next());
                int[] bad = [-1, o, o + 1 + random.Next(100), int.MinValue, int.MaxValue];
                targets[random.Next(steps)] = bad[random.Next(bad.Length)];
                Matrix<double> inputs = Finite(random, steps, i);
                return ($"targets [{string.Join(", ", targets)}]", () => Bptt.Run(model, inputs, targets), null);
            }

            case Rejection.BpttLengthMismatch:
            {
                int steps = random.Next(0, 7);
                int count = random.Next(4) == 0 && steps == 0 ? 0 : OtherThan(random, steps, 9);  // T = 0 with no targets is refused too
                int[] targets = Build.Targets(count, o, random.Next());
                Matrix<double> inputs = Finite(random, steps, i);
                return ($"T={steps}, {count} targets", () => Bptt.Run(model, inputs, targets), null);
            }

            case Rejection.BpttInitialState:
            {
                int steps = random.Next(1, 7);
                Matrix<double> inputs = Finite(random, steps, i);
                int[] targets = Build.Targets(steps, o, random.Next());
                (int rows, int columns) = random.Next(2) == 0 ? ShapeOtherThan(random, 1, h) : (1, h);
                Matrix<double> start = Finite(random, rows, columns);
                if ((rows, columns) == (1, h))
                {
                    start = WithNonFinite(random, start);
                }

                return ($"initial state {rows}×{columns}", () => Bptt.Run(model, inputs, targets, start), null);
            }

            case Rejection.SgdMismatchedGradients:
            {
                Gradients gradients = Mismatched(random, model, out string why);
                return (why, () => new Sgd(0.1).Step(model, gradients), null);
            }

            case Rejection.AdagradMismatchedGradients:
            {
                var adagrad = new Adagrad(0.1);
                if (random.Next(2) == 0)
                {
                    adagrad.Step(model, ValidGradients(random, model));  // memory that a rejected step must not touch
                }

                Gradients gradients = Mismatched(random, model, out string why);
                return (why, () => adagrad.Step(model, gradients), () => Show(adagrad));
            }

            case Rejection.AdagradMemoryOfOtherModel:
            {
                // Same parameter names, one different size: the memory does not fit this model.
                bool biases = model.HiddenBias is not null;
                int which = random.Next(3);
                RNN other = Build.Network(i + (which == 0 ? 1 : 0), h + (which == 1 ? 1 : 0), o + (which == 2 ? 1 : 0), random.Next(), biases: biases);
                var adagrad = new Adagrad(0.1);
                adagrad.Step(other, ValidGradients(random, other));
                Gradients gradients = ValidGradients(random, model);
                return ($"memory of a {other.InputSize}-{other.HiddenSize}-{other.OutputSize} model", () => adagrad.Step(model, gradients), () => Show(adagrad));
            }

            case Rejection.SamplerUniforms:
            {
                // A character model (I = O): only the uniforms are wrong.
                double[] uniforms = Enumerable.Range(0, random.Next(1, 10)).Select(_ => random.NextDouble()).ToArray();
                double[] bad = [double.NaN, -double.Epsilon, -0.5, 1.0, 1.5, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue];
                uniforms[random.Next(uniforms.Length)] = bad[random.Next(bad.Length)];
                Matrix<double>? state = random.Next(2) == 0 ? null : Finite(random, 1, h);
                return ($"uniforms [{Show(uniforms)}]", () => Sampler.Sample(model, random.Next(i), uniforms, 1.0, state), null);
            }

            case Rejection.SamplerOtherArguments:
            {
                double[] uniforms = [0.25, 0.5, 0.75];
                int seedIndex = i == o ? 0 : random.Next(i);
                double temperature = 1.0;
                Matrix<double>? state = null;
                string label = i == o ? "" : "I ≠ O";
                switch (i == o ? random.Next(3) : -1)
                {
                    case 0:
                        seedIndex = new[] { -1, i, i + 1 + random.Next(10), int.MinValue }[random.Next(4)];
                        label = $"seed index {seedIndex}";
                        break;
                    case 1:
                        temperature = new[] { 0.0, -0.0, -1.0, double.NaN, double.PositiveInfinity }[random.Next(5)];
                        label = $"temperature {temperature}";
                        break;
                    case 2:
                        (int rows, int columns) = random.Next(2) == 0 ? ShapeOtherThan(random, 1, h) : (1, h);
                        state = Finite(random, rows, columns);
                        state = (rows, columns) == (1, h) ? WithNonFinite(random, state) : state;
                        label = $"state {rows}×{columns}";
                        break;
                }

                return (label, () => Sampler.Sample(model, seedIndex, uniforms, temperature, state), null);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown rejection");
        }
    }

    /// <summary>A model's own gradients from one BPTT chunk.</summary>
    private static Gradients ValidGradients(Random random, RNN model)
    {
        int steps = random.Next(1, 5);
        return Bptt.Run(model, Finite(random, steps, model.InputSize), Build.Targets(steps, model.OutputSize, random.Next())).Gradients;
    }

    /// <summary>The model's gradients with one matrix of the wrong shape, or with a bias too many or too few.</summary>
    private static Gradients Mismatched(Random random, RNN model, out string why)
    {
        Gradients g = ValidGradients(random, model);
        Matrix<double>?[] parts = [g.InputWeights, g.RecurrentWeights, g.OutputWeights, g.HiddenBias, g.OutputBias];
        bool biases = model.HiddenBias is not null;
        if (random.Next(3) == 0)
        {
            // The other set of biases: one of them added, or one of them dropped.
            int which = 3 + random.Next(2);
            parts[which] = biases ? null : Finite(random, 1, which == 3 ? model.HiddenSize : model.OutputSize);
            why = biases ? $"gradient {which} dropped" : $"gradient {which} added";
        }
        else
        {
            // Any present matrix, the last one included (so the earlier ones match and must still not be applied).
            int[] present = Enumerable.Range(0, 5).Where(k => parts[k] is not null).ToArray();
            int which = present[random.Next(present.Length)];
            Matrix<double> right = parts[which]!;
            (int rows, int columns) = ShapeOtherThan(random, right.RowCount, right.ColumnCount);
            parts[which] = Finite(random, rows, columns);
            why = $"gradient {which} is {rows}×{columns}, not {right.RowCount}×{right.ColumnCount}";
        }

        return new Gradients(parts[0]!, parts[1]!, parts[2]!, parts[3], parts[4], g.InitialState);
    }

    private static Gen<ModelCase> Model(bool square) =>
        from i in Dimension
        from h in Dimension
        from o0 in Dimension
        let o = square ? i : o0
        from activation in Gen.Enum<Activation>()
        from biases in Gen.Bool
        from inputWeights in Value.Array[i * h]
        from recurrentWeights in Value.Array[h * h]
        from outputWeights in Value.Array[h * o]
        from initialState in Value.Array[h]
        from hiddenBias in Value.Array[biases ? h : 0]
        from outputBias in Value.Array[biases ? o : 0]
        select new ModelCase(i, h, o, activation, biases, inputWeights, recurrentWeights, outputWeights, initialState, hiddenBias, outputBias);

    /// <summary>A number in [0, <paramref name="below"/>) other than <paramref name="not"/>.</summary>
    private static int OtherThan(Random random, int not, int below = 14)
    {
        int n = random.Next(below - 1);
        return n >= not ? n + 1 : n;
    }

    /// <summary>A shape in [0, 3]×[0, 13] other than <paramref name="rows"/>×<paramref name="columns"/>.</summary>
    private static (int Rows, int Columns) ShapeOtherThan(Random random, int rows, int columns)
    {
        while (true)
        {
            (int r, int c) = (random.Next(4), random.Next(14));
            if ((r, c) != (rows, columns))
            {
                return (r, c);
            }
        }
    }

    private static Matrix<double> Finite(Random random, int rows, int columns) =>
        Matrix<double>.Build.Dense(rows, columns, (_, _) => 2.0 * random.NextDouble() - 1.0);

    private static Matrix<double> WithNonFinite(Random random, Matrix<double> m)
    {
        m[random.Next(m.RowCount), random.Next(m.ColumnCount)] = new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity }[random.Next(3)];
        return m;
    }

    private static string Show(IEnumerable<double> values) => string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

    /// <summary>The optimiser's memory, every element's bits, as one comparable string.</summary>
    private static string Show(Adagrad adagrad) => string.Join(
        "; ",
        adagrad.Memory.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m =>
            $"{m.Key} {m.Value.RowCount}×{m.Value.ColumnCount} " +
            string.Join(",", m.Value.ToColumnMajorArray().Select(v => BitConverter.DoubleToInt64Bits(v).ToString("X", CultureInfo.InvariantCulture)))));

    /// <summary>A generated model: sizes, activation and every weight in column-major order (row convention).</summary>
    internal sealed record ModelCase(
        int I,
        int H,
        int O,
        Activation Activation,
        bool Biases,
        double[] InputWeights,
        double[] RecurrentWeights,
        double[] OutputWeights,
        double[] InitialState,
        double[] HiddenBias,
        double[] OutputBias)
    {
        public RNN Build() => new(
            M(I, H, InputWeights),
            M(H, H, RecurrentWeights),
            M(H, O, OutputWeights),
            M(1, H, InitialState),
            Activation,
            Biases ? M(1, H, HiddenBias) : null,
            Biases ? M(1, O, OutputBias) : null);

        public override string ToString() =>
            $"I={I} H={H} O={O} {Activation}{(Biases ? " with biases" : "")}: inputWeights=[{Show(InputWeights)}] " +
            $"recurrentWeights=[{Show(RecurrentWeights)}] outputWeights=[{Show(OutputWeights)}] initialState=[{Show(InitialState)}]" +
            (Biases ? $" hiddenBias=[{Show(HiddenBias)}] outputBias=[{Show(OutputBias)}]" : "");

        private static Matrix<double> M(int rows, int columns, double[] values) => Matrix<double>.Build.Dense(rows, columns, (double[])values.Clone());
    }
}
