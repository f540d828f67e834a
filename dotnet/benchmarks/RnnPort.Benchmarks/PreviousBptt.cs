using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Benchmarks;

/// <summary>
/// The baseline for <see cref="Bptt.Run"/>: RnnPort's BPTT as it was before the allocation-free path
/// (tanh, no biases). The forward pass is <see cref="ArticleRnn.Forward"/> (MathNet operators, new
/// matrices every step); the backward pass reads states, probabilities and inputs through <c>At</c>
/// and walks the weights row-wise for the two transposed products.
/// </summary>
internal static class PreviousBptt
{
    internal static (double Loss, Gradients Gradients) Run(ArticleRnn model, Matrix<double> inputs, int[] targets)
    {
        Matrix<double> start = model.State.Clone();
        (Matrix<double> outputs, Matrix<double> states) = model.Forward(inputs);
        double loss = Loss.CrossEntropy(outputs, targets);
        Matrix<double> probabilities = Loss.Softmax(outputs);
        (Matrix<double> inputWeights, Matrix<double> recurrentWeightsMatrix, Matrix<double> outputWeightsMatrix) = model.Weights;

        int steps = inputs.RowCount, inputSize = inputWeights.RowCount, hidden = recurrentWeightsMatrix.RowCount;
        int outputSize = outputWeightsMatrix.ColumnCount;
        double[] outputWeights = outputWeightsMatrix.AsColumnMajorArray();
        double[] recurrentWeights = recurrentWeightsMatrix.AsColumnMajorArray();
        var gradients = new Gradients(
            Matrix<double>.Build.Dense(inputSize, hidden),
            Matrix<double>.Build.Dense(hidden, hidden),
            Matrix<double>.Build.Dense(hidden, outputSize),
            null,
            null,
            Matrix<double>.Build.Dense(1, hidden));
        double[] dInput = gradients.InputWeights.AsColumnMajorArray();
        double[] dRecurrent = gradients.RecurrentWeights.AsColumnMajorArray();
        double[] dOutput = gradients.OutputWeights.AsColumnMajorArray();

        var dy = new double[outputSize];
        var dh = new double[hidden];
        var da = new double[hidden];
        var dhNext = new double[hidden];
        var h = new double[hidden];
        var previous = new double[hidden];
        for (int t = steps - 1; t >= 0; t--)
        {
            for (int j = 0; j < hidden; j++)
            {
                h[j] = states.At(t, j);
                previous[j] = t > 0 ? states.At(t - 1, j) : start.At(0, j);
            }

            for (int k = 0; k < outputSize; k++)
            {
                dy[k] = probabilities.At(t, k);
            }

            dy[targets[t]] -= 1.0;
            for (int k = 0; k < outputSize; k++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    dOutput[j + k * hidden] += h[j] * dy[k];
                }
            }

            for (int j = 0; j < hidden; j++)
            {
                double sum = 0.0;
                for (int k = 0; k < outputSize; k++)
                {
                    sum += dy[k] * outputWeights[j + k * hidden];
                }

                dh[j] = sum + dhNext[j];
                da[j] = (1.0 - h[j] * h[j]) * dh[j];
            }

            for (int j = 0; j < hidden; j++)
            {
                for (int i = 0; i < inputSize; i++)
                {
                    dInput[i + j * inputSize] += inputs.At(t, i) * da[j];
                }

                for (int i = 0; i < hidden; i++)
                {
                    dRecurrent[i + j * hidden] += previous[i] * da[j];
                }
            }

            for (int i = 0; i < hidden; i++)
            {
                double sum = 0.0;
                for (int j = 0; j < hidden; j++)
                {
                    sum += da[j] * recurrentWeights[i + j * hidden];
                }

                dhNext[i] = sum;
            }
        }

        dhNext.CopyTo(gradients.InitialState.AsColumnMajorArray(), 0);
        return (loss, gradients);
    }
}
