using System.Text;
using System.Text.Json.Nodes;

namespace RnnPort.Tests;

/// <summary>
/// <see cref="CorpusText"/> on the byte files both languages read (parity_tests/text_files/, texts and vocabularies
/// written by hand in expected.json); the NumPy reader is checked on the same files (test_corpus_file.py).
/// </summary>
public sealed class CorpusTextTests
{
    private static readonly string Files = Path.Combine(AppContext.BaseDirectory, "text_files");

    private static readonly JsonArray Rows =
        JsonNode.Parse(File.ReadAllText(Path.Combine(Files, "expected.json")))!["files"]!.AsArray();

    [Fact]
    public void EveryFileReadsAsWrittenByHand()
    {
        Assert.Equal(Rows.Count, Directory.GetFiles(Files, "*.txt").Length);
        Assert.Empty(Mismatches(CorpusText.Read));
    }

    [Fact]
    public void IndicesFollowTheVocabulary()
    {
        foreach (JsonNode? row in Rows)
        {
            if ((string?)row!["text"] is { Length: > 0 } text)
            {
                string vocabulary = (string)row["vocabulary"]!;
                int[] indices = Vocabulary.Of(text).Encode(CorpusText.Read(Path.Combine(Files, (string)row["file"]!)));
                Assert.Equal(text.EnumerateRunes().Select(r => r.ToString()), indices.Select(i => Vocabulary.Of(vocabulary).Runes[i].ToString()));
                Assert.Equal(vocabulary, Vocabulary.Of(text).Chars);
            }
        }
    }

    [Fact]
    public void NegativeControlOtherReadersAreCaught()
    {
        // A decoder that replaces invalid bytes and keeps the BOM, and .NET's own BOM-detecting reader (whose
        // error names no offset), both disagree with the rule.
        Assert.NotEmpty(Mismatches(path => Encoding.UTF8.GetString(File.ReadAllBytes(path))));
        Assert.NotEmpty(Mismatches(path => File.ReadAllText(path, new UTF8Encoding(false, throwOnInvalidBytes: true))));
    }

    private static List<string> Mismatches(Func<string, string> reader)
    {
        var wrong = new List<string>();
        foreach (JsonNode? row in Rows)
        {
            string file = (string)row!["file"]!, path = Path.Combine(Files, file);
            string? expectedError = (string?)row["error"];
            string text;
            try
            {
                text = reader(path);
            }
            catch (Exception error) when (error is InvalidDataException or ArgumentException)
            {
                if (expectedError is null || !error.Message.EndsWith(expectedError, StringComparison.Ordinal)
                    || !error.Message.StartsWith($"text file '{path}'", StringComparison.Ordinal) || error.Message.Contains('\n', StringComparison.Ordinal))
                {
                    wrong.Add($"{file}: {error.Message}");
                }

                continue;
            }

            if (expectedError is not null)
            {
                wrong.Add($"{file}: read '{text}', expected the error '{expectedError}'");
            }
            else if (text != (string)row["text"]! || (text.Length > 0 && Vocabulary.Of(text).Chars != (string)row["vocabulary"]!))
            {
                wrong.Add($"{file}: read '{text}'");
            }
        }

        return wrong;
    }
}
