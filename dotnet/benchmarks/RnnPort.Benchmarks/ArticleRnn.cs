using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// The baseline: the article's <c>TimeStep</c> written with MathNet's operators, as RnnPort computed it
/// before the allocation-free path (tanh, no biases). Every operator allocates a new matrix:
/// <c>state·W_rec</c>, <c>input·W_in</c>, their sum, the tanh of it, and the output product.
/// </summary>
internal sealed class ArticleRnn
{
    private readonly Matrix<double> _inputWeights;      // I×H
    private readonly Matrix<double> _recurrentWeights;  // H×H
    private readonly Matrix<double> _outputWeights;     // H×O
    private Matrix<double> _state;                      // 1×H

    internal ArticleRnn(Matrix<double> inputWeights, Matrix<double> recurrentWeights, Matrix<double> outputWeights)
    {
        Numerics.UseManagedProvider();
        _inputWeights = inputWeights;
        _recurrentWeights = recurrentWeights;
        _outputWeights = outputWeights;
        _state = Matrix<double>.Build.Dense(1, recurrentWeights.RowCount);
    }

    /// <summary>The article: <c>state = tanh(state·W_rec + input·W_in)</c>, returns <c>state·W_out</c>.</summary>
    internal Matrix<double> TimeStep(Matrix<double> input)
    {
        _state = (_state.Multiply(_recurrentWeights) + input.Multiply(_inputWeights)).PointwiseTanh();
        return _state.Multiply(_outputWeights);
    }

    /// <summary>
    /// RnnPort's Forward before the allocation-free path: all input projections in one product, then
    /// per step <c>tanh(state·W_rec + projected_t)</c> with MathNet's operators, and one output product.
    /// </summary>
    internal (Matrix<double> Outputs, Matrix<double> States) Forward(Matrix<double> inputs)
    {
        int steps = inputs.RowCount, hidden = _recurrentWeights.RowCount;
        Matrix<double> projected = inputs.Multiply(_inputWeights);
        Matrix<double> states = Matrix<double>.Build.Dense(steps, hidden);
        Matrix<double> state = _state;
        for (int t = 0; t < steps; t++)
        {
            state = (state.Multiply(_recurrentWeights) + projected.SubMatrix(t, 1, 0, hidden)).PointwiseTanh();
            states.SetRow(t, state.Row(0));
        }

        _state = state;
        return (states.Multiply(_outputWeights), states);
    }

    /// <summary>Zeros the state (a new matrix, as the old RnnPort did).</summary>
    internal void Reset() => _state = Matrix<double>.Build.Dense(1, _recurrentWeights.RowCount);

    /// <summary>The weights, for the MathNet-operator BPTT baseline.</summary>
    internal (Matrix<double> Input, Matrix<double> Recurrent, Matrix<double> Output) Weights =>
        (_inputWeights, _recurrentWeights, _outputWeights);

    /// <summary>The current state (live).</summary>
    internal Matrix<double> State => _state;
}
