using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RnnPort.Cli;

/// <summary>
/// The value rules of the options both command lines share, read from <c>python/rnnport/cli/option_rules.json</c>
/// (embedded in this assembly): the same file <c>rnnport.cli.option_rules</c> reads, so both check the same
/// ranges with the same one-line messages. docs/cli.md explains them.
/// </summary>
internal sealed class OptionRules
{
    private const string ResourceName = "RnnPort.Cli.option_rules.json";

    private readonly JsonObject _spec;

    private OptionRules(JsonObject spec) => _spec = spec;

    /// <summary>The largest array a command may allocate: 2^28 numbers, the model file's limit per array.</summary>
    internal long MaxElements => (long)_spec["max_elements"]!;

    /// <summary>The default path of <paramref name="command"/>'s output option <c>--name</c> (<c>train --out</c>: <c>model.npz</c>).</summary>
    internal string OutputDefault(string command, string name) => (string)_spec["outputs"]![command]![name]!;

    /// <summary>Reads the embedded rules.</summary>
    internal static OptionRules Load()
    {
        using Stream stream = typeof(OptionRules).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the assembly lacks its embedded {ResourceName}");
        return new OptionRules((JsonObject)JsonNode.Parse(stream)!);
    }

    /// <summary>The names of <paramref name="command"/>'s shared options, in the file's order.</summary>
    internal IEnumerable<string> Names(string command) => Command(command).Select(pair => pair.Key);

    /// <summary>The rule of one option: kind, default, and min/max, above or choices.</summary>
    internal JsonObject Rule(string command, string name) => (JsonObject)Command(command)[name]!;

    /// <summary>
    /// The value of <c>--name text</c> (the default when <paramref name="text"/> is null): an
    /// <see cref="int"/>, <see cref="double"/>, or <see cref="string"/>; null for an absent optional value.
    /// </summary>
    /// <exception cref="UsageException">The text breaks the rule; the message is the NumPy side's, word for word.</exception>
    internal object? Parse(string command, string name, string? text)
    {
        JsonObject rule = Rule(command, name);
        string kind = (string)rule["kind"]!;
        if (text is null)
        {
            return rule["default"] is JsonValue fallback ? Fallback(kind, fallback) : null;
        }

        switch (kind)
        {
            case "int":
                long min = (long)rule["min"]!, max = (long)rule["max"]!;
                if (!Matches("int", text) || BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) is var value
                    && (value < min || value > max))
                {
                    throw new UsageException($"--{name} expects an integer in [{min}, {max}], got '{text}'");
                }

                return (int)value;
            case "float":
                double above = (double)rule["above"]!;
                double number = Matches("float", text) ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : double.NaN;
                if (!(double.IsFinite(number) && number > above))
                {
                    throw new UsageException($"--{name} expects a finite number > {rule["above"]!.ToJsonString()}, got '{text}'");
                }

                return number;
            case "choice":
                string[] choices = rule["choices"]!.AsArray().Select(c => (string)c!).ToArray();
                return choices.Contains(text, StringComparer.Ordinal)
                    ? text
                    : throw new UsageException($"--{name} expects one of {string.Join(", ", choices)}, got '{text}'");
            case "char":
                return text.EnumerateRunes().Count() == 1 ? text : throw new UsageException($"--{name} expects one character, got '{text}'");
            default:
                throw new InvalidOperationException($"unknown kind '{kind}' in {ResourceName}");
        }
    }

    /// <summary>Throws when an array of <paramref name="sizes"/> would exceed <see cref="MaxElements"/> (checked without overflow).</summary>
    internal void CheckProduct(string what, params long[] sizes)
    {
        BigInteger product = sizes.Aggregate(BigInteger.One, (total, size) => total * size);
        if (product > MaxElements)
        {
            throw new UsageException(
                $"{what} would hold {string.Join(" × ", sizes)} = {product} numbers, more than the {MaxElements} allowed");
        }
    }

    private static object Fallback(string kind, JsonValue value) => kind switch
    {
        "int" => (int)value,
        "float" => (double)value,
        _ => (string)value!,
    };

    private JsonObject Command(string command) => (JsonObject)_spec["commands"]![command]!;

    private bool Matches(string kind, string text) =>
        Regex.IsMatch(text, $@"\A(?:{(string)_spec["syntax"]![kind]!})\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
