using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RnnPort;

/// <summary>
/// The metadata JSON of a model file: section D of <c>docs/model-file.md</c>. NumPy twin:
/// <c>rnnport.io.model_metadata</c>. <see cref="Parse"/> is the reader's check; <see cref="Encode"/> the
/// writer's, which builds the bytes and runs <see cref="Parse"/> on them.
/// </summary>
internal static class ModelMetadata
{
    /// <summary>The largest metadata entry, in bytes (NumPy <c>MAX_METADATA_BYTES</c>).</summary>
    internal const int MaxMetadataBytes = 1 << 20;

    /// <summary>The deepest nesting of objects and arrays; the metadata object is depth 1 (NumPy <c>MAX_JSON_DEPTH</c>).</summary>
    internal const int MaxJsonDepth = 32;

    /// <summary>An LSTM's or GRU's activation: fixed, as torch's (NumPy <c>GATED_ACTIVATION</c>).</summary>
    internal const string GatedActivation = "tanh";

    private static readonly string[] Keys = ["activation", "format", "hyperparameters", "version"];
    private static readonly string[] KeysWithCell = ["activation", "cell", "format", "hyperparameters", "version"];
    private static readonly string[] KeysOfStack = ["activation", "bidirectional", "cell", "format", "hyperparameters", "num_layers", "version"];

    /// <summary>The most layers a version 3 file holds (NumPy <c>MAX_LAYERS</c>).</summary>
    internal const int MaxLayers = 64;

    /// <summary>The metadata's <c>version</c> for a stack (NumPy <c>STACK_VERSION</c>).</summary>
    internal const int StackVersion = 3;

    /// <summary>
    /// The metadata object of <paramref name="raw"/>, checked by D1–D8, the cell it names (version 1: <c>rnn</c>)
    /// and, for version 3, the stack's layout (null for versions 1 and 2).
    /// </summary>
    /// <exception cref="ModelFileException">A rule of section D fails.</exception>
    internal static (JsonObject Metadata, CellFormat Cell, StackFileLayout? Stack) Parse(byte[] raw)
    {
        if (raw.Length > MaxMetadataBytes)
        {
            throw Refuse("D1", string.Create(CultureInfo.InvariantCulture, $"{raw.Length} bytes, more than the {MaxMetadataBytes} accepted"));
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException error)
        {
            throw Refuse("D2", "not UTF-8", error);
        }

        Scan(text);
        JsonObject metadata;
        try
        {
            using JsonDocument document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 2 * MaxJsonDepth });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Refuse("D3", $"the JSON is a {document.RootElement.ValueKind}, not an object");
            }

            CheckValues(document.RootElement);
            metadata = JsonObject.Create(document.RootElement.Clone())!;
        }
        catch (JsonException error)
        {
            throw Refuse("D3", $"not JSON: {error.Message}", error);
        }
        catch (InvalidOperationException error)
        {
            throw Refuse("D4", $"invalid JSON text: {error.Message}", error);  // e.g. a string that does not decode
        }

        if (!HasExactly(metadata, Keys) && !HasExactly(metadata, KeysWithCell) && !HasExactly(metadata, KeysOfStack))
        {
            throw Refuse("D5", $"keys [{string.Join(", ", metadata.Select(p => p.Key).Order(StringComparer.Ordinal))}], expected exactly [{string.Join(", ", Keys)}], or those and 'cell', or those, 'cell', 'num_layers' and 'bidirectional'");
        }

        if (!IsString(metadata["format"], ModelFile.Format))
        {
            throw Refuse("D6", $"format {metadata["format"]?.ToJsonString() ?? "null"}, expected '{ModelFile.Format}'");
        }

        if (metadata["version"] is not JsonValue version || version.GetValueKind() != JsonValueKind.Number || version.ToJsonString() is not ("1" or "2" or "3"))
        {
            throw Refuse("D6", $"version {metadata["version"]?.ToJsonString() ?? "null"}, expected the integer 1, 2 or 3");
        }

        if (!IsString(metadata["activation"], "tanh") && !IsString(metadata["activation"], "relu"))
        {
            throw Refuse("D6", $"activation {metadata["activation"]?.ToJsonString() ?? "null"}, expected 'tanh' or 'relu'");
        }

        if (metadata["hyperparameters"] is not JsonObject)
        {
            throw Refuse("D6", $"hyperparameters is {metadata["hyperparameters"]?.ToJsonString() ?? "null"}, not an object");
        }

        int number = version.ToJsonString()[0] - '0';
        CellFormat cell = CheckCell(metadata, number);
        return (metadata, cell, number == StackVersion ? CheckStack(metadata, cell) : null);
    }

    /// <summary>D8: <c>num_layers</c> a digits-only JSON integer 1 … <see cref="MaxLayers"/>, <c>bidirectional</c> true or false.</summary>
    private static StackFileLayout CheckStack(JsonObject metadata, CellFormat cell)
    {
        JsonNode? layers = metadata["num_layers"];
        string text = layers?.ToJsonString() ?? "null";
        if (layers is not JsonValue value || value.GetValueKind() != JsonValueKind.Number || !text.All(char.IsAsciiDigit)
            || text.Length > 3 || int.Parse(text, CultureInfo.InvariantCulture) is < 1 or > MaxLayers)
        {
            throw Refuse("D8", string.Create(CultureInfo.InvariantCulture, $"num_layers {(text.Length > 60 ? text[..60] : text)}, expected an integer from 1 to {MaxLayers}"));
        }

        JsonValueKind kind = metadata["bidirectional"]?.GetValueKind() ?? JsonValueKind.Null;
        if (kind is not (JsonValueKind.True or JsonValueKind.False))
        {
            string shown = metadata["bidirectional"]?.ToJsonString() ?? "null";
            throw Refuse("D8", $"bidirectional {(shown.Length > 60 ? shown[..60] : shown)}, expected true or false");
        }

        return new StackFileLayout(cell, int.Parse(text, CultureInfo.InvariantCulture), kind == JsonValueKind.True ? 2 : 1);
    }

    /// <summary>D7: version 1 has no <c>cell</c> (an RNN); version 2 names a registered cell; a gated cell's activation is tanh.</summary>
    private static CellFormat CheckCell(JsonObject metadata, int version)
    {
        if (version == 1)
        {
            return metadata.ContainsKey("cell")
                ? throw Refuse("D7", "version 1 has no 'cell' (it is an RNN); a cell needs version 2")
                : ModelFileCells.Named("rnn")!;
        }

        if (!metadata.ContainsKey("cell"))
        {
            throw Refuse("D7", string.Create(CultureInfo.InvariantCulture, $"version {version} needs 'cell'"));
        }

        bool stackKeys = metadata.ContainsKey("num_layers");
        if (stackKeys != (version == StackVersion))
        {
            throw Refuse("D7", stackKeys ? "'num_layers' and 'bidirectional' need version 3" : "version 3 needs 'num_layers' and 'bidirectional'");
        }

        JsonNode? node = metadata["cell"];
        CellFormat? cell = node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? ModelFileCells.Named(value.GetValue<string>()) : null;
        if (cell is null)
        {
            string shown = node?.ToJsonString() ?? "null";
            throw Refuse("D7", $"cell {(shown.Length > 60 ? shown[..60] : shown)}, expected one of {string.Join(", ", ModelFileCells.All.Select(c => $"'{c.Name}'"))}");
        }

        if (cell.Name != "rnn" && !IsString(metadata["activation"], GatedActivation))
        {
            throw Refuse("D7", $"activation {metadata["activation"]!.ToJsonString()} for cell '{cell.Name}', expected '{GatedActivation}'");
        }

        return cell;
    }

    private static bool HasExactly(JsonObject metadata, string[] keys) =>
        metadata.Count == keys.Length && keys.All(metadata.ContainsKey);

    /// <summary>
    /// The metadata bytes a writer stores (version 2, naming <paramref name="cell"/>; version 3 with <c>num_layers</c> and
    /// <c>bidirectional</c> when <paramref name="stack"/> is given): Python's <c>json.dumps(..., sort_keys=True)</c>,
    /// checked by <see cref="Parse"/>. NumPy twin: <c>model_metadata.encode</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The metadata would break a rule of section D (a non-finite number, a lone surrogate, too deep, too large).</exception>
    internal static byte[] Encode(string cell, string activation, JsonObject? hyperparameters, (int Layers, bool Bidirectional)? stack = null)
    {
        byte[] bytes;
        try
        {
            var metadata = new JsonObject
            {
                ["format"] = ModelFile.Format,
                ["version"] = ModelFile.Version,
                ["cell"] = cell,
                ["activation"] = activation,
                ["hyperparameters"] = hyperparameters?.DeepClone() ?? new JsonObject(),
            };
            if (stack is { } s)
            {
                metadata["version"] = StackVersion;
                metadata["num_layers"] = s.Layers;
                metadata["bidirectional"] = s.Bidirectional;
            }

            bytes = Encoding.UTF8.GetBytes(PythonJson.Serialize(metadata));  // ASCII: every other character is escaped
        }
        catch (Exception error) when (error is InvalidOperationException or FormatException or JsonException or NotSupportedException)
        {
            throw new ArgumentException($"the hyperparameters cannot be written as JSON: {error.Message}", nameof(hyperparameters), error);
        }
        catch (ArgumentException error)
        {
            throw new ArgumentException($"the hyperparameters cannot be written as JSON: {error.Message}", nameof(hyperparameters), error);
        }

        try
        {
            Parse(bytes);
        }
        catch (ModelFileException error)
        {
            throw new ArgumentException($"the hyperparameters would make invalid metadata: {error.Message}", nameof(hyperparameters), error);
        }

        return bytes;
    }

    /// <summary>
    /// Depth and escaped-surrogate rules of D4 on the raw text, exactly as the NumPy twin's <c>_scan</c>:
    /// brackets counted outside strings; a <c>\uD800</c>–<c>\uDBFF</c> escape must be followed by a
    /// <c>\uDC00</c>–<c>\uDFFF</c> escape, and a low one must follow a high one.
    /// </summary>
    private static void Scan(string text)
    {
        int depth = 0;
        for (int at = 0; at < text.Length; at++)
        {
            char c = text[at];
            if (c is '[' or '{')
            {
                if (++depth > MaxJsonDepth)
                {
                    throw Refuse("D4", string.Create(CultureInfo.InvariantCulture, $"JSON nested deeper than {MaxJsonDepth}"));
                }
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
            else if (c == '"')
            {
                at++;
                bool pendingHigh = false;
                while (at < text.Length && text[at] != '"')
                {
                    if (text[at] == '\\' && at + 1 < text.Length)
                    {
                        int unit = text[at + 1] == 'u' && at + 6 <= text.Length
                            && int.TryParse(text.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int u)
                            ? u : -1;
                        bool isHigh = unit is >= 0xD800 and <= 0xDBFF, isLow = unit is >= 0xDC00 and <= 0xDFFF;
                        if ((pendingHigh && !isLow) || (isLow && !pendingHigh))
                        {
                            throw Refuse("D4", "a string holds an escaped lone surrogate");
                        }

                        pendingHigh = isHigh;
                        at += unit >= 0 ? 6 : 2;
                        continue;
                    }

                    if (pendingHigh)
                    {
                        throw Refuse("D4", "a string holds an escaped lone surrogate");
                    }

                    at++;
                }

                if (pendingHigh)
                {
                    throw Refuse("D4", "a string holds an escaped lone surrogate");
                }
            }
        }
    }

    /// <summary>D4 on the parsed value: no object repeats a key, every string decodes, every number is finite as a float64.</summary>
    private static void CheckValues(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    if (!keys.Add(property.Name))
                    {
                        throw Refuse("D4", $"key '{property.Name}' appears twice in one object");
                    }

                    CheckValues(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    CheckValues(item);
                }

                break;
            case JsonValueKind.Number:
                string raw = element.GetRawText();
                if (!double.IsFinite(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)))
                {
                    throw Refuse("D4", $"the number {(raw.Length > 40 ? raw[..40] + "…" : raw)} is not finite as a float64");
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();  // throws on text that does not decode
                break;
            default:
                break;
        }
    }

    private static bool IsString(JsonNode? node, string expected) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == expected;

    private static ModelFileException Refuse(string rule, string message, Exception? cause = null) =>
        NpzArchive.Refuse(rule, "metadata: " + message, cause);
}
