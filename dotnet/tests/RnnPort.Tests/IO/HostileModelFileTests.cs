using System.IO.Compression;
using System.Text;
using Xunit.Abstractions;

namespace RnnPort.Tests;

/// <summary>
/// Zip bombs, refused by rule Z7 of docs/model-file.md from the declared sizes, before anything large
/// is allocated: loading is measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/> and must
/// stay under <see cref="AllocationLimit"/>. Every other hostile file is a case of the conformance
/// corpus (parity_tests/model_files/, <see cref="ModelFileCorpusTests"/>).
/// </summary>
public sealed class HostileModelFileTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>What any refused load may allocate, at most: far below every declared size tested here.</summary>
    private const long AllocationLimit = 16L << 20;

    private static readonly string ValidMetadata = """{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {}, "version": 1}""";

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-hostile-").FullName;
    private int _files;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

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
        Assert.Contains("entry 'W_hh.npy' inflates", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("refused as a zip bomb (over 64:1) [Z7]", error.Message, StringComparison.Ordinal);
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
        Assert.EndsWith("refused as a zip bomb (over 64:1) [Z7]", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    [Fact]
    public void RejectsMetadataBombBeforeInflating()
    {
        // 100 MB of spaces after a JSON object: valid JSON, but a bomb all the same.
        string path = NewPath();
        byte[] json = Encoding.ASCII.GetBytes(ValidMetadata);
        WriteModel(path, 3, 2, 4, ("metadata", NpzBuilder.Npy("|u1", [json.Length + 100_000_000], json), 100_000_000), fill: (byte)' ');

        (ModelFileException error, long allocated) = LoadMeasured(path);

        Assert.EndsWith("refused as a zip bomb (over 64:1) [Z7]", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationLimit, $"{allocated} bytes allocated");
    }

    // ---- helpers --------------------------------------------------------------------------------------

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

    private string NewPath() => Path.Combine(_directory, $"model{_files++}.npz");
}
