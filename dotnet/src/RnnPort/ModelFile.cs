using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort;

/// <summary>
/// The model file both languages read and write. NumPy twin: <c>rnnport.modelfile</c>. A <c>.npz</c>
/// (a zip of <c>.npy</c> arrays, stored uncompressed as <c>np.savez</c> writes it) holding:
/// <code>
/// entry        dtype  NumPy shape   C# value
/// W_xh         &lt;f8    (H, I)        InputWeights     (I×H) = W_xhᵀ
/// W_hh         &lt;f8    (H, H)        RecurrentWeights (H×H) = W_hhᵀ
/// W_hy         &lt;f8    (O, H)        OutputWeights    (H×O) = W_hyᵀ
/// h0           &lt;f8    (H,)          InitialState     (1×H)
/// b_h, b_y     &lt;f8    (H,), (O,)    HiddenBias (1×H), OutputBias (1×O); only when the model has them
/// vocabulary   &lt;i4    (V,)          code points in index order; V = 0 when there is none
/// metadata     |u1    (N,)          UTF-8 JSON {"activation", "format": "rnnport-model", "hyperparameters", "version": 1}
/// </code>
/// The arrays are in NumPy's C order, which is exactly the column-major order of the C# transposes:
/// the (H, I) buffer of <c>W_xh</c> read as a column-major I×H matrix is <c>W_xhᵀ</c>, with no shuffling.
/// </summary>
/// <remarks>
/// Reading never executes anything from the file (object arrays are refused) and never allocates
/// more than the entries' real lengths allow: every declared shape is checked against the entry's
/// size first, an entry's size against the archive's, and no array may exceed 2^28 elements. Each
/// entry's CRC-32 is checked, as Python's <c>zipfile</c> checks it. Against zip bombs, an entry over
/// 1 MiB uncompressed may not claim a compression ratio above 64:1 (trained weights barely compress),
/// and no entry may hold more compressed bytes than its declared size can need; both are checked on
/// the central directory, before anything is inflated. A model with I, H or O = 0, and an archive
/// holding an entry twice (the same name repeated, or both <c>W_hh</c> and <c>W_hh.npy</c>), which
/// NumPy would read differently, are refused too.
/// </remarks>
public static class ModelFile
{
    /// <summary>The metadata's <c>format</c> value (NumPy <c>FORMAT</c>).</summary>
    public const string Format = "rnnport-model";

    /// <summary>The metadata's <c>version</c> value (NumPy <c>VERSION</c>).</summary>
    public const int Version = 1;

    /// <summary>The largest metadata entry read: 16 MiB of JSON.</summary>
    private const long MaxMetadataBytes = 1L << 24;

    /// <summary>Deflate cannot expand data by more than about 1032:1; a larger claimed ratio is a lie (or a bomb).</summary>
    private const long MaxDeflateRatio = 1100;

    /// <summary>
    /// Entries up to this size (1 MiB) uncompressed may compress as well as they like (zero biases and
    /// initial states do); larger ones are held to <see cref="MaxCompressionRatio"/>.
    /// </summary>
    private const long CompressionCheckedAbove = 1L << 20;

    /// <summary>
    /// Trained float64 weights barely compress (their mantissas are noise); an entry over 1 MiB that
    /// claims more than 64:1 is a zip bomb (e.g. 200 MB of zeros in 200 KB), refused before it is inflated.
    /// </summary>
    private const long MaxCompressionRatio = 64;

    /// <summary>The zip timestamp of every entry written: fixed, so that the same model gives the same bytes.</summary>
    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Writes <paramref name="model"/> (its weights, biases and initial state; not its current state) to
    /// <paramref name="path"/>, replacing any file there. NumPy twin: <c>save(path, model, vocabulary, hyperparameters)</c>.
    /// The metadata JSON is byte for byte what Python's <c>json.dumps(..., sort_keys=True)</c> writes.
    /// </summary>
    /// <param name="path">The file to write, full name (nothing is appended), e.g. <c>model.npz</c>.</param>
    /// <param name="model">The network.</param>
    /// <param name="vocabulary">The characters of a character model (V must equal I), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The vocabulary's size is not I, or a hyperparameter is a non-finite number (checked before the
    /// file is opened); or <paramref name="path"/> is not a valid path.
    /// </exception>
    /// <exception cref="AtomicWriteException">
    /// The file cannot be written (a full disk, a missing directory, no permission): the previous file, if
    /// any, is left byte for byte as it was, since the file is replaced atomically (<see cref="AtomicFile"/>).
    /// </exception>
    public static void Save(string path, RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, Writer(model, vocabulary, hyperparameters));
    }

    /// <summary>
    /// Writes <paramref name="model"/> to an open stream, in place (not atomically), leaving the stream open.
    /// NumPy twin: <c>save(stream, model, vocabulary, hyperparameters)</c> with an open binary file.
    /// </summary>
    /// <param name="stream">A writable stream; the archive starts at its current position.</param>
    /// <param name="model">The network.</param>
    /// <param name="vocabulary">The characters of a character model (V must equal I), or null.</param>
    /// <param name="hyperparameters">Training settings stored as JSON; an empty object when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException">As for <see cref="Save(string, RNN, Vocabulary?, JsonObject?)"/>, checked before anything is written.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static void Save(Stream stream, RNN model, Vocabulary? vocabulary = null, JsonObject? hyperparameters = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Writer(model, vocabulary, hyperparameters)(stream);
    }

    /// <summary>Checks the arguments now and returns what writes the archive to a stream.</summary>
    private static Action<Stream> Writer(RNN model, Vocabulary? vocabulary, JsonObject? hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (vocabulary is not null && vocabulary.Count != model.InputSize)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"vocabulary has {vocabulary.Count} characters, the model takes {model.InputSize} inputs"),
                nameof(vocabulary));
        }

        var metadata = new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["activation"] = ActivationFunctions.Name(model.Activation),
            ["hyperparameters"] = hyperparameters?.DeepClone() ?? new JsonObject(),
        };
        byte[] metadataBytes = Encoding.UTF8.GetBytes(PythonJson.Serialize(metadata));  // ASCII: every other character is escaped
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

        return stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach ((string name, Matrix<double> value, bool oneDimensional) in arrays)
            {
                // A C# matrix is the transpose of its NumPy twin, and column-major: its storage is the
                // twin's C order. The twin's shape is (columns, rows), or (columns,) for a 1×n row.
                long[] shape = oneDimensional ? [value.ColumnCount] : [value.ColumnCount, value.RowCount];
                WriteEntry(archive, name, entry => Npy.WriteFloat64(entry, shape, value.AsColumnMajorArray() ?? value.ToColumnMajorArray()));
            }

            WriteEntry(archive, "vocabulary", entry => Npy.WriteInt32(entry, codes));
            WriteEntry(archive, "metadata", entry => Npy.WriteUInt8(entry, metadataBytes));
        };
    }

    /// <summary>
    /// Reads a model file written by either language. NumPy twin: <c>load(path)</c>. The model's
    /// state starts at the stored initial state.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The model, its vocabulary (null when V = 0) and its hyperparameters.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a valid path.</exception>
    /// <exception cref="FileNotFoundException">The file, or its directory, does not exist.</exception>
    /// <exception cref="ModelFileException">
    /// Anything else: the file cannot be read, is not a zip, lacks an entry, has a wrong dtype
    /// (anything but &lt;f8 weights, &lt;i4 vocabulary, |u1 metadata; object arrays included), a wrong number of
    /// dimensions, shapes that do not form a model (an empty dimension included), non-finite weights, a
    /// truncated, oversized, over-compressed (zip bomb) or ambiguously named entry,
    /// metadata that is not UTF-8 JSON of format <see cref="Format"/> version <see cref="Version"/>, an unknown
    /// activation, or a vocabulary with invalid or repeated code points or of a size other than I.
    /// </exception>
    public static ModelFileContents Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (DirectoryNotFoundException error)
        {
            throw new FileNotFoundException($"no such file: '{path}'", path, error);
        }
        catch (Exception error) when (error is (IOException or UnauthorizedAccessException) and not FileNotFoundException)
        {
            throw new ModelFileException($"cannot read '{path}': {error.Message}", error);
        }

        using (stream)
        {
            ZipArchive archive;
            try
            {
                archive = new ZipArchive(stream, ZipArchiveMode.Read);
            }
            catch (Exception error) when (error is InvalidDataException or IOException)
            {
                throw new ModelFileException($"cannot read '{path}' as an .npz archive: {error.Message}", error);
            }

            using (archive)
            {
                return Read(archive, stream.Length, path);
            }
        }
    }

    private static ModelFileContents Read(ZipArchive archive, long fileLength, string path)
    {
        // Everything is extracted (and checked) first, then interpreted, in the NumPy twin's order.
        Matrix<double> inputWeights, recurrentWeights, outputWeights, initialState;
        Matrix<double>? hiddenBias = null, outputBias = null;
        long[] inputShape, recurrentShape, outputShape, initialShape;
        long[]? hiddenBiasShape = null, outputBiasShape = null;
        int[] codes;
        byte[] metadataBytes;
        try
        {
            (inputWeights, inputShape) = ReadMatrix(archive, "W_xh", fileLength);
            (recurrentWeights, recurrentShape) = ReadMatrix(archive, "W_hh", fileLength);
            (outputWeights, outputShape) = ReadMatrix(archive, "W_hy", fileLength);
            (initialState, initialShape) = ReadRow(archive, "h0", fileLength);
            if (Find(archive, "b_h") is not null)
            {
                (Matrix<double> m, long[] s) = ReadRow(archive, "b_h", fileLength);
                (hiddenBias, hiddenBiasShape) = (m, s);
            }

            if (Find(archive, "b_y") is not null)
            {
                (Matrix<double> m, long[] s) = ReadRow(archive, "b_y", fileLength);
                (outputBias, outputBiasShape) = (m, s);
            }

            codes = ReadEntry(archive, "vocabulary", "<i4", fileLength, Npy.MaxElements * 4, Npy.ReadInt32).Values;
            metadataBytes = ReadEntry(archive, "metadata", "|u1", fileLength, MaxMetadataBytes, Npy.ReadUInt8).Values;
        }
        catch (Exception error) when (error is InvalidDataException or (IOException and not ModelFileException))
        {
            // Corrupt deflate data, a CRC mismatch, an entry that ends early, an unsupported compression method.
            throw new ModelFileException($"cannot read '{path}' as an .npz archive: {error.Message}", error);
        }

        JsonObject metadata = ParseMetadata(metadataBytes);
        Activation activation = ReadActivation(metadata);

        // Shapes in NumPy terms first, so that a message names the file's arrays, as the twin's does.
        long hidden = recurrentShape[0];
        CheckShape("W_hh", recurrentShape, hidden, hidden, "(H, H)");
        CheckShape("W_xh", inputShape, hidden, null, $"({hidden}, I)");
        CheckShape("W_hy", outputShape, null, hidden, $"(O, {hidden})");
        CheckShape("h0", initialShape, hidden, null, $"({hidden},)");
        if (hiddenBiasShape is not null)
        {
            CheckShape("b_h", hiddenBiasShape, hidden, null, $"({hidden},)");
        }

        if (outputBiasShape is not null)
        {
            CheckShape("b_y", outputBiasShape, outputShape[0], null, $"({outputShape[0]},)");
        }

        // An empty dimension makes no model, and would let a few bytes declare W_xh (0, 2^28): a model
        // whose every input row needs 2 GiB.
        if (hidden == 0 || inputShape[1] == 0 || outputShape[0] == 0)
        {
            throw new ModelFileException(
                $"the arrays do not form a model: W_xh has shape {Npy.Format(inputShape)} and W_hy {Npy.Format(outputShape)}, " +
                "but I, H and O must each be at least 1");
        }

        RNN model;
        try
        {
            model = new RNN(inputWeights, recurrentWeights, outputWeights, initialState, activation, hiddenBias, outputBias);
        }
        catch (ArgumentException error)
        {
            // Shapes were checked above, so this is a non-finite value; the message names it in C# terms.
            throw new ModelFileException($"the arrays do not form a model: {error.Message}", error);
        }

        Vocabulary? vocabulary = ReadVocabulary(codes, model.InputSize);
        JsonObject hyperparameters = metadata["hyperparameters"] is JsonObject hyper ? (JsonObject)hyper.DeepClone() : [];
        return new ModelFileContents(model, vocabulary, hyperparameters);
    }

    private static void CheckShape(string name, long[] shape, long? first, long? second, string expected)
    {
        bool ok = (first is null || shape[0] == first) && (shape.Length < 2 || second is null || shape[1] == second);
        if (!ok)
        {
            throw new ModelFileException($"the arrays do not form a model: {name} has shape {Npy.Format(shape)}, expected {expected}");
        }
    }

    private static JsonObject ParseMetadata(byte[] bytes)
    {
        JsonNode? root;
        try
        {
            string text = new UTF8Encoding(false, true).GetString(bytes);
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (Exception error) when (error is DecoderFallbackException or JsonException)
        {
            throw new ModelFileException($"metadata is not UTF-8 JSON: {error.Message}", error);
        }

        bool versionOk = root is JsonObject o
            && o["version"] is JsonValue version
            && version.GetValueKind() == JsonValueKind.Number
            && version.GetValue<double>() == Version;
        if (!versionOk || root!["format"] is not JsonValue format || format.GetValueKind() != JsonValueKind.String
            || format.GetValue<string>() != Format)
        {
            throw new ModelFileException($"metadata does not describe an {Format} version {Version} file");
        }

        return (JsonObject)root;
    }

    private static Activation ReadActivation(JsonObject metadata)
    {
        if (!metadata.TryGetPropertyValue("activation", out JsonNode? node))
        {
            return Activation.Tanh;  // the twin's default
        }

        try
        {
            string name = node is JsonValue value && value.GetValueKind() == JsonValueKind.String
                ? value.GetValue<string>()
                : throw new ArgumentException($"unknown activation {node?.ToJsonString() ?? "null"}: expected 'tanh' or 'relu'");
            return ActivationFunctions.Parse(name);
        }
        catch (ArgumentException error)
        {
            throw new ModelFileException($"the arrays do not form a model: {error.Message}", error);
        }
    }

    private static Vocabulary? ReadVocabulary(int[] codes, int inputSize)
    {
        if (codes.Length == 0)
        {
            return null;
        }

        var runes = new System.Text.Rune[codes.Length];
        for (int i = 0; i < codes.Length; i++)
        {
            if (!System.Text.Rune.IsValid(codes[i]))
            {
                throw new ModelFileException(
                    string.Create(CultureInfo.InvariantCulture, $"vocabulary holds an invalid code point: vocabulary[{i}] = {codes[i]}"));
            }

            runes[i] = new System.Text.Rune(codes[i]);
        }

        Vocabulary vocabulary;
        try
        {
            vocabulary = new Vocabulary(runes);
        }
        catch (ArgumentException error)
        {
            throw new ModelFileException($"vocabulary is not a list of distinct characters: {error.Message}", error);
        }

        if (vocabulary.Count != inputSize)
        {
            throw new ModelFileException(
                string.Create(CultureInfo.InvariantCulture, $"vocabulary has {vocabulary.Count} characters, the model takes {inputSize} inputs"));
        }

        return vocabulary;
    }

    /// <summary>A 2-D '&lt;f8' entry of NumPy shape (r, c), as the c×r C# matrix (its transpose).</summary>
    private static (Matrix<double> Value, long[] Shape) ReadMatrix(ZipArchive archive, string name, long fileLength)
    {
        (double[] data, Npy.Header header) = ReadEntry(archive, name, "<f8", fileLength, Npy.MaxElements * 8, Npy.ReadFloat64, dimensions: 2);
        int rows = (int)header.Shape[0], columns = (int)header.Shape[1];
        Matrix<double> value = header.FortranOrder
            ? Matrix<double>.Build.Dense(rows, columns, data).Transpose()   // column-major (r, c): transpose to c×r
            : Matrix<double>.Build.Dense(columns, rows, data);              // C order (r, c) = column-major c×r, as is
        return (value, header.Shape);
    }

    /// <summary>A 1-D '&lt;f8' entry of NumPy shape (n,), as a 1×n C# row.</summary>
    private static (Matrix<double> Value, long[] Shape) ReadRow(ZipArchive archive, string name, long fileLength)
    {
        (double[] data, Npy.Header header) = ReadEntry(archive, name, "<f8", fileLength, Npy.MaxElements * 8, Npy.ReadFloat64);
        return (Matrix<double>.Build.Dense(1, data.Length, data), header.Shape);
    }

    private static ZipArchiveEntry? Find(ZipArchive archive, string name)
    {
        // np.load accepts both spellings but prefers the bare name, and Python's zipfile reads the last
        // of repeated names where ZipArchive.GetEntry gives the first: a file holding an entry twice
        // could show the two languages different arrays, so it is refused.
        ZipArchiveEntry? found = null;
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            if (entry.FullName != name && entry.FullName != name + ".npy")
            {
                continue;
            }

            if (found is not null)
            {
                throw new ModelFileException(found.FullName == entry.FullName
                    ? $"entry '{name}' is ambiguous: the archive holds '{entry.FullName}' twice"
                    : $"entry '{name}' is ambiguous: the archive holds both '{name}.npy' and '{name}'");
            }

            found = entry;
        }

        return found;
    }

    private static (T[] Values, Npy.Header Header) ReadEntry<T>(
        ZipArchive archive, string name, string descr, long fileLength, long maxDataBytes, Func<Stream, Npy.Header, T[]> read, int dimensions = 1)
    {
        ZipArchiveEntry entry = Find(archive, name) ?? throw new ModelFileException($"missing entry '{name}'");

        // Sizes from the central directory, checked before anything is read or allocated: the stored
        // (compressed) bytes must fit in the file, and the claimed uncompressed size must be plausible.
        long length = entry.Length, compressed = entry.CompressedLength;
        if (length < 0 || compressed < 0 || compressed > fileLength)
        {
            throw new ModelFileException($"entry '{name}' claims {compressed} stored bytes, but the file has {fileLength}");
        }

        if (length > maxDataBytes + Npy.MaxHeaderBytes + 16)
        {
            throw new ModelFileException($"entry '{name}' is {length} bytes uncompressed, more than the {maxDataBytes + Npy.MaxHeaderBytes + 16} accepted");
        }

        if (length > (compressed * MaxDeflateRatio) + 4096)
        {
            throw new ModelFileException($"entry '{name}' claims {length} bytes from {compressed} stored bytes, an impossible compression ratio");
        }

        if (length > CompressionCheckedAbove && length > compressed * MaxCompressionRatio)
        {
            throw new ModelFileException(
                $"entry '{name}' inflates {compressed} stored bytes to {length}, a compression ratio above the " +
                $"{MaxCompressionRatio}:1 accepted for entries over {CompressionCheckedAbove} bytes (a zip bomb?)");
        }

        // Deflate expands incompressible data by at most 12.5% (fixed Huffman codes) plus a few bytes:
        // more stored bytes than that means the entry inflates past its declared size. Such data would be
        // cut off unread at the declared size; refuse it rather than load half of what the file holds.
        if (compressed > length + (length / 4) + 1024)
        {
            throw new ModelFileException(
                $"entry '{name}' has {compressed} stored bytes, more than its declared {length} bytes uncompressed can need: the sizes are false");
        }

        using var stream = new Crc32Stream(entry.Open());
        Npy.Header header = Npy.ReadHeader(stream, length, name, descr, dimensions);
        T[] values = read(stream, header);  // reads to the entry's end, so the CRC covers every byte
        if (stream.Crc != entry.Crc32)
        {
            throw new ModelFileException($"entry '{name}' fails its CRC-32 check: the file is corrupt");
        }

        return (values, header);
    }

    private static void WriteEntry(ZipArchive archive, string name, Action<Stream> write)
    {
        ZipArchiveEntry entry = archive.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
        entry.LastWriteTime = EntryTime;
        using Stream stream = entry.Open();
        write(stream);
    }
}
