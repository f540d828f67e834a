using System.Globalization;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>Version 3 of the model file: a <see cref="RecurrentStack"/> under torch's names (section S of <c>docs/model-file.md</c>).</summary>
public static partial class ModelFile
{
    /// <summary>
    /// Writes <paramref name="stack"/> (its parameters and initial states; not its current state) to <paramref name="path"/>
    /// as a version 3 file, replacing any file there atomically. NumPy twin: <c>save(path, stack, vocabulary, hyperparameters)</c>.
    /// </summary>
    /// <param name="path">The file to write, full name (nothing is appended).</param>
    /// <param name="stack">The stack.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="stack"/> is null.</exception>
    /// <exception cref="ArgumentException">The file would break the specification (checked before the file is opened).</exception>
    /// <exception cref="AtomicWriteException">The file cannot be written; the previous file is left as it was.</exception>
    public static void Save(string path, RecurrentStack stack, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Encode(stack, vocabulary, hyperparameters);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>Writes <paramref name="stack"/> to an open stream, in place (not atomically). NumPy twin: <c>save(stream, stack, ...)</c>.</summary>
    /// <param name="stream">A writable stream; the archive starts at its current position.</param>
    /// <param name="stack">The stack.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="stack"/> is null.</exception>
    /// <exception cref="ArgumentException">The file would break the specification (checked before anything is written).</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static void Save(Stream stream, RecurrentStack stack, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(stack, vocabulary, hyperparameters));
    }

    /// <summary>The bytes of the version 3 file of <paramref name="stack"/>, after the writer checks (W1–W4). NumPy twin: <c>encode</c>.</summary>
    /// <param name="stack">The stack.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stack"/> is null.</exception>
    /// <exception cref="ArgumentException">The file would break the specification (I, H or O is 0, more than 64 layers, a bad vocabulary or hyperparameters).</exception>
    public static byte[] Encode(RecurrentStack stack, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        int inputs = stack.InputSize, hidden = stack.HiddenSize, outputs = stack.OutputSize;
        if (inputs < 1 || hidden < 1 || outputs < 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"a model file needs I, H, O ≥ 1; this stack has I = {inputs}, H = {hidden}, O = {outputs}"), nameof(stack));
        }

        if (stack.NumLayers > ModelMetadata.MaxLayers)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"a model file holds 1 to {ModelMetadata.MaxLayers} layers; this stack has num_layers = {stack.NumLayers}"), nameof(stack));
        }

        if (vocabulary is not null && (vocabulary.Count != inputs || vocabulary.Count != outputs))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"vocabulary has {vocabulary.Count} characters; a character model needs V = I = O, here I = {inputs}, O = {outputs}"),
                nameof(vocabulary));
        }

        string activation = stack.CellName == "rnn" ? ActivationFunctions.Name(stack.Nonlinearity) : ModelMetadata.GatedActivation;
        byte[] metadata = ModelMetadata.Encode(stack.CellName, activation, hyperparameters, (stack.NumLayers, stack.Bidirectional));
        int[] codes = vocabulary?.Runes.Select(r => r.Value).ToArray() ?? [];

        // Writer order: the parameters in torch's order (then W_hy, b_y), then h0 (and c0). The states are
        // (L·D)×H in C# as in NumPy, not transposed: the archive stores the C# matrix of the NumPy transpose.
        var floats = stack.ParameterNames
            .Select(name => (name, stack.Parameter(name), name.StartsWith("bias_", StringComparison.Ordinal) || name == "b_y"))
            .Append(("h0", stack.InitialStates.Transpose(), false)).ToList();
        if (stack.InitialCellStates is { } cellStates)
        {
            floats.Add(("c0", cellStates.Transpose(), false));
        }

        return Archive(floats, codes, metadata);
    }

    /// <summary>Section S: M1, M6, M7, M3, M4, M5 for a version 3 file: its entries' C# values by name, I and O. NumPy twin: <c>_check_stack_arrays</c>.</summary>
    private static (Dictionary<string, Matrix<double>> Floats, long Inputs, long Outputs) CheckStackArrays(
        StackFileLayout layout, Dictionary<string, (Npy.Header Header, byte[] Bytes)> arrays)
    {
        string what = string.Create(CultureInfo.InvariantCulture, $"{layout.Cell.Name} stack, num_layers {layout.Layers}, {(layout.Directions == 2 ? "bi" : "uni")}directional");
        foreach (string name in layout.Required.Append("vocabulary"))
        {
            if (!arrays.ContainsKey(name))
            {
                throw NpzArchive.Refuse("M1", $"missing entry '{name}.npy' ({what})");
            }
        }

        var allowed = new HashSet<string>(layout.Floats, StringComparer.Ordinal);
        foreach (string name in arrays.Keys)
        {
            if (!allowed.Contains(name) && name is not ("vocabulary" or "metadata"))
            {
                throw NpzArchive.Refuse("M1", $"entry '{name}.npy' is not one of a {what}'s");
            }
        }

        string[] present = layout.Biases.Where(arrays.ContainsKey).ToArray();
        if (present.Length > 0 && present.Length != layout.Biases.Length)
        {
            string missing = layout.Biases.First(n => !arrays.ContainsKey(n));
            throw NpzArchive.Refuse("M6", $"missing entry '{missing}.npy': a stack has every bias or none ({present[0]} is present)");
        }

        if (arrays.ContainsKey("b_y") && !arrays.ContainsKey("W_hy"))
        {
            throw NpzArchive.Refuse("M7", "entry 'b_y.npy' without 'W_hy.npy': an output bias needs the output layer");
        }

        foreach ((string name, (Npy.Header header, _)) in arrays)
        {
            int dimensions = allowed.Contains(name) && StackFileLayout.TwoDimensional(name) ? 2 : 1;
            if (header.Shape.Length != dimensions)
            {
                throw NpzArchive.Refuse("M3", string.Create(CultureInfo.InvariantCulture, $"entry '{name}.npy' has {header.Shape.Length} dimensions, expected {dimensions}"));
            }
        }

        long hidden = arrays["weight_hh_l0"].Header.Shape[1], inputs = arrays["weight_ih_l0"].Header.Shape[1];
        bool output = arrays.TryGetValue("W_hy", out var outputWeights);
        long outputs = output ? outputWeights.Header.Shape[0] : layout.Directions * hidden;
        foreach ((string name, long[] shape) in layout.Shapes(inputs, hidden, outputs))
        {
            if (arrays.TryGetValue(name, out var array) && !array.Header.Shape.SequenceEqual(shape))
            {
                throw NpzArchive.Refuse("M4", string.Create(CultureInfo.InvariantCulture, $"the arrays do not form a model: {name} has shape {Npy.Format(array.Header.Shape)}, " +
                    $"expected {Npy.Format(shape)} (I, H, O = {inputs}, {hidden}, {outputs} from weight_ih_l0, weight_hh_l0 and {(output ? "W_hy" : "D·H")})"));
            }
        }

        if (inputs < 1 || hidden < 1 || outputs < 1)
        {
            throw NpzArchive.Refuse("M4", string.Create(CultureInfo.InvariantCulture, $"a model needs I, H, O ≥ 1; here I, H, O = {inputs}, {hidden}, {outputs}"));
        }

        return (FiniteFloats(layout.Floats, arrays), inputs, outputs);
    }

    /// <summary>The stack of checked entries (C# values: weights transposed, biases 1×n, states as read, to be transposed back).</summary>
    private static RecurrentStack BuildStack(StackFileLayout layout, Dictionary<string, Matrix<double>> floats, Activation activation)
    {
        var parameters = floats.Where(p => p.Key.StartsWith("weight_", StringComparison.Ordinal) || p.Key.StartsWith("bias_", StringComparison.Ordinal))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return new RecurrentStack(
            layout.Cell.Name, parameters, layout.Layers, layout.Directions == 2, activation,
            floats.GetValueOrDefault("W_hy"), floats.GetValueOrDefault("b_y"),
            floats["h0"].Transpose(), floats.GetValueOrDefault("c0")?.Transpose());
    }
}
