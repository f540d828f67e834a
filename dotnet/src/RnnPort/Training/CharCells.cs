using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>The state one chunk hands to the next: h, and an LSTM's cell state c (null for the others).</summary>
/// <param name="State">1×H.</param>
/// <param name="CellState">1×H for an LSTM; null otherwise.</param>
internal sealed record CarriedState(Matrix<double> State, Matrix<double>? CellState);

/// <summary>One chunk's BPTT result, whichever the cell: the loss, the gradients and the state to carry.</summary>
/// <param name="Loss">The summed softmax cross-entropy.</param>
/// <param name="Gradients">The gradients, for clipping and the optimiser.</param>
/// <param name="Next">The final state(s).</param>
internal sealed record ChunkResult(double Loss, IParameterGradients Gradients, CarriedState Next);

/// <summary>
/// One trainable cell of the demo. NumPy twin: <c>rnnport.training.char_cells.CharCell</c>; used by <see cref="CharTrainer"/>.
/// </summary>
/// <param name="Name"><c>--cell</c> and the model file's <c>cell</c>.</param>
/// <param name="Type">The model's class.</param>
/// <param name="Gates">Gate blocks of the input weights: V×(Gates·H) numbers, checked against the size limit.</param>
/// <param name="Make">The initial model from V, H and a weight source (rows, columns → N(0, 0.01²)); biases zero.</param>
/// <param name="Run">BPTT of one chunk from the carried state.</param>
/// <param name="Enter">Puts the carried state into the model (before sampling from it).</param>
/// <param name="Start">The model's initial state(s) (h0, an LSTM's c0): where each pass over the text starts.</param>
internal sealed record CharCell(
    string Name,
    Type Type,
    int Gates,
    Func<int, int, Func<int, int, Matrix<double>>, ITrainable> Make,
    Func<ITrainable, Matrix<double>, IReadOnlyList<int>, CarriedState, ChunkResult> Run,
    Action<ITrainable, CarriedState> Enter,
    Func<ITrainable, CarriedState> Start);

/// <summary>The registry of the demo's cells. NumPy twin: <c>rnnport.training.char_cells.CHAR_CELLS</c>.</summary>
internal static class CharCells
{
    private static Matrix<double> Zeros(int n) => Matrix<double>.Build.Dense(1, n);

    /// <summary>The cells by name.</summary>
    internal static readonly IReadOnlyDictionary<string, CharCell> All = new Dictionary<string, CharCell>(StringComparer.Ordinal)
    {
        ["rnn"] = new("rnn", typeof(RNN), 1,
            (v, h, init) => new RNN(init(v, h), init(h, h), init(h, v), hiddenBias: Zeros(h), outputBias: Zeros(v)),
            (model, inputs, targets, carried) =>
            {
                BpttResult r = Bptt.Run((RNN)model, inputs, targets, carried.State);
                return new ChunkResult(r.Loss, r.Gradients, new CarriedState(r.FinalState, null));
            },
            (model, carried) => ((RNN)model).State = carried.State,
            model => new CarriedState(((RNN)model).InitialState, null)),
        ["lstm"] = new("lstm", typeof(LSTM), 4,
            (v, h, init) => new LSTM(init(v, 4 * h), init(h, 4 * h), init(h, v), null, null, Zeros(4 * h), Zeros(4 * h), Zeros(v)),
            (model, inputs, targets, carried) =>
            {
                LstmBpttResult r = LstmBptt.Run((LSTM)model, inputs, targets, carried.State, carried.CellState);
                return new ChunkResult(r.Loss, r.Gradients, new CarriedState(r.FinalState, r.FinalCellState));
            },
            (model, carried) =>
            {
                var lstm = (LSTM)model;
                lstm.State = carried.State;
                lstm.CellState = carried.CellState!;
            },
            model => new CarriedState(((LSTM)model).InitialState, ((LSTM)model).InitialCellState)),
        ["gru"] = new("gru", typeof(GRU), 3,
            (v, h, init) => new GRU(init(v, 3 * h), init(h, 3 * h), init(h, v), null, Zeros(3 * h), Zeros(3 * h), Zeros(v)),
            (model, inputs, targets, carried) =>
            {
                GruBpttResult r = GruBptt.Run((GRU)model, inputs, targets, carried.State);
                return new ChunkResult(r.Loss, r.Gradients, new CarriedState(r.FinalState, null));
            },
            (model, carried) => ((GRU)model).State = carried.State,
            model => new CarriedState(((GRU)model).InitialState, null)),
    };
}
