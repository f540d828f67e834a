using System.Text.Json.Nodes;
using MathNet.Numerics.LinearAlgebra;
using RnnPort.Cli;

namespace RnnPort.Tests;

/// <summary>
/// rnnport-cli against the command-line matrix both CLIs run (parity_tests/cli/bad-invocations.json);
/// python/tests/cli/test_cli_matrix.py runs the same rows through <c>python -m rnnport</c>. A rejected row
/// must exit 2 before any work: stdout empty, nothing written, one line on stderr (ending with the
/// row's message when it has one).
/// </summary>
public sealed class CliMatrixTests : IDisposable
{
    private static readonly JsonArray Rows =
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "cli", "bad-invocations.json")))!["rows"]!.AsArray();

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-cli-matrix-").FullName;

    public static TheoryData<string> Ids => new(Rows.Select(row => (string)row!["id"]!));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(Ids))]
    public void CliJudgesTheRowAsTheMatrixSays(string id)
    {
        JsonNode row = Rows.Single(r => (string)r!["id"]! == id)!;
        Dictionary<string, string> places = Scratch(_directory);
        string[] args = row["args"]!.AsArray().Select(a => Fill((string)a!, places)).ToArray();
        string[] before = Directory.GetFileSystemEntries(_directory);
        var output = new StringWriter();
        var error = new StringWriter();

        int status = Program.Run(args, output, error);

        Assert.Empty(Verdict(row, status, output.ToString(), error.ToString(), before, Directory.GetFileSystemEntries(_directory), $"rnnport-cli {args.FirstOrDefault()}: ", places));
        if (row["vocabulary"] is { } vocabulary)
        {
            // An accepted row that names its model: the file holds the vocabulary the shared reading rule gives.
            Assert.Equal((string)vocabulary!, ModelFile.Load(Fill((string)row["model"]!, places)).Vocabulary!.Chars);
        }
    }

    [Fact]
    public void NegativeControlTheVerdictCatchesWrongBehaviour()
    {
        JsonNode row = new JsonObject { ["status"] = 2, ["message"] = "--hidden expects an integer in [1, 16384], got '0'" };
        const string good = "rnnport-cli train: --hidden expects an integer in [1, 16384], got '0'\n", prefix = "rnnport-cli train: ";
        var none = new Dictionary<string, string>();

        Assert.Empty(Verdict(row, 2, "", good, ["a"], ["a"], prefix, none));
        Assert.NotEmpty(Verdict(row, 134, "", good, [], [], prefix, none));
        Assert.NotEmpty(Verdict(row, 2, "", "Unhandled exception. System.OverflowException\n   at RnnPort.Cli.Main()\n", [], [], prefix, none));
        Assert.NotEmpty(Verdict(row, 2, "step 1\n", good, [], [], prefix, none));
        Assert.NotEmpty(Verdict(row, 2, "", good, [], ["model.npz"], prefix, none));
        Assert.NotEmpty(Verdict(row, 2, "", "rnnport-cli train: --hidden is bad\n", [], [], prefix, none));
    }

    /// <summary>The files the rows name, and the placeholders that point at them.</summary>
    private static Dictionary<string, string> Scratch(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "corpus.txt"), string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 20)));
        byte[] latin1 = [.. "caf"u8, 0xE9, .. " au lait "u8];  // é in Latin-1: not UTF-8
        File.WriteAllBytes(Path.Combine(directory, "latin1.txt"), [.. Enumerable.Repeat(latin1, 20).SelectMany(b => b)]);
        RNN model = Build.Network(3, 4, 3, seed: 1);
        ModelFile.Save(Path.Combine(directory, "chars.npz"), model, Vocabulary.Of("abc"));
        ModelFile.Save(Path.Combine(directory, "plain.npz"), model);
        ModelFile.Save(Path.Combine(directory, "stack.npz"), Stack());
        var xs = Matrix<double>.Build.Dense(5, 3, (i, j) => Math.Sin((3 * i) + j));
        WriteNpy(directory, "xs", "<f8", [5, 3], xs.ToRowMajorArray().SelectMany(BitConverter.GetBytes));
        WriteNpy(directory, "xs4", "<f8", [5, 4], Enumerable.Range(0, 20).SelectMany(i => BitConverter.GetBytes(i / 7.0)));
        WriteNpy(directory, "xs32", "<f4", [5, 3], Enumerable.Range(0, 15).SelectMany(i => BitConverter.GetBytes(i / 7.0f)));
        WriteNpy(directory, "xs1d", "<f8", [3], Enumerable.Range(0, 3).SelectMany(i => BitConverter.GetBytes(i / 7.0)));
        WriteNpy(directory, "xsnan", "<f8", [5, 3], Enumerable.Range(0, 15).SelectMany(i => BitConverter.GetBytes(i == 7 ? double.NaN : 0.5)));
        return new()
        {
            ["{dir}"] = directory,
            ["{corpus}"] = Path.Combine(directory, "corpus.txt"),
            ["{model}"] = Path.Combine(directory, "chars.npz"),
            ["{plain}"] = Path.Combine(directory, "plain.npz"),
            ["{stack}"] = Path.Combine(directory, "stack.npz"),
            ["{xs}"] = Path.Combine(directory, "xs.npy"),
            ["{texts}"] = Path.Combine(AppContext.BaseDirectory, "text_files"),
        };
    }

    /// <summary>A bidirectional 2-layer GRU, I = 3, H = 2, no output layer (O = 4), as the NumPy scratch's.</summary>
    private static RecurrentStack Stack()
    {
        var parameters = new Dictionary<string, Matrix<double>>(StringComparer.Ordinal);
        int seed = 0;
        foreach (int layer in new[] { 0, 1 })
        {
            foreach (string suffix in new[] { "", "_reverse" })
            {
                string at = layer.ToString(System.Globalization.CultureInfo.InvariantCulture) + suffix;
                parameters["weight_ih_l" + at] = Values(layer == 0 ? 3 : 4, 6, seed++);
                parameters["weight_hh_l" + at] = Values(2, 6, seed++);
                parameters["bias_ih_l" + at] = Values(1, 6, seed++);
                parameters["bias_hh_l" + at] = Values(1, 6, seed++);
            }
        }

        return new RecurrentStack("gru", parameters, 2, bidirectional: true);

        static Matrix<double> Values(int rows, int columns, int seed) =>
            Matrix<double>.Build.Dense(rows, columns, (i, j) => Math.Cos((5 * i) + (3 * j) + seed) / 2);
    }

    private static void WriteNpy(string directory, string name, string descr, long[] shape, IEnumerable<byte> data)
    {
        using var stream = File.Create(Path.Combine(directory, name + ".npy"));
        Npy.WriteHeader(stream, descr, shape);
        stream.Write([.. data]);
    }

    private static string Fill(string text, Dictionary<string, string> places) =>
        places.Aggregate(text, (filled, place) => filled.Replace(place.Key, place.Value, StringComparison.Ordinal));

    /// <summary>Everything wrong with one run of a row (empty: the CLI judged it as the matrix says).</summary>
    private static List<string> Verdict(
        JsonNode row, int status, string output, string error, string[] before, string[] after, string prefix, Dictionary<string, string> places)
    {
        var problems = new List<string>();
        int expected = (int)row["status"]!;
        if (status != expected)
        {
            problems.Add($"exit status {status}, expected {expected}");
        }

        if (expected == 0)
        {
            return problems;
        }

        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 1)
        {
            problems.Add($"{lines.Length} lines on stderr: {error}");
        }
        else if (!lines[0].StartsWith(prefix, StringComparison.Ordinal))
        {
            problems.Add($"stderr does not start with '{prefix}': {lines[0]}");
        }
        else if (row["message"] is { } message && lines[0] != prefix + Fill((string)message!, places))
        {
            problems.Add($"stderr '{lines[0]}', expected the message '{Fill((string)message!, places)}'");
        }

        if (output.Length > 0)
        {
            problems.Add($"stdout is not empty: {output}");
        }

        if (!before.Order().SequenceEqual(after.Order()))
        {
            problems.Add($"files changed: {string.Join(", ", after.Except(before).Concat(before.Except(after)))}");
        }

        return problems;
    }
}
