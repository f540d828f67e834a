using RnnPort.Cli;

namespace RnnPort.Tests;

/// <summary>
/// Atomic saves: a write that fails after any number of bytes, or on a full disk, leaves the old file
/// byte for byte and no temporary file. Negative controls run the same checks against
/// <see cref="File.Create(string)"/> and show they catch it. NumPy twin: python/tests/test_atomic.py.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]  // POSIX modes, /dev/null, tmpfs
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-atomic-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void SaveFailingPartWayLeavesTheOldFile()
    {
        Dictionary<int, List<string>> found = SavesFailingAfter(_directory, (path, write) => AtomicFile.Write(path, write), stride: 4);

        Assert.True(found.Count > 450, $"{found.Count} cut points");
        Assert.Empty(found.Where(pair => pair.Value.Count > 0).Select(pair => $"{pair.Key}: {string.Join(", ", pair.Value)}"));
    }

    [Fact]
    public void NegativeControlPlainFileCreateIsCaught()
    {
        Dictionary<int, List<string>> found = SavesFailingAfter(_directory, (path, write) =>
        {
            using FileStream stream = File.Create(path);
            write(stream);
        }, stride: 16);

        Assert.True(found.Count > 100, $"{found.Count} cut points");
        Assert.All(found.Values, problems => Assert.Equal(["the previous file changed"], problems));
    }

    [Fact]
    public void ThrowingWriterIsOneTypedErrorNamingTheFile()
    {
        string path = Path.Combine(_directory, "model.npz");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<AtomicWriteException>(() => AtomicFile.Write(path, stream =>
        {
            stream.WriteByte(1);
            throw new DivideByZeroException();
        }));

        Assert.Equal($"cannot write '{path}': DivideByZeroException: Attempted to divide by zero.", error.Message);
        Assert.IsType<DivideByZeroException>(error.InnerException);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void SuccessfulWriteReplacesTheFileAndKeepsItsMode()
    {
        string path = Path.Combine(_directory, "out.txt");
        File.WriteAllText(path, "old");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        AtomicFile.Write(path, stream => stream.Write("new ✓"u8));

        Assert.Equal("new ✓", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
        Assert.Equal([path], Directory.GetFiles(_directory));
    }

    [Fact]
    public void NewFileGetsWhatFileCreateGives()
    {
        string atomic = Path.Combine(_directory, "atomic.bin"), plain = Path.Combine(_directory, "plain.bin");

        AtomicFile.Write(atomic, stream => stream.WriteByte(1));
        File.Create(plain).Dispose();

        Assert.Equal(File.GetUnixFileMode(plain), File.GetUnixFileMode(atomic));
    }

    [Fact]
    public void SymbolicLinkIsFollowedAndKept()
    {
        string real = Path.Combine(_directory, "real.npz"), link = Path.Combine(_directory, "link.npz");
        File.WriteAllText(real, "old");
        File.CreateSymbolicLink(link, "real.npz");

        AtomicFile.Write(link, stream => stream.Write("new"u8));

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(real));
    }

    [Theory]
    [InlineData("missing/model.npz", "no such directory")]
    [InlineData(".", "it is a directory")]
    [InlineData("/dev/null", "not a regular file")]
    [InlineData("", "the path is empty")]
    [InlineData("nul\0.npz", "NUL character")]
    public void BadTargetsAreRefusedBeforeAnythingIsWritten(string target, string reason)
    {
        string path = target.StartsWith('/') || target.Length == 0 ? target : Path.Combine(_directory, target);

        Assert.Contains(reason, Assert.Throws<AtomicWriteException>(() => AtomicFile.CheckWritable(path)).Message, StringComparison.Ordinal);
        Assert.Contains(reason, Assert.Throws<AtomicWriteException>(() => AtomicFile.Write(path, _ => Assert.Fail("the writer must not run"))).Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [TmpfsFact]
    public void FullDiskLeavesTheOldModel()
    {
        (List<string> problems, Exception? raised) = FullDiskDamage(path => ModelFile.Save(path, Build.Network(3, 128, 3, seed: 3), Vocabulary.Of("abc")));

        Assert.IsType<AtomicWriteException>(raised);
        Assert.Contains("No space left on device", raised.Message, StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [TmpfsFact]
    public void NegativeControlFullDiskBreaksPlainFileCreate()
    {
        (List<string> problems, Exception? raised) = FullDiskDamage(path =>
        {
            using FileStream stream = File.Create(path);
            ModelFile.Save(stream, Build.Network(3, 128, 3, seed: 3), Vocabulary.Of("abc"));
        });

        Assert.IsAssignableFrom<IOException>(raised);
        Assert.Contains("the previous file changed", problems);
    }

    [TmpfsFact]
    public void FullDiskThroughTheCommandLine()
    {
        string corpus = Path.Combine(_directory, "corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 100)));
        var output = new StringWriter();
        var error = new StringWriter();
        int status = -1;

        (List<string> problems, Exception? raised) = FullDiskDamage(path =>
            status = Program.Run(["train", corpus, "--hidden", "128", "--steps", "2", "--sample-every", "0", "--out", path], output, error));

        Assert.Null(raised);
        Assert.Equal(2, status);
        string[] lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("rnnport-cli train: cannot write", lines[0], StringComparison.Ordinal);
        Assert.Contains("No space left on device", lines[0], StringComparison.Ordinal);
        Assert.Empty(problems);
    }

    [TmpfsFact]
    public void UnwritableDirectoryIsFoundBeforeAnyWork()
    {
        // Root ignores permission bits, so "unwritable" is a read-only tmpfs here (the twin uses mode 0555 when not root).
        string corpus = Path.Combine(_directory, "corpus.txt");
        File.WriteAllText(corpus, string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        string locked = Directory.CreateDirectory(Path.Combine(_directory, "locked")).FullName, path = Path.Combine(locked, "model.npz");
        var output = new StringWriter();
        var error = new StringWriter();
        using (Tmpfs.Mount(locked, "ro,size=64k"))
        {
            Assert.Contains("Read-only file system", Assert.Throws<AtomicWriteException>(() => AtomicFile.CheckWritable(path)).Message, StringComparison.Ordinal);

            Assert.Equal(2, Program.Run(["train", corpus, "--steps", "5", "--out", path], output, error));

            Assert.Equal("", output.ToString());
            Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("--out: cannot write", error.ToString(), StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(locked));
        }
    }

    /// <summary>What a failed save broke: the target's bytes, and any file left next to it.</summary>
    private static List<string> Damage(string path, byte[] old)
    {
        var problems = new List<string>();
        if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(old))
        {
            problems.Add("the previous file changed");
        }

        string[] extra = Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!).Where(p => p != path).Select(Path.GetFileName).Order().ToArray()!;
        if (extra.Length > 0)
        {
            problems.Add($"files left behind: {string.Join(", ", extra)}");
        }

        return problems;
    }

    /// <summary>
    /// Saves a new model through <paramref name="open"/>, failing after N bytes for every <paramref name="stride"/>-th
    /// N from 0 to the file's length and at its last byte; the damage at each N.
    /// </summary>
    private static Dictionary<int, List<string>> SavesFailingAfter(string directory, Action<string, Action<Stream>> open, int stride)
    {
        string path = Path.Combine(directory, "model.npz");
        ModelFile.Save(path, Build.Network(3, 4, 3, seed: 1), Vocabulary.Of("abc"));
        byte[] old = File.ReadAllBytes(path);
        RNN model = Build.Network(3, 5, 3, seed: 2);
        var buffer = new MemoryStream();
        ModelFile.Save(buffer, model, Vocabulary.Of("abc"));

        var found = new Dictionary<int, List<string>>();
        foreach (int limit in Enumerable.Range(0, (int)buffer.Length).Where(n => n % stride == 0 || n == buffer.Length - 1))
        {
            Assert.ThrowsAny<IOException>(() => open(path, stream => ModelFile.Save(new FailAfterStream(stream, limit), model, Vocabulary.Of("abc"))));
            found[limit] = Damage(path, old);
            File.WriteAllBytes(path, old);
            foreach (string left in Directory.GetFiles(directory).Where(p => p != path))
            {
                File.Delete(left);
            }
        }

        return found;
    }

    private (List<string> Problems, Exception? Raised) FullDiskDamage(Action<string> save)
    {
        string disk = Directory.CreateDirectory(Path.Combine(_directory, "disk")).FullName;
        using (Tmpfs.Mount(disk, "size=64k"))
        {
            string path = Path.Combine(disk, "model.npz");
            ModelFile.Save(path, Build.Network(3, 4, 3, seed: 1), Vocabulary.Of("abc"));
            byte[] old = File.ReadAllBytes(path);
            Exception? raised = Record.Exception(() => save(path));
            return (Damage(path, old), raised);
        }
    }
}
