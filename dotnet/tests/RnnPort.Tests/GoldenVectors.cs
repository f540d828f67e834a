using System.Text.Json;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// Reading parity_tests/vectors/*.json (linked into this project, see the csproj) for the golden vector tests of
/// every cell; the NumPy twin is <c>rnnport.verify.golden_vectors</c> (<c>read</c>, <c>decode</c>, <c>file_name</c>).
/// </summary>
internal static class GoldenVectors
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "vectors");

    /// <summary>The vector file of one behaviour of one cell: <c>single_step.json</c> (RNN), <c>lstm_single_step.json</c>.</summary>
    public static string FileName(string cell, string behaviour) =>
        cell == "rnn" ? behaviour + ".json" : $"{cell}_{behaviour}.json";

    /// <summary>The names of the cases a vector file holds.</summary>
    public static IEnumerable<string> CaseNames(string fileName)
    {
        using JsonDocument document = Open(fileName);
        return document.RootElement.GetProperty("cases").EnumerateArray()
            .Select(c => c.GetProperty("name").GetString()!).ToList();
    }

    /// <summary>One case of a vector file, as (inputs, expected), cloned out of the document.</summary>
    public static (JsonElement Inputs, JsonElement Expected) Case(string fileName, string caseName)
    {
        using JsonDocument document = Open(fileName);
        JsonElement testCase = document.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("name").GetString() == caseName);
        return (testCase.GetProperty("inputs").Clone(), testCase.GetProperty("expected").Clone());
    }

    /// <summary>
    /// The C# twin of a NumPy array: (H, I) in C order is, read column-major, the I×H transpose, so the
    /// stored data builds it without moving an element; an (n,) vector becomes the 1×n row.
    /// </summary>
    public static Matrix<double> Twin(JsonElement inputs, string name)
    {
        JsonElement array = inputs.GetProperty(name);
        int[] shape = array.GetProperty("shape").EnumerateArray().Select(s => s.GetInt32()).ToArray();
        double[] data = Data(array.GetProperty("data"));
        return shape.Length == 1
            ? Matrix<double>.Build.Dense(1, shape[0], data)
            : Matrix<double>.Build.Dense(shape[1], shape[0], data);
    }

    /// <summary>The twin of an optional array: null when the inputs do not hold it.</summary>
    public static Matrix<double>? OptionalTwin(JsonElement inputs, string name) =>
        inputs.TryGetProperty(name, out _) ? Twin(inputs, name) : null;

    /// <summary>A (T, I) sequence in the same layout, T×I: the one array that is not transposed.</summary>
    public static Matrix<double> Rows(JsonElement inputs, string name) => Twin(inputs, name).Transpose();

    /// <summary>The targets of a BPTT chunk.</summary>
    public static int[] Targets(JsonElement inputs) =>
        inputs.GetProperty("targets").EnumerateArray().Select(t => t.GetInt32()).ToArray();

    /// <summary>The numbers of an array (or of a plain JSON list).</summary>
    public static double[] Data(JsonElement array) =>
        (array.ValueKind == JsonValueKind.Object ? array.GetProperty("data") : array).EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>Every value of <paramref name="actual"/> has the 64-bit pattern stored under <paramref name="name"/>.</summary>
    public static void AssertBits(JsonElement expected, string name, double[] actual)
    {
        JsonElement value = expected.GetProperty(name);
        double[] wanted = value.ValueKind == JsonValueKind.Number ? [value.GetDouble()] : Data(value);
        Assert.True(wanted.Length == actual.Length, $"{name}: {actual.Length} values, expected {wanted.Length}");
        for (int i = 0; i < wanted.Length; i++)
        {
            long w = BitConverter.DoubleToInt64Bits(wanted[i]), a = BitConverter.DoubleToInt64Bits(actual[i]);
            Assert.True(w == a, $"{name}[{i}]: expected {wanted[i]:R}, got {actual[i]:R}");
        }
    }

    private static JsonDocument Open(string fileName) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, fileName)));
}
