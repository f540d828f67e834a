using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The gradients of a <see cref="RecurrentStack"/>'s summed loss: one per parameter, keyed by its name and shaped as
/// it (row convention), in the stack's parameter order, then those of the start states h0 (and c0), (L·D)×H.
/// NumPy twin: <c>rnnport.cells.stack_bptt.StackGradients</c>. The matrices are live: clipping scales them in place.
/// </summary>
public sealed class StackGradients : IParameterGradients
{
    private readonly List<(string Name, Matrix<double> Value)> _parameters;

    internal StackGradients(List<(string Name, Matrix<double> Value)> parameters, Matrix<double> initialStates, Matrix<double>? initialCellStates)
    {
        _parameters = parameters;
        InitialStates = initialStates;
        InitialCellStates = initialCellStates;
    }

    /// <summary>The gradient of the start states, (L·D)×H (NumPy <c>h0</c>); never applied by an optimiser.</summary>
    public Matrix<double> InitialStates { get; }

    /// <summary>The gradient of the LSTM's start cell states, (L·D)×H (NumPy <c>c0</c>), or null.</summary>
    public Matrix<double>? InitialCellStates { get; }

    /// <summary>The parameters' names, in order.</summary>
    public IReadOnlyList<string> Names => _parameters.Select(p => p.Name).ToList();

    /// <summary>The live gradient of the named parameter. NumPy twin: <c>gradients[name]</c> (transposed for a weight).</summary>
    /// <exception cref="KeyNotFoundException">No such parameter.</exception>
    public Matrix<double> this[string name] =>
        _parameters.FirstOrDefault(p => p.Name == name).Value ?? throw new KeyNotFoundException($"{name}: not a parameter of this stack");

    internal IReadOnlyList<(string Name, Matrix<double> Value)> Parameters() => _parameters;

    IReadOnlyList<(string Name, Matrix<double> Value)> IParameterGradients.Parameters() => _parameters;

    IEnumerable<(string Name, Matrix<double> Value)> IParameterGradients.Arrays() => Arrays();

    private IEnumerable<(string Name, Matrix<double> Value)> Arrays()
    {
        IEnumerable<(string, Matrix<double>)> all = _parameters.Append(("h0", InitialStates));
        return InitialCellStates is null ? all : all.Append(("c0", InitialCellStates));
    }

    /// <summary>
    /// Throws <c>"bptt: the gradient of NAME is not finite (element … is …)"</c> for the first gradient (parameter order,
    /// then h0, c0) holding NaN or ±Infinity, the element in NumPy's coordinates and C order. NumPy twin: <c>refuse_non_finite</c>.
    /// </summary>
    internal void RefuseNonFinite()
    {
        foreach ((string name, Matrix<double> g) in Arrays())
        {
            bool states = name is "h0" or "c0";
            double[] values = states ? g.ToRowMajorArray() : ColumnMajor.Storage(g);  // NumPy's C order either way
            int n = FiniteResults.FirstNonFinite(values);
            if (n < 0)
            {
                continue;
            }

            // NumPy coordinates: (row, column) of h0/c0 and of a weight's (G·H, I) twin; one index for a bias (a vector)
            string where = states
                ? $"({Guard.Number(n / g.ColumnCount)}, {Guard.Number(n % g.ColumnCount)})"
                : name.StartsWith("bias_", StringComparison.Ordinal) || name == "b_y" ? Guard.Number(n) : $"({Guard.Number(n / g.RowCount)}, {Guard.Number(n % g.RowCount)})";
            throw new NonFiniteResultException($"bptt: the gradient of {name} is not finite (element {where} is {FiniteResults.Value(values[n])})");
        }
    }
}

/// <summary>
/// One chunk of stack BPTT. NumPy twin: <c>rnnport.cells.stack_bptt.StackBpttResult</c>.
/// </summary>
/// <param name="Loss">The summed softmax cross-entropy.</param>
/// <param name="Gradients">The gradients by parameter name (and h0, c0).</param>
/// <param name="InitialStateGradients">(L·D)×H, the gradient of h0 (the same matrix as <see cref="StackGradients.InitialStates"/>).</param>
/// <param name="InitialCellStateGradients">(L·D)×H, the gradient of c0, or null.</param>
/// <param name="FinalStates">(L·D)×H: h_n, to carry into the next chunk.</param>
/// <param name="FinalCellStates">(L·D)×H: c_n, or null.</param>
public sealed record StackBpttResult(
    double Loss,
    StackGradients Gradients,
    Matrix<double> InitialStateGradients,
    Matrix<double>? InitialCellStateGradients,
    Matrix<double> FinalStates,
    Matrix<double>? FinalCellStates);
