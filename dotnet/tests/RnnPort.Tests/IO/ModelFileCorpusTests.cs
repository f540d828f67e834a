using System.Diagnostics;
using System.Text.Json;

namespace RnnPort.Tests;

/// <summary>
/// The C# reader on every case of the model-file conformance corpus (parity_tests/model_files/,
/// linked into this project) gives the verdict docs/model-file.md implies: accepted files load,
/// refused ones throw <see cref="ModelFileException"/> naming the manifest's rule, and nothing else
/// escapes. The NumPy reader runs the same manifest (python/tests/io/test_model_file_corpus.py).
/// </summary>
public sealed class ModelFileCorpusTests : IDisposable
{
    private static readonly string Corpus = Path.Combine(AppContext.BaseDirectory, "model_files");
    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-corpus-").FullName;

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (JsonElement testCase in Manifest())
        {
            data.Add(testCase.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Fact]
    public void CanFindTheWholeCorpus()
    {
        List<JsonElement> cases = Manifest();
        Assert.True(cases.Count >= 150, $"{cases.Count} cases");
        foreach (JsonElement testCase in cases.Where(c => c.TryGetProperty("file", out _)))
        {
            Assert.True(File.Exists(Path.Combine(Corpus, "files", testCase.GetProperty("file").GetString()!)), testCase.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReaderGivesTheManifestVerdict(string name)
    {
        JsonElement testCase = Manifest().Single(c => c.GetProperty("name").GetString() == name);
        string rule = testCase.GetProperty("rule").GetString()!, why = testCase.GetProperty("why").GetString()!;
        string path = Materialize(testCase);
        Exception? error = Record.Exception(() => ModelFile.Load(path));
        if (testCase.GetProperty("verdict").GetString() == "accept")
        {
            Assert.True(error is null, $"{name} ({rule}: {why}) was refused: {error}");
            return;
        }

        ModelFileException refusal = Assert.IsType<ModelFileException>(error);
        Assert.DoesNotContain('\n', refusal.Message);
        Assert.True(refusal.Message.EndsWith($"[{rule}]", StringComparison.Ordinal), $"{name} was refused by another rule: {refusal.Message}");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<JsonElement> Manifest()
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Corpus, "manifest.json")));
        return document.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToList();
    }

    /// <summary>The path for a case: its corpus file, or what its recipe makes (as python/rnnport/verify/model_file_corpus.py does).</summary>
    private string Materialize(JsonElement testCase)
    {
        if (testCase.TryGetProperty("file", out JsonElement file))
        {
            return Path.Combine(Corpus, "files", file.GetString()!);
        }

        JsonElement make = testCase.GetProperty("make");
        string path = Path.Combine(_directory, testCase.GetProperty("name").GetString()!);
        switch (make.GetProperty("kind").GetString())
        {
            case "missing":
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
            case "fifo":
                MakeFifo(path);
                break;
            case "path":
                return make.GetProperty("path").GetString()!;
            case "symlink":
                string target = make.GetProperty("target").GetString()!;
                File.CreateSymbolicLink(path, target.StartsWith('/') ? target : Path.Combine(Corpus, "files", target));
                break;
            case "symlink-fifo":
                MakeFifo(path + ".fifo");
                File.CreateSymbolicLink(path, path + ".fifo");
                break;
            case "sparse":
                using (var stream = new FileStream(path, FileMode.CreateNew))
                {
                    stream.SetLength(make.GetProperty("size").GetInt64());
                }

                break;
            default:
                throw new InvalidOperationException($"unknown recipe {make}");
        }

        return path;
    }

    private static void MakeFifo(string path)
    {
        using Process process = Process.Start("mkfifo", [path]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
