using System.Buffers;
using System.Text.Unicode;

namespace RnnPort;

/// <summary>
/// Reads a training text by the rule both languages share (docs/cli.md, "Reading a text"). NumPy twin:
/// <c>rnnport.training.corpus_file.read_text</c>; both are checked on the same byte files
/// (<c>parity_tests/corpus/</c>).
/// <list type="bullet">
/// <item>The file is UTF-8. One leading byte-order mark (EF BB BF) is removed: it marks the encoding, it is not
/// text. A U+FEFF anywhere else is kept as a character.</item>
/// <item>Every other character is kept as it is: <c>\r\n</c> stays two characters and a lone <c>\r</c> one (no
/// newline translation), so the model learns the file's text and a model trained on a file with Windows line
/// ends samples them.</item>
/// <item>Bytes that are not UTF-8 (a stray continuation byte, a truncated or overlong sequence, an encoded
/// surrogate, a code point above U+10FFFF) are refused, naming the first such byte and its offset in the file.</item>
/// </list>
/// </summary>
public static class CorpusText
{
    private static ReadOnlySpan<byte> ByteOrderMark => [0xEF, 0xBB, 0xBF];

    /// <summary>The text of the file at <paramref name="path"/>.</summary>
    /// <param name="path">A UTF-8 file.</param>
    /// <returns>Its characters, a leading byte-order mark removed.</returns>
    /// <exception cref="InvalidDataException">The file is not UTF-8 (the message names the byte and its offset).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static string Read(string path) => Decode(File.ReadAllBytes(path), $"text file '{path}'");

    /// <summary>The text of <paramref name="bytes"/>, by the rule of <see cref="Read"/>.</summary>
    /// <param name="bytes">UTF-8 bytes.</param>
    /// <param name="what">What the bytes are, for the error message.</param>
    /// <returns>The text.</returns>
    /// <exception cref="InvalidDataException">The bytes are not UTF-8.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes, string what)
    {
        int skipped = bytes.StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0;
        ReadOnlySpan<byte> body = bytes[skipped..];
        char[] chars = new char[body.Length];  // UTF-8 never needs more UTF-16 units than bytes
        OperationStatus status = Utf8.ToUtf16(body, chars, out int read, out int written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            // NeedMoreData: the file ends inside a sequence; InvalidData: read is where the bad sequence starts.
            int offset = skipped + read;
            throw new InvalidDataException($"{what} is not UTF-8: invalid byte 0x{bytes[offset]:X2} at offset {offset}");
        }

        return new string(chars, 0, written);
    }
}
