using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The model file both languages read and write. NumPy twin: <c>rnnport.io.model_file</c>.
/// <c>docs/model-file.md</c> is the specification; this class is its sections M, V and W (do these
/// arrays form a model; what a writer checks), on top of <see cref="NpzArchive"/> and <see cref="Npy"/>
/// (F, Z, N: is this a safe archive of <c>.npy</c> arrays) and <see cref="ModelMetadata"/> (D).
/// <code>
/// entry             dtype  NumPy shape   C# value
/// W_xh or W_ih      &lt;f8    (gH, I)       InputWeights     (I×gH) = W_xhᵀ or W_ihᵀ; g = 1 (RNN), 4 (LSTM), 3 (GRU)
/// W_hh              &lt;f8    (gH, H)       RecurrentWeights (H×gH) = W_hhᵀ
/// W_hy              &lt;f8    (O, H)        OutputWeights    (H×O) = W_hyᵀ
/// h0 (c0: LSTM)     &lt;f8    (H,)          InitialState (InitialCellState), 1×H
/// biases            &lt;f8    (gH,), (O,)   RNN b_h, b_y; LSTM and GRU b_ih, b_hh, b_y; each optional
/// vocabulary        &lt;i4    (V,)          code points in index order; V = 0, or V = I = O
/// metadata          |u1    (N,)          UTF-8 JSON {"activation", "cell", "format": "rnnport-model", "hyperparameters", "version": 2}
/// </code>
/// The cells and their entries are <see cref="ModelFileCells"/>; version 1 files (no <c>cell</c>) are RNNs.
/// The arrays are in NumPy's C order, which is exactly the column-major order of the C# transposes:
/// the (H, I) buffer of <c>W_xh</c> read as a column-major I×H matrix is <c>W_xhᵀ</c>, with no shuffling.
/// </summary>
public static partial class ModelFile
{
    /// <summary>The metadata's <c>format</c> value (NumPy <c>FORMAT</c>).</summary>
    public const string Format = "rnnport-model";

    /// <summary>The metadata's <c>version</c> value that writers write (NumPy <c>VERSION</c>); readers also read version 1.</summary>
    public const int Version = 2;

    private static readonly HashSet<string> Names =
        new(ModelFileCells.EntryNames.Concat(StackFileLayout.TorchNames).Concat(["vocabulary", "metadata"]).Select(n => n + ".npy"), StringComparer.Ordinal);

    /// <summary>
    /// Writes <paramref name="model"/> (its weights, biases and initial state; not its current state) to
    /// <paramref name="path"/>, replacing any file there. NumPy twin: <c>save(path, model, vocabulary, hyperparameters)</c>.
    /// Everything the specification requires is checked before the file is opened (rules W1–W4).
    /// </summary>
    /// <param name="path">The file to write, full name (nothing is appended), e.g. <c>model.npz</c>.</param>
    /// <param name="model">The network: an <see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>.</param>
    /// <param name="vocabulary">The characters of a character model (V must equal I and O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The file would break the specification: I, H or O is 0, the vocabulary's size is not I = O, a
    /// hyperparameter is a non-finite number or holds a lone surrogate, the JSON nests too deep or is too
    /// large (checked before the file is opened); or <paramref name="path"/> is not a valid path.
    /// </exception>
    /// <exception cref="AtomicWriteException">
    /// The file cannot be written (a full disk, a missing directory, no permission): the previous file, if
    /// any, is left byte for byte as it was, since the file is replaced atomically (<see cref="AtomicFile"/>).
    /// </exception>
    public static void Save(string path, IRecurrentCell model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = Encode(model, vocabulary, hyperparameters);
        AtomicFile.Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Writes <paramref name="model"/> to an open stream, in place (not atomically), leaving the stream open.
    /// NumPy twin: <c>save(stream, model, vocabulary, hyperparameters)</c> with an open binary file.
    /// </summary>
    /// <param name="stream">A writable stream; the archive starts at its current position.</param>
    /// <param name="model">The network: an <see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Save(string, IRecurrentCell, Vocabulary?, JsonObject?)"/>, checked before anything is written.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static void Save(Stream stream, IRecurrentCell model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(model, vocabulary, hyperparameters));
    }

    /// <summary>
    /// The bytes of the model file, after every writer check of the specification (W1–W4). NumPy twin: <c>encode</c>.
    /// </summary>
    /// <param name="model">The network: an <see cref="RNN"/>, <see cref="LSTM"/> or <see cref="GRU"/>.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The file would break the specification, or the model is no cell the file can hold.</exception>
    public static byte[] Encode(IRecurrentCell model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        (CellFormat cell, (string Name, Matrix<double>? Value)[] values) = ModelFileCells.Of(model);
        int inputs = model.InputSize, hidden = model.HiddenSize, outputs = model.OutputSize;
        if (inputs < 1 || hidden < 1 || outputs < 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"a model file needs I, H, O ≥ 1; this model has I = {inputs}, H = {hidden}, O = {outputs}"),
                nameof(model));
        }

        if (vocabulary is not null && (vocabulary.Count != inputs || vocabulary.Count != outputs))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"vocabulary has {vocabulary.Count} characters; a character model needs V = I = O, here I = {inputs}, O = {outputs}"),
                nameof(vocabulary));
        }

        string activation = model is RNN rnn ? ActivationFunctions.Name(rnn.Activation) : ModelMetadata.GatedActivation;
        byte[] metadata = ModelMetadata.Encode(cell.Name, activation, hyperparameters);
        int[] codes = vocabulary?.Runes.Select(r => r.Value).ToArray() ?? [];

        // Entry order as np.savez writes the twin's dict: the cell's arrays in writer order, vocabulary, metadata.
        return Archive(
            values.Where(v => v.Value is not null).Select(v => (v.Name, v.Value!, !v.Name.StartsWith("W_", StringComparison.Ordinal))),
            codes, metadata);
    }

    /// <summary>
    /// Reads a model file written by either language, checked by every rule of <c>docs/model-file.md</c>.
    /// NumPy twin: <c>load(path)</c>. The model's state starts at the stored initial state.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The model, its vocabulary (null when V = 0) and its hyperparameters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ModelFileException">
    /// Anything else: a missing path, a directory, FIFO or device, not a safe archive of <c>.npy</c>
    /// arrays, arrays that do not form a model, a bad vocabulary or metadata. The message ends with the
    /// rule's id, e.g. <c>[Z7]</c>.
    /// </exception>
    public static ModelFileContents Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Dictionary<string, byte[]> entries = NpzArchive.ReadEntries(NpzArchive.ReadFile(path), Names);
        var arrays = new Dictionary<string, (Npy.Header Header, byte[] Bytes)>(StringComparer.Ordinal);
        foreach ((string entry, byte[] bytes) in entries)
        {
            string name = entry[..^4];
            Npy.Header header = Npy.Parse(entry, bytes);
            string dtype = name switch { "vocabulary" => "<i4", "metadata" => "|u1", _ => "<f8" };
            if (header.Descr != dtype)
            {
                throw NpzArchive.Refuse("M2", $"entry '{entry}' has dtype {header.Descr}, expected {dtype}");
            }

            arrays[name] = (header, bytes);
        }

        if (!arrays.TryGetValue("metadata", out var metadataEntry))
        {
            throw NpzArchive.Refuse("M1", "missing entry 'metadata.npy'");
        }

        (JsonObject metadata, CellFormat cell, StackFileLayout? stack) = ModelMetadata.Parse(Elements(metadataEntry, 1, static b => b[0]));
        (Dictionary<string, Matrix<double>> floats, long inputs, long outputs) = stack is null ? CheckArrays(cell, arrays) : CheckStackArrays(stack, arrays);
        int[] codes = Elements(arrays["vocabulary"], 4, static b => BitConverter.ToInt32(b));
        Vocabulary? vocabulary = ReadVocabulary(codes, (int)inputs, (int)outputs);
        Activation activation = ActivationFunctions.Parse(metadata["activation"]!.GetValue<string>());
        var hyperparameters = (JsonObject)metadata["hyperparameters"]!.DeepClone();
        return stack is null
            ? new ModelFileContents(cell.Build(floats, activation), vocabulary, hyperparameters)
            : new ModelFileContents(BuildStack(stack, floats, activation), vocabulary, hyperparameters);
    }

    /// <summary>M1, M3, M4, M5 for <paramref name="cell"/>: its entries' C# values by name, I and O. NumPy twin: <c>_check_arrays</c>.</summary>
    private static (Dictionary<string, Matrix<double>> Floats, long Inputs, long Outputs) CheckArrays(
        CellFormat cell, Dictionary<string, (Npy.Header Header, byte[] Bytes)> arrays)
    {
        foreach (string name in cell.Required.Append("vocabulary"))
        {
            if (!arrays.ContainsKey(name))
            {
                throw NpzArchive.Refuse("M1", $"missing entry '{name}.npy' (cell {cell.Name})");
            }
        }

        foreach (string name in arrays.Keys)
        {
            if (!cell.Floats.Contains(name) && name is not ("vocabulary" or "metadata"))
            {
                throw NpzArchive.Refuse("M1", $"entry '{name}.npy' is not one of cell {cell.Name}'s");
            }
        }

        foreach ((string name, (Npy.Header header, _)) in arrays)
        {
            int dimensions = name.StartsWith("W_", StringComparison.Ordinal) ? 2 : 1;
            if (header.Shape.Length != dimensions)
            {
                throw NpzArchive.Refuse("M3", string.Create(CultureInfo.InvariantCulture, $"entry '{name}.npy' has {header.Shape.Length} dimensions, expected {dimensions}"));
            }
        }

        long hidden = arrays["W_hh"].Header.Shape[1], inputs = arrays[cell.InputWeights].Header.Shape[1], outputs = arrays["W_hy"].Header.Shape[0];
        foreach ((string name, long[] shape) in cell.Shapes(inputs, hidden, outputs))
        {
            if (arrays.TryGetValue(name, out var array) && !array.Header.Shape.SequenceEqual(shape))
            {
                throw NpzArchive.Refuse("M4", string.Create(CultureInfo.InvariantCulture, $"the arrays do not form a model: {name} has shape {Npy.Format(array.Header.Shape)}, " +
                    $"expected {Npy.Format(shape)} (I, H, O = {inputs}, {hidden}, {outputs} from {cell.InputWeights}, W_hh and W_hy)"));
            }
        }

        if (inputs < 1 || hidden < 1 || outputs < 1)
        {
            throw NpzArchive.Refuse("M4", string.Create(CultureInfo.InvariantCulture, $"a model needs I, H, O ≥ 1; here I, H, O = {inputs}, {hidden}, {outputs}"));
        }

        return (FiniteFloats(cell.Floats, arrays), inputs, outputs);
    }

    private static Vocabulary? ReadVocabulary(int[] codes, int inputs, int outputs)
    {
        if (codes.Length == 0)
        {
            return null;
        }

        if (codes.Length != inputs || codes.Length != outputs)
        {
            throw NpzArchive.Refuse("V1", string.Create(
                CultureInfo.InvariantCulture, $"vocabulary has {codes.Length} characters; a character model needs V = I = O, here I = {inputs}, O = {outputs}"));
        }

        var runes = new Rune[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            if (!Rune.IsValid(codes[i]))
            {
                throw NpzArchive.Refuse("V2", string.Create(CultureInfo.InvariantCulture, $"vocabulary[{i}] = {codes[i]} is not a Unicode scalar value"));
            }

            runes[i] = new Rune(codes[i]);
        }

        if (runes.Distinct().Count() != runes.Length)
        {
            throw NpzArchive.Refuse("V3", "vocabulary holds a character twice");
        }

        return new Vocabulary(runes);
    }

    /// <summary>The archive of float entries (C# values; 1×n rows for the 1-D ones), the vocabulary and the metadata bytes.</summary>
    private static byte[] Archive(IEnumerable<(string Name, Matrix<double> Value, bool OneDimensional)> floats, int[] codes, byte[] metadata)
    {
        var arrays = floats.ToList();
        long total = arrays.Sum(a => (8L * a.Value.RowCount * a.Value.ColumnCount) + 1024) + (4L * codes.Length) + metadata.Length + 2048;
        if (total > NpzArchive.MaxArchiveBytes)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"the model file would be over {NpzArchive.MaxArchiveBytes} bytes"), "model");
        }

        var writer = new NpzWriter();
        foreach ((string name, Matrix<double> value, bool oneDimensional) in arrays)
        {
            // A C# matrix is the transpose of its NumPy twin, and column-major: its storage is the
            // twin's C order. The twin's shape is (columns, rows), or (columns,) for a 1×n row.
            long[] shape = oneDimensional ? [value.ColumnCount] : [value.ColumnCount, value.RowCount];
            writer.Add(name + ".npy", Entry(stream => Npy.WriteFloat64(stream, shape, ColumnMajor.ReadOnly(value))));
        }

        writer.Add("vocabulary.npy", Entry(stream => Npy.WriteInt32(stream, codes)));
        writer.Add("metadata.npy", Entry(stream => Npy.WriteUInt8(stream, metadata)));
        return writer.ToArray();
    }

    private static byte[] Entry(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }
}
