using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>
/// The constructors the bridge calls, as static factories that return an <see cref="Outcome{T}"/>
/// instead of throwing across pythonnet (see <see cref="Outcome{T}"/> for why). The checks and the
/// messages are the constructors' own: the C# library stays the authority on what it refuses.
/// </summary>
public static partial class Construct
{
    /// <summary><see cref="RNN(Matrix{double}, Matrix{double}, Matrix{double}, Matrix{double}?, Activation, Matrix{double}?, Matrix{double}?)"/>; NumPy twin <c>rnnport.RNN(...)</c>.</summary>
    /// <param name="inputWeights">I×H.</param>
    /// <param name="recurrentWeights">H×H.</param>
    /// <param name="outputWeights">H×O.</param>
    /// <param name="initialState">1×H or null.</param>
    /// <param name="activation">The activation's name, <c>tanh</c> or <c>relu</c>.</param>
    /// <param name="hiddenBias">1×H or null.</param>
    /// <param name="outputBias">1×O or null.</param>
    /// <returns>The model, or the exception that refused it.</returns>
    public static Outcome<RNN> Rnn(
        Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double> outputWeights,
        Matrix<double>? initialState, string activation, Matrix<double>? hiddenBias, Matrix<double>? outputBias) =>
        Outcome<RNN>.Of(() => new RNN(
            inputWeights, recurrentWeights, outputWeights, initialState,
            ActivationFunctions.Parse(activation), hiddenBias, outputBias));

    /// <summary><see cref="RnnPort.Sgd(double)"/>; NumPy twin <c>rnnport.training.optimizers.SGD(learning_rate)</c>.</summary>
    /// <param name="learningRate">Finite and &gt; 0.</param>
    /// <returns>The optimiser, or the exception that refused it.</returns>
    public static Outcome<Sgd> Sgd(double learningRate) => Outcome<Sgd>.Of(() => new Sgd(learningRate));

    /// <summary><see cref="RnnPort.Adagrad(double, double)"/>; NumPy twin <c>rnnport.training.optimizers.Adagrad(learning_rate, eps)</c>.</summary>
    /// <param name="learningRate">Finite and &gt; 0.</param>
    /// <param name="epsilon">Finite and &gt; 0.</param>
    /// <returns>The optimiser, or the exception that refused it.</returns>
    public static Outcome<Adagrad> Adagrad(double learningRate, double epsilon) =>
        Outcome<Adagrad>.Of(() => new Adagrad(learningRate, epsilon));

    /// <summary>
    /// <see cref="RnnPort.Vocabulary(IEnumerable{Rune})"/> from code points, in their order; NumPy twin
    /// <c>rnnport.training.vocabulary.Vocabulary(chars)</c>. Code points, not a string: a Python string holding a lone
    /// surrogate cannot become a .NET string (pythonnet aborts the process on it), but its code points can
    /// cross and be refused here.
    /// </summary>
    /// <param name="codePoints">The characters' code points (Python's <c>ord(c)</c>), each once.</param>
    /// <returns>The vocabulary, or the exception that refused it (a repeated character, a surrogate or a
    /// value that is no Unicode scalar, none at all).</returns>
    public static Outcome<Vocabulary> Vocabulary(int[] codePoints) =>
        Outcome<Vocabulary>.Of(() => new Vocabulary(Runes(codePoints)));

    private static List<Rune> Runes(int[] codePoints)
    {
        ArgumentNullException.ThrowIfNull(codePoints);
        var runes = new List<Rune>(codePoints.Length);
        for (int i = 0; i < codePoints.Length; i++)
        {
            if (!Rune.IsValid(codePoints[i]))
            {
                throw new ArgumentException(
                    $"vocabulary[{i}] = U+{codePoints[i]:X4} is not a Unicode scalar value (a lone surrogate?)", nameof(codePoints));
            }

            runes.Add(new Rune(codePoints[i]));
        }

        return runes;
    }
}
