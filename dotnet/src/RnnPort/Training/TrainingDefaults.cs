using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// The defaults of <see cref="TrainingSettings"/>, read from the one file both languages and both command lines
/// read: <c>python/rnnport/cli/option_rules.json</c>, embedded in this assembly at build time. NumPy twin: the
/// defaults of <c>rnnport.training.char_model.TrainConfig</c>, read from the same file.
/// </summary>
internal static class TrainingDefaults
{
    private const string ResourceName = "RnnPort.option_rules.json";

    private static readonly Lazy<JsonObject> Commands = new(() =>
    {
        using Stream stream = typeof(TrainingDefaults).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the assembly lacks its embedded {ResourceName}");
        return (JsonObject)JsonNode.Parse(stream)!["commands"]!;
    });

    /// <summary>The default of <c>command --name</c> (null when the option has none).</summary>
    internal static JsonNode? Of(string command, string name) =>
        Commands.Value[command]?[name] is JsonObject rule
            ? rule["default"]
            : throw new InvalidOperationException($"{ResourceName} has no option {command} --{name}");

    internal static int Int(string name) => (int)Of("train", name)!;

    internal static double Double(string name) => (double)Of("train", name)!;

    internal static double? OptionalDouble(string name) => Of("train", name) is { } value ? (double)value : null;

    internal static string String(string name) => (string)Of("train", name)!;
}
