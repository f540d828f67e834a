using System.Globalization;
using System.Runtime.InteropServices;
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
/// entry        dtype  NumPy shape   C# value
/// W_xh         &lt;f8    (H, I)        InputWeights     (I×H) = W_xhᵀ
/// W_hh         &lt;f8    (H, H)        RecurrentWeights (H×H) = W_hhᵀ
/// W_hy         &lt;f8    (O, H)        OutputWeights    (H×O) = W_hyᵀ
/// h0           &lt;f8    (H,)          InitialState     (1×H)
/// b_h, b_y     &lt;f8    (H,), (O,)    HiddenBias (1×H), OutputBias (1×O); each optional
/// vocabulary   &lt;i4    (V,)          code points in index order; V = 0, or V = I = O
/// metadata     |u1    (N,)          UTF-8 JSON {"activation", "format": "rnnport-model", "hyperparameters", "version": 1}
/// </code>
/// The arrays are in NumPy's C order, which is exactly the column-major order of the C# transposes:
/// the (H, I) buffer of <c>W_xh</c> read as a column-major I×H matrix is <c>W_xhᵀ</c>, with no shuffling.
/// </summary>
public static class ModelFile
{
    /// <summary>The metadata's <c>format</c> value (NumPy <c>FORMAT</c>).</summary>
    public const string Format = "rnnport-model";

    /// <summary>The metadata's <c>version</c> value (NumPy <c>VERSION</c>).</summary>
    public const int Version = 1;

    private static readonly string[] Floats = ["W_xh", "W_hh", "W_hy", "h0", "b_h", "b_y"];
    private static readonly string[] Required = ["W_xh", "W_hh", "W_hy", "h0", "vocabulary", "metadata"];
    private static readonly HashSet<string> Names =
        new(Floats.Concat(["vocabulary", "metadata"]).Select(n => n + ".npy"), StringComparer.Ordinal);

    /// <summary>
    /// Writes <paramref name="model"/> (its weights, biases and initial state; not its current state) to
    /// <paramref name="path"/>, replacing any file there. NumPy twin: <c>save(path, model, vocabulary, hyperparameters)</c>.
    /// Everything the specification requires is checked before the file is opened (rules W1–W4).
    /// </summary>
    /// <param name="path">The file to write, full name (nothing is appended), e.g. <c>model.npz</c>.</param>
    /// <param name="model">The network.</param>
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
    public static void Save(string path, RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
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
    /// <param name="model">The network.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Save(string, RNN, Vocabulary?, JsonObject?)"/>, checked before anything is written.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static void Save(Stream stream, RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(Encode(model, vocabulary, hyperparameters));
    }

    /// <summary>
    /// The bytes of the model file, after every writer check of the specification (W1–W4). NumPy twin: <c>encode</c>.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="vocabulary">The characters of a character model (V = I = O), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">The file would break the specification.</exception>
    public static byte[] Encode(RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(model);
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

        byte[] metadata = ModelMetadata.Encode(model.Activation, hyperparameters);
        int[] codes = vocabulary?.Runes.Select(r => r.Value).ToArray() ?? [];

        // Entry order as np.savez writes the twin's dict: weights, h0, biases, vocabulary, metadata.
        var arrays = new List<(string Name, Matrix<double> Value, bool OneDimensional)>
        {
            ("W_xh", model.InputWeights, false),
            ("W_hh", model.RecurrentWeights, false),
            ("W_hy", model.OutputWeights, false),
            ("h0", model.InitialState, true),
        };
        if (model.HiddenBias is { } hiddenBias)
        {
            arrays.Add(("b_h", hiddenBias, true));
        }

        if (model.OutputBias is { } outputBias)
        {
            arrays.Add(("b_y", outputBias, true));
        }

        long total = arrays.Sum(a => (8L * a.Value.RowCount * a.Value.ColumnCount) + 1024) + (4L * codes.Length) + metadata.Length + 2048;
        if (total > NpzArchive.MaxArchiveBytes)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"the model file would be over {NpzArchive.MaxArchiveBytes} bytes"), nameof(model));
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

        foreach (string name in Required)
        {
            if (!arrays.ContainsKey(name))
            {
                throw NpzArchive.Refuse("M1", $"missing entry '{name}.npy'");
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

        long[] inputShape = arrays["W_xh"].Header.Shape, outputShape = arrays["W_hy"].Header.Shape;
        long hidden = inputShape[0], inputs = inputShape[1], outputs = outputShape[0];
        var expected = new (string Name, long[] Shape)[]
        {
            ("W_hh", [hidden, hidden]), ("W_xh", [hidden, inputs]), ("W_hy", [outputs, hidden]),
            ("h0", [hidden]), ("b_h", [hidden]), ("b_y", [outputs]),
        };
        foreach ((string name, long[] shape) in expected)
        {
            if (arrays.TryGetValue(name, out var array) && !array.Header.Shape.SequenceEqual(shape))
            {
                throw NpzArchive.Refuse("M4", $"the arrays do not form a model: {name} has shape {Npy.Format(array.Header.Shape)}, " +
                    $"expected {Npy.Format(shape)} (from W_xh {Npy.Format(inputShape)} and W_hy {Npy.Format(outputShape)})");
            }
        }

        if (inputs < 1 || hidden < 1 || outputs < 1)
        {
            throw NpzArchive.Refuse("M4", $"a model needs I, H, O ≥ 1; W_xh is {Npy.Format(inputShape)}, W_hy {Npy.Format(outputShape)}");
        }

        var floats = new Dictionary<string, Matrix<double>>(StringComparer.Ordinal);
        foreach (string name in Floats)
        {
            if (arrays.TryGetValue(name, out var array))
            {
                floats[name] = FloatMatrix(name, array.Header, array.Bytes);
            }
        }

        int[] codes = Elements(arrays["vocabulary"], 4, static b => BitConverter.ToInt32(b));
        Vocabulary? vocabulary = ReadVocabulary(codes, (int)inputs, (int)outputs);
        JsonObject metadata = ModelMetadata.Parse(Elements(arrays["metadata"], 1, static b => b[0]));
        Activation activation = ActivationFunctions.Parse(metadata["activation"]!.GetValue<string>());
        var model = new RNN(
            floats["W_xh"], floats["W_hh"], floats["W_hy"], floats["h0"], activation, floats.GetValueOrDefault("b_h"), floats.GetValueOrDefault("b_y"));
        return new ModelFileContents(model, vocabulary, (JsonObject)metadata["hyperparameters"]!.DeepClone());
    }

    /// <summary>A '&lt;f8' entry as its C# value: NumPy (r, c) → the c×r transpose, (n,) → a 1×n row; finite (M5).</summary>
    private static Matrix<double> FloatMatrix(string name, Npy.Header header, byte[] bytes)
    {
        double[] data = Elements((header, bytes), 8, static b => BitConverter.ToDouble(b));
        for (int i = 0; i < data.Length; i++)
        {
            if (!double.IsFinite(data[i]))
            {
                throw NpzArchive.Refuse("M5", string.Create(CultureInfo.InvariantCulture, $"{name} element {i} (in file order) = {data[i]} is not finite"));
            }
        }

        if (header.Shape.Length == 1)
        {
            return Matrix<double>.Build.Dense(1, data.Length, data);
        }

        int rows = (int)header.Shape[0], columns = (int)header.Shape[1];
        return header.FortranOrder
            ? Matrix<double>.Build.Dense(rows, columns, data).Transpose()   // column-major (r, c): transpose to c×r
            : Matrix<double>.Build.Dense(columns, rows, data);              // C order (r, c) = column-major c×r, as is
    }

    private static T[] Elements<T>((Npy.Header Header, byte[] Bytes) array, int itemSize, Func<byte[], T> decode)
        where T : unmanaged
    {
        (Npy.Header header, byte[] bytes) = array;
        if (BitConverter.IsLittleEndian)
        {
            // The data are little-endian ('<f8', '<i4', '|u1'): one block copy.
            return MemoryMarshal.Cast<byte, T>(bytes.AsSpan((int)header.PreambleLength, (int)(header.Count * itemSize))).ToArray();
        }

        var values = new T[header.Count];
        var item = new byte[itemSize];
        for (long i = 0; i < header.Count; i++)
        {
            Array.Copy(bytes, header.PreambleLength + (i * itemSize), item, 0, itemSize);
            Array.Reverse(item);
            values[i] = decode(item);
        }

        return values;
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

    private static byte[] Entry(Action<Stream> write)
    {
        using var stream = new MemoryStream();
        write(stream);
        return stream.ToArray();
    }
}
