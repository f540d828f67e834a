using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Bridge;

/// <summary>The stack's factory and its update for the bridge (see <see cref="Construct"/>).</summary>
public static partial class Construct
{
    /// <summary>
    /// <see cref="RecurrentStack"/>'s constructor; NumPy twin <c>rnnport.cells.stack.RecurrentStack(...)</c>. The
    /// parameters cross as two parallel arrays (names, matrices), in the caller's order, which the checks follow.
    /// </summary>
    /// <param name="cell"><c>rnn</c>, <c>lstm</c> or <c>gru</c>.</param>
    /// <param name="names">torch's names.</param>
    /// <param name="values">The matrices, each the transpose of its NumPy weight or the 1×n row of its bias.</param>
    /// <param name="numLayers">L.</param>
    /// <param name="bidirectional">D = 2 when true.</param>
    /// <param name="nonlinearity"><c>tanh</c> or <c>relu</c>.</param>
    /// <param name="outputWeights">D·H×O or null.</param>
    /// <param name="outputBias">1×O or null.</param>
    /// <param name="initialStates">(L·D)×H or null.</param>
    /// <param name="initialCellStates">(L·D)×H or null.</param>
    /// <returns>The stack, or the exception that refused it.</returns>
    public static Outcome<RecurrentStack> Stack(
        string cell, string[] names, Matrix<double>[] values, int numLayers, bool bidirectional, string nonlinearity,
        Matrix<double>? outputWeights, Matrix<double>? outputBias, Matrix<double>? initialStates, Matrix<double>? initialCellStates) =>
        Outcome<RecurrentStack>.Of(() =>
        {
            StackLayout.Gates(cell);  // the constructor's first check, before the nonlinearity is parsed here
            var parameters = new Dictionary<string, Matrix<double>>(StringComparer.Ordinal);
            for (int i = 0; i < names.Length; i++)
            {
                parameters.Add(names[i], values[i]);
            }

            return new RecurrentStack(cell, parameters, numLayers, bidirectional, ActivationFunctions.Parse(nonlinearity),
                                      outputWeights, outputBias, initialStates, initialCellStates);
        });

    /// <summary>
    /// <see cref="RecurrentStack"/>'s <c>ApplyUpdate</c>, all or nothing; NumPy twin <c>RecurrentStack.apply_update</c>.
    /// </summary>
    /// <param name="stack">The stack.</param>
    /// <param name="names">The parameters to write.</param>
    /// <param name="values">Their new values, each in NumPy's C order (the C# storage order).</param>
    /// <returns>Null, or the exception that refused the update (nothing written).</returns>
    public static Exception? StackUpdate(RecurrentStack stack, string[] names, double[][] values)
    {
        try
        {
            ((ITrainable)stack).ApplyUpdate(names.Zip(values, (n, v) => (n, v)).ToList());
            return null;
        }
#pragma warning disable CA1031 // handed back to the caller, not swallowed
        catch (Exception error)
#pragma warning restore CA1031
        {
            return error;
        }
    }
}
