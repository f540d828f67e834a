using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Xunit.Abstractions;

namespace RnnPort.Tests;

/// <summary>
/// Model files made to hurt the reader: cut short, mislabelled, pickled, mistyped, misshapen, declaring
/// gigantic arrays, and zip bombs. Each must be refused with a <see cref="ModelFileException"/> that says
/// why, and the huge and compressed ones before anything large is allocated: loading is measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>, and must stay under <see cref="AllocationLimit"/>.
/// </summary>
public sealed class HostileModelFileTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>What any refused load may allocate, at most: far below every declared size tested here.</summary>
    private const long AllocationLimit = 16L << 20;

    private static readonly string ValidMetadata = """{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {}, "version": 1}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-hostile-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // ---- truncated files -------------------------------------------------------------------------

    [Theory]
    [InlineData(0)]       // an empty file
    [InlineData(1)]
    [InlineData(4)]       // the local header's signature only
    [InlineData(30)]      // the first local header, without its name
    [InlineData(200)]     // inside the first entry's .npy header
    [InlineData(-1)]      // the end of central directory record's last byte
    [InlineData(-22)]     // the whole end of central directory record
    [InlineData(-23)]
    [InlineData(-100)]    // inside the central directory
    [InlineData(-1000)]   // inside the entries
    public void RejectsTruncatedFile(int cut)
    {
        byte[] bytes = SavedModel();
        byte[] kept = cut >= 0 ? bytes[..cut] : bytes[..^(-cut)];

        ModelFileException error = AssertRefused(WriteBytes(kept));

        Assert.Contains("as an .npz archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsBytesCutFromInsideEntry()
    {
        // 16 bytes gone from the middle of W_hh's data, the central directory intact: every later
        // entry's recorded offset now points 16 bytes past its local header.
        byte[] bytes = SavedModel();
        int at = DataOffset(bytes, "W_hh.npy") + 8;
        byte[] cut = [.. bytes[..at], .. bytes[(at + 16)..]];

        AssertRefused(WriteBytes(cut), "as an .npz archive");
    }

    // ---- not a zip, or not .npy inside -------------------------------------------------------------

    public static TheoryData<string, int, byte[]> BrokenSignatures => new()
    {
        { "local file header", 0, "PK\u0003\u0005"u8.ToArray() },
        { "central directory header", -1, "PK\u0001\u0003"u8.ToArray() },
        { "end of central directory", -2, "XK\u0005\u0006"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(BrokenSignatures))]
    public void RejectsWrongZipMagic(string label, int where, byte[] signature)
    {
        byte[] bytes = SavedModel();
        int at = where switch
        {
            0 => 0,
            -1 => Find(bytes, "PK\u0001\u0002"u8),
            _ => Find(bytes, "PK\u0005\u0006"u8),
        };
        signature.CopyTo(bytes, at);

        ModelFileException error = AssertRefused(WriteBytes(bytes));

        Assert.True(error.Message.Contains("as an .npz archive", StringComparison.Ordinal), $"{label}: {error.Message}");
    }

    [Fact]
    public void RejectsBareNpyAndGzipAndDirectory()
    {
        // np.load would read a bare .npy (as one array); a model file must be an archive.
        AssertRefused(WriteBytes(NpzBuilder.Npy("<f8", [3, 3], new byte[72])), "as an .npz archive");

        using var gzipped = new MemoryStream();
        using (var gzip = new GZipStream(gzipped, CompressionLevel.Optimal, leaveOpen: true))
        {
            gzip.Write(SavedModel());
        }

        AssertRefused(WriteBytes(gzipped.ToArray()), "as an .npz archive");
        AssertRefused(_directory, "cannot read");
    }

    [Fact]
    public void RejectsMissingPathWithFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent.npz")));
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(Path.Combine(_directory, "absent", "absent.npz")));
    }

    public static TheoryData<string, byte[], string> BrokenNpyEntries => new()
    {
        { "wrong magic", [.. Magic("NUMPZ"), 1, 0, .. NpzBuilder.Npy("<f8", [3, 3], new byte[72])[8..]], "no \\x93NUMPY magic" },
        { "magic without 0x93", [.. "XNUMPY"u8, 1, 0, .. NpzBuilder.Npy("<f8", [3, 3], new byte[72])[8..]], "no \\x93NUMPY magic" },
        { "a zip inside", File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "data", "numpy", "small-model.npz")), "no \\x93NUMPY magic" },
        { "empty entry", [], "as an .npz archive" },
        { "magic only", Magic("NUMPY"), "as an .npz archive" },
        { "version 4.0", [.. Magic("NUMPY"), 4, 0, .. NpzBuilder.Npy("<f8", [3, 3], new byte[72])[8..]], "format version 4.0" },
        { "version 1.1", [.. Magic("NUMPY"), 1, 1, .. NpzBuilder.Npy("<f8", [3, 3], new byte[72])[8..]], "format version 1.1" },
        { "header past the end", [.. Magic("NUMPY"), 1, 0, 0xF0, 0x00, .. "{'descr': '<f8'"u8], "shorter than its" },
        { "latin-1 junk header", NpzBuilder.Npy("", [], new byte[72], header: "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }\u00ff"), "text after the dict" },
    };

    [Theory]
    [MemberData(nameof(BrokenNpyEntries))]
    public void RejectsEntryThatIsNotNpy(string label, byte[] entry, string words)
    {
        ModelFileException error = AssertRefused(Written(NpzBuilder.ValidModel().Add("W_hh", entry)));

        Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"{label}: {error.Message}");
    }

    // ---- pickles and wrong dtypes -----------------------------------------------------------------

    [Theory]
    [InlineData("W_xh", 2)]
    [InlineData("h0", 1)]
    [InlineData("vocabulary", 1)]
    [InlineData("metadata", 1)]
    public void RejectsPickledObjectArrayWithoutUnpickling(string entry, int dimensions)
    {
        // A real protocol-0 pickle of os.system("touch MARKER"): unpickling it would create the marker.
        string marker = Path.Combine(_directory, "pwned");
        byte[] pickle = Encoding.ASCII.GetBytes($"cposix\nsystem\n(Vtouch {marker}\ntR.");
        long[] shape = dimensions == 2 ? [3, 2] : [3];

        ModelFileException error = AssertRefused(Written(NpzBuilder.ValidModel().Add(entry, NpzBuilder.Npy("|O", shape, pickle))));

        Assert.Contains($"entry '{entry}' has dtype |O", error.Message, StringComparison.Ordinal);
        Assert.Contains("pickled Python objects are never loaded", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("W_hh", "<f4", 4)]
    [InlineData("W_hh", ">f8", 8)]   // big-endian
    [InlineData("W_hh", "<i8", 8)]
    [InlineData("W_hh", "|b1", 1)]
    [InlineData("W_hh", "<c16", 16)]
    [InlineData("W_hh", "O", 8)]
    [InlineData("h0", "<f2", 2)]
    [InlineData("vocabulary", "<i8", 8)]
    [InlineData("vocabulary", ">i4", 4)]
    [InlineData("vocabulary", "<u4", 4)]
    [InlineData("metadata", "|i1", 1)]
    [InlineData("metadata", "<U1", 4)]
    public void RejectsWrongDtype(string entry, string descr, int itemSize)
    {
        long[] shape = entry == "W_hh" ? [3, 3] : entry == "h0" ? [3] : entry == "vocabulary" ? [2] : [4];
        byte[] data = new byte[shape.Aggregate(1L, (a, b) => a * b) * itemSize];

        ModelFileException error = AssertRefused(Written(NpzBuilder.ValidModel().Add(entry, NpzBuilder.Npy(descr, shape, data))));

        Assert.Contains($"entry '{entry}' has dtype {descr} and {shape.Length} dimensions, expected", error.Message, StringComparison.Ordinal);
    }

    // ---- wrong shapes ----------------------------------------------------------------------------

    public static TheoryData<string, Func<NpzBuilder>, string> WrongShapes => new()
    {
        { "W_xh of another H", () => NpzBuilder.ValidModel().Weights("W_xh", 5, 2), "W_xh has shape (5, 2), expected (3, I)" },
        { "W_hh of another H", () => NpzBuilder.ValidModel().Weights("W_hh", 2, 2).Weights("h0", 2), "W_xh has shape (3, 2), expected (2, I)" },
        { "W_hy of another H", () => NpzBuilder.ValidModel().Weights("W_hy", 4, 5), "W_hy has shape (4, 5), expected (O, 3)" },
        { "h0 of another H", () => NpzBuilder.ValidModel().Weights("h0", 2), "h0 has shape (2,), expected (3,)" },
        { "b_h of another H", () => NpzBuilder.ValidModel().Weights("b_h", 4), "b_h has shape (4,), expected (3,)" },
        { "b_y of another O", () => NpzBuilder.ValidModel().Weights("b_y", 3), "b_y has shape (3,), expected (4,)" },
        { "W_hh not square", () => NpzBuilder.ValidModel().Weights("W_hh", 3, 4), "W_hh has shape (3, 4), expected (H, H)" },
        { "W_hh three-dimensional", () => NpzBuilder.ValidModel().Weights("W_hh", 3, 3, 1), "3 dimensions, expected <f8 with 2" },
        { "W_hh a scalar", () => NpzBuilder.ValidModel().Add("W_hh", NpzBuilder.Npy("", [], NpzBuilder.Float64(1.0), header: "{'descr': '<f8', 'fortran_order': False, 'shape': (), }")), "0 dimensions, expected <f8 with 2" },
        { "H = 0", () => Model(3, 0, 4), "I, H and O must each be at least 1" },
        { "I = 0", () => Model(0, 3, 4), "I, H and O must each be at least 1" },
        { "O = 0", () => Model(2, 3, 0), "I, H and O must each be at least 1" },
        { "W_xh (0, 2^28) when H = 0", () => Model(3, 0, 4).Add("W_xh", NpzBuilder.Npy("<f8", [0, 1L << 28], [])), "W_xh has shape (0, 268435456)" },
    };

    [Theory]
    [MemberData(nameof(WrongShapes))]
    public void RejectsShapesThatDoNotFormModel(string label, Func<NpzBuilder> builder, string words)
    {
        ModelFileException error = AssertRefused(Written(builder()));

        Assert.True(error.Message.Contains(words, StringComparison.Ordinal), $"{label}: {error.Message}");
    }

    // ---- huge declared shapes with tiny bodies ---------------------------------------------------

    public static TheoryData<string, string, long[], string, string> HugeShapes => new()
    {
        { "W_hh", "<f8", [1L << 31, 1L << 31], "declares shape (2147483648, 2147483648), more than the 268435456 elements accepted", "(2^31, 2^31)" },
        { "W_hh", "<f8", [100_000, 100_000], "declares shape (100000, 100000), more than the 268435456 elements accepted", "(10^5, 10^5)" },
        { "W_hh", "<f8", [16_384, 16_384], "declares shape (16384, 16384) of <f8, 2147483648 bytes of data, but holds 72", "exactly 2^28 elements" },
        { "W_hh", "<f8", [999_999_999_999_999_999, 0], "more than the 268435456 elements accepted", "18 digits times 0" },
        { "h0", "<f8", [1L << 28], "declares shape (268435456,) of <f8, 2147483648 bytes of data, but holds 24", "(2^28,)" },
        { "vocabulary", "<i4", [1L << 28], "declares shape (268435456,) of <i4, 1073741824 bytes of data, but holds 8", "(2^28,)" },
        { "metadata", "|u1", [1L << 31], "more than the 268435456 elements accepted", "(2^31,)" },
        { "metadata", "|u1", [1L << 27], "declares shape (134217728,) of |u1, 134217728 bytes of data, but holds 8", "(2^27,)" },
    };

    [Theory]
    [MemberData(nameof(HugeShapes))]
    public void RejectsHugeDeclaredShapeBeforeAllocating(string entry, string descr, long[] shape, string words, string label)
    {
        int itemSize = descr == "<f8" ? 8 : descr == "<i4" ? 4 : 1;
        byte[] body = new byte[(entry == "W_hh" ? 9 : entry == "h0" ? 3 : 2) * itemSize];  // what the valid entry holds
        if (entry == "metadata")
        {
            body = "{\"a\": 1}"u8.ToArray();
        }

        string path = Written(NpzBuilder.ValidModel().Add(entry, NpzBuilder.Npy(descr, shape, body)));

        (ModelFileException error, long allocated) = LoadMeasured(path);

        output.WriteLine($"{entry} {label}: {allocated:N0} bytes allocated; {error.Message}");
        Assert.Contains(words, error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Fact]
    public void RejectsHugeHeaderLengthBeforeAllocating()
    {
        // A version 2.0 header may be up to 4 GiB long; 64 KiB is the most read.
        byte[] entry = [.. Magic("NUMPY"), 2, 0, 0xFF, 0xFF, 0xFF, 0xFF, .. new byte[64]];

        (ModelFileException error, long allocated) = LoadMeasured(Written(NpzBuilder.ValidModel().Add("W_hh", entry)));

        Assert.Contains("declares a 4294967295-byte header, more than the 65536 accepted", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    // ---- zip bombs -----------------------------------------------------------------------------------

    [Fact]
    public void RejectsZipBombBeforeInflating()
    {
        // W_hh declares (5000, 5000): 200,000,000 bytes of zeros, deflated to about 200 KB. The rest of
        // the model is 3-3-4, but the rejection must not wait for the shape check after the inflation.
        string path = NewPath();
        WriteModel(path, 3, 2, 4, ("W_hh", NpzBuilder.Npy("<f8", [5000, 5000], []), 200_000_000));
        AssertBomb(path, "W_hh.npy", 200_000_000);

        (ModelFileException error, long allocated) = LoadMeasured(path);

        output.WriteLine($"bomb of {new FileInfo(path).Length:N0} bytes: {allocated:N0} bytes allocated; {error.Message}");
        Assert.Contains("entry 'W_hh' inflates", error.Message, StringComparison.Ordinal);
        Assert.Contains("(a zip bomb?)", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Fact]
    public void RejectsZipBombOfConsistentModel()
    {
        // Every shape agrees (H = 5000, I = O = 1), so no shape check could catch this one; the
        // compression ratio does.
        string path = NewPath();
        WriteModel(path, 5000, 1, 1, ("W_hh", NpzBuilder.Npy("<f8", [5000, 5000], []), 200_000_000));
        AssertBomb(path, "W_hh.npy", 200_000_000);

        (ModelFileException error, long allocated) = LoadMeasured(path);

        output.WriteLine($"consistent bomb of {new FileInfo(path).Length:N0} bytes: {allocated:N0} bytes allocated; {error.Message}");
        Assert.Contains("(a zip bomb?)", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Fact]
    public void RejectsMetadataBombBeforeInflating()
    {
        // 100 MB of spaces after a JSON object: valid JSON, but the metadata is capped at 16 MiB.
        string path = NewPath();
        byte[] json = Encoding.ASCII.GetBytes(ValidMetadata);
        WriteModel(path, 3, 2, 4, ("metadata", NpzBuilder.Npy("|u1", [json.Length + 100_000_000], json), 100_000_000), fill: (byte)' ');

        (ModelFileException error, long allocated) = LoadMeasured(path);

        Assert.Contains("entry 'metadata' is 100000", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RejectsEntryInflatingPastDeclaredSize(bool crcOfDeclaredBytes)
    {
        // W_hh is a valid (3, 3) .npy followed by 200 MB of zeros, all deflated; then the central
        // directory and local header are patched to declare only the .npy's 200 bytes. Inflating stops
        // at the declared size, so even a CRC forged for those 200 bytes would pass; the stored size
        // gives the lie away before anything is inflated: ~200 KB of deflate data is never needed for
        // 200 bytes.
        string path = NewPath();
        byte[] npy = NpzBuilder.Npy("<f8", [3, 3], NpzBuilder.Float64(0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5));
        WriteModel(path, 3, 2, 4, ("W_hh", npy, 200_000_000));
        byte[] bytes = File.ReadAllBytes(path);
        int central = CentralHeader(bytes, "W_hh.npy"), local = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(central + 42));
        foreach (int at in new[] { central + 24, local + 22 })
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)npy.Length);  // the uncompressed size
        }

        if (crcOfDeclaredBytes)
        {
            foreach (int at in new[] { central + 16, local + 14 })
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), Crc32(npy));
            }
        }

        File.WriteAllBytes(path, bytes);

        (ModelFileException error, long allocated) = LoadMeasured(path);

        output.WriteLine($"declared {npy.Length} bytes, stored {BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(central + 20)):N0}: {allocated:N0} bytes allocated; {error.Message}");
        Assert.Contains("entry 'W_hh'", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than its declared 200 bytes uncompressed can need: the sizes are false", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Fact]
    public void CanLoadDeflatedModelOfOrdinaryRatio()
    {
        // The bomb rule must not refuse real compressed files: random weights, H = 400 (W_hh is 1.28 MB,
        // over the 1 MiB threshold), deflated as np.savez_compressed would.
        RNN model = Build.Network(3, 400, 3, seed: 9, biases: true);
        string saved = NewPath();
        ModelFile.Save(saved, model);
        string path = NewPath();
        using (ZipArchive source = ZipFile.OpenRead(saved), target = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (ZipArchiveEntry entry in source.Entries)
            {
                using Stream from = entry.Open(), to = target.CreateEntry(entry.FullName, CompressionLevel.SmallestSize).Open();
                from.CopyTo(to);
            }
        }

        ModelFileContents loaded = ModelFile.Load(path);

        Build.AssertUnchanged(Build.Snapshot(model), loaded.Model);
    }

    // ---- ambiguous archives ------------------------------------------------------------------------

    [Fact]
    public void RejectsEntryUnderBothNames()
    {
        // np.load would read the bare 'W_hh', this reader 'W_hh.npy': refuse rather than disagree.
        string path = NewPath();
        NpzBuilder.ValidModel().Write(path);
        using (ZipArchive archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using Stream entry = archive.CreateEntry("W_hh").Open();
            entry.Write(NpzBuilder.Npy("<f8", [3, 3], NpzBuilder.Float64(9, 9, 9, 9, 9, 9, 9, 9, 9)));
        }

        AssertRefused(path, "entry 'W_hh' is ambiguous: the archive holds both 'W_hh.npy' and 'W_hh'");
    }

    [Fact]
    public void RejectsRepeatedEntry()
    {
        // Two entries named W_hh.npy: Python's zipfile (so np.load) reads the last, ZipArchive the first.
        string path = NewPath();
        NpzBuilder.ValidModel().Write(path);
        using (ZipArchive archive = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            using Stream entry = archive.CreateEntry("W_hh.npy").Open();
            entry.Write(NpzBuilder.Npy("<f8", [3, 3], NpzBuilder.Float64(9, 9, 9, 9, 9, 9, 9, 9, 9)));
        }

        AssertRefused(path, "entry 'W_hh' is ambiguous: the archive holds 'W_hh.npy' twice");
    }

    // ---- metadata -------------------------------------------------------------------------------------

    [Theory]
    [InlineData("""{"format": "rnnport-model", "version": 1e400}""", "does not describe")]
    [InlineData("""{"format": "rnnport-model", "version": 1.0000000000000002}""", "does not describe")]
    [InlineData("\uFEFF{\"format\": \"rnnport-model\", \"version\": 1}", "metadata is not UTF-8 JSON")]
    [InlineData("""{"format": "rnnport-model", "version": 1, "activation": ["tanh"]}""", "unknown activation [\"tanh\"]")]
    [InlineData("""{"format": "rnnport-model", "version": 1} {}""", "metadata is not UTF-8 JSON")]
    public void RejectsHostileMetadata(string json, string words)
    {
        AssertRefused(Written(NpzBuilder.ValidModel().Metadata(json)), words);
    }

    [Fact]
    public void RejectsDeeplyNestedMetadataQuickly()
    {
        string json = """{"format": "rnnport-model", "version": 1, "hyperparameters": """ + new string('[', 1_000_000) + new string(']', 1_000_000) + "}";

        (ModelFileException error, long allocated) = LoadMeasured(Written(NpzBuilder.ValidModel().Metadata(json)));

        Assert.Contains("maximum configured depth", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    // ---- helpers --------------------------------------------------------------------------------------

    /// <summary>A valid NpzBuilder model of any sizes (zeros allowed): W_xh (H, I), W_hh (H, H), W_hy (O, H), h0 (H,).</summary>
    private static NpzBuilder Model(int inputs, int hidden, int outputs) => new NpzBuilder()
        .Weights("W_xh", hidden, inputs)
        .Weights("W_hh", hidden, hidden)
        .Weights("W_hy", outputs, hidden)
        .Weights("h0", hidden)
        .Vocabulary()
        .Metadata(ValidMetadata);

    /// <summary>
    /// Writes an H-I-O model of zeros, stored, except for one entry: its <paramref name="bomb"/> bytes
    /// then its <c>Zeros</c> more bytes of <paramref name="fill"/>, deflated, streamed in 1 MiB chunks.
    /// </summary>
    private static void WriteModel(string path, int hidden, int inputs, int outputs, (string Name, byte[] Head, long Zeros) bomb, byte fill = 0)
    {
        using ZipArchive archive = ZipFile.Open(path, ZipArchiveMode.Create);
        byte[] json = Encoding.ASCII.GetBytes(ValidMetadata);
        var entries = new (string Name, byte[] Bytes)[]
        {
            ("W_xh", NpzBuilder.Npy("<f8", [hidden, inputs], new byte[8 * hidden * inputs])),
            ("W_hh", NpzBuilder.Npy("<f8", [hidden, hidden], new byte[8 * hidden * hidden])),
            ("W_hy", NpzBuilder.Npy("<f8", [outputs, hidden], new byte[8 * outputs * hidden])),
            ("h0", NpzBuilder.Npy("<f8", [hidden], new byte[8 * hidden])),
            ("vocabulary", NpzBuilder.Npy("<i4", [0], [])),
            ("metadata", NpzBuilder.Npy("|u1", [json.Length], json)),
        };
        foreach ((string name, byte[] bytes) in entries)
        {
            if (name != bomb.Name)
            {
                using Stream entry = archive.CreateEntry(name + ".npy", CompressionLevel.NoCompression).Open();
                entry.Write(bytes);
                continue;
            }

            using Stream deflated = archive.CreateEntry(name + ".npy", CompressionLevel.Optimal).Open();
            deflated.Write(bomb.Head);
            byte[] chunk = new byte[1 << 20];
            Array.Fill(chunk, fill);
            for (long left = bomb.Zeros; left > 0; left -= chunk.Length)
            {
                deflated.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
            }
        }
    }

    /// <summary>Checks that the test file really is a bomb: small on disk, huge inflated.</summary>
    private void AssertBomb(string path, string entry, long atLeast)
    {
        using ZipArchive archive = ZipFile.OpenRead(path);
        ZipArchiveEntry bomb = archive.GetEntry(entry)!;
        output.WriteLine($"{entry}: {bomb.CompressedLength:N0} bytes stored, {bomb.Length:N0} inflated; file {new FileInfo(path).Length:N0} bytes");
        Assert.True(bomb.Length >= atLeast && bomb.CompressedLength < 1 << 20, $"{bomb.CompressedLength} → {bomb.Length}");
    }

    /// <summary>Loads <paramref name="path"/>, which must be refused, counting the bytes this thread allocates meanwhile.</summary>
    private static (ModelFileException Error, long Allocated) LoadMeasured(string path)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Exception? error = Record.Exception(() => ModelFile.Load(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (Assert.IsType<ModelFileException>(error), allocated);
    }

    private static ModelFileException AssertRefused(string path, string? words = null)
    {
        ModelFileException error = Assert.Throws<ModelFileException>(() => ModelFile.Load(path));
        if (words is not null)
        {
            Assert.Contains(words, error.Message, StringComparison.Ordinal);
        }

        return error;
    }

    /// <summary>The bytes of a small valid file written by the library: biases, a vocabulary and hyperparameters.</summary>
    private byte[] SavedModel()
    {
        string path = NewPath();
        ModelFile.Save(path, Build.Network(3, 4, 3, seed: 21, biases: true), Vocabulary.Of("xyz"), new() { ["seq_length"] = 25 });
        return File.ReadAllBytes(path);
    }

    private string NewPath() => Path.Combine(_directory, $"model{_files++}.npz");

    private string Written(NpzBuilder builder)
    {
        string path = NewPath();
        builder.Write(path);
        return path;
    }

    private string WriteBytes(byte[] bytes)
    {
        string path = NewPath();
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>0x93 then <paramref name="text"/>: the .npy magic when the text is NUMPY.</summary>
    private static byte[] Magic(string text) => [0x93, .. Encoding.ASCII.GetBytes(text)];

    private static int Find(byte[] bytes, ReadOnlySpan<byte> what)
    {
        int at = bytes.AsSpan().IndexOf(what);
        Assert.True(at >= 0, "signature not found");
        return at;
    }

    /// <summary>The offset of the central directory header of entry <paramref name="name"/>.</summary>
    private static int CentralHeader(byte[] bytes, string name)
    {
        byte[] wanted = Encoding.ASCII.GetBytes(name);
        for (int at = 0; at + 46 + wanted.Length <= bytes.Length; at++)
        {
            if (bytes.AsSpan(at, 4).SequenceEqual("PK\u0001\u0002"u8)
                && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 28)) == wanted.Length
                && bytes.AsSpan(at + 46, wanted.Length).SequenceEqual(wanted))
            {
                return at;
            }
        }

        throw new InvalidOperationException($"no central directory header for {name}");
    }

    /// <summary>The offset of entry <paramref name="name"/>'s data: after its local header, name and extra field.</summary>
    private static int DataOffset(byte[] bytes, string name)
    {
        int local = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(CentralHeader(bytes, name) + 42));
        return local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(local + 28));
    }

    /// <summary>CRC-32 (IEEE), bit by bit: the zip checksum, written out here so the test does not trust the library's.</summary>
    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
