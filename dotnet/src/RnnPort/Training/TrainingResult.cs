namespace RnnPort;

/// <summary>
/// What <see cref="CharTrainer.Train"/> returns. NumPy twin: <c>rnnport.training.char_model.TrainResult</c>.
/// </summary>
/// <param name="Model">The trained model (<see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>), in the last chunk's state.</param>
/// <param name="Vocabulary">The text's characters; index i of the model's inputs and outputs is character i.</param>
/// <param name="Losses">The loss of every step: softmax cross-entropy summed over its chunk (nats).</param>
/// <param name="SmoothLosses">The smoothed loss after every step (0.999·previous + 0.001·loss).</param>
/// <param name="Settings">The hyper-parameters it was trained with.</param>
public sealed record TrainingResult(
    IRecurrentCell Model, Vocabulary Vocabulary, IReadOnlyList<double> Losses, IReadOnlyList<double> SmoothLosses, TrainingSettings Settings)
{
    /// <summary>The smoothed loss after the last step.</summary>
    public double SmoothLoss => SmoothLosses[^1];
}
