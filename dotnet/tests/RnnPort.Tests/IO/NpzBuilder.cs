using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace RnnPort.Tests;

/// <summary>
/// Writes .npz archives entry by entry, written here by hand (not with the library's writer), so that
/// tests can build both valid files and every kind of broken one.
/// </summary>
public sealed class NpzBuilder
{
    private readonly List<(string Name, byte[] Bytes)> _entries = [];

    /// <summary>The .npy bytes of a version 1.0 array with the given header fields and raw data.</summary>
    internal static byte[] Npy(string descr, long[] shape, byte[] data, bool fortranOrder = false, int major = 1, string? header = null)
    {
        string shapeText = shape.Length == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(n => n.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = header ?? $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {shapeText}, }}";
        int lengthBytes = major == 1 ? 2 : 4;
        int padding = 64 - ((6 + 2 + lengthBytes + dict.Length + 1) % 64);
        byte[] text = Encoding.ASCII.GetBytes(dict + new string(' ', padding) + "\n");
        using var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        stream.Write(length[..lengthBytes]);
        stream.Write(text);
        stream.Write(data);
        return stream.ToArray();
    }

    internal static byte[] Float64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        }

        return bytes;
    }

    internal static byte[] Int32(params int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    /// <summary>A C-order '&lt;f8' entry of the given NumPy shape, values 0.5, 1.0, 1.5, … (all finite).</summary>
    internal NpzBuilder Weights(string name, params long[] shape)
    {
        long count = shape.Aggregate(1L, (a, b) => a * b);
        return Add(name, Npy("<f8", shape, Float64(Enumerable.Range(1, (int)count).Select(i => 0.5 * i).ToArray())));
    }

    internal NpzBuilder Metadata(string json) =>
        Add("metadata", Npy("|u1", [Encoding.UTF8.GetByteCount(json)], Encoding.UTF8.GetBytes(json)));

    internal NpzBuilder Vocabulary(params int[] codes) => Add("vocabulary", Npy("<i4", [codes.Length], Int32(codes)));

    internal NpzBuilder Add(string name, byte[] npy)
    {
        _entries.RemoveAll(e => e.Name == name);
        _entries.Add((name, npy));
        return this;
    }

    internal NpzBuilder Remove(string name)
    {
        _entries.RemoveAll(e => e.Name == name);
        return this;
    }

    /// <summary>A valid tanh model without biases: I = 2, H = 3, O = 4, no vocabulary.</summary>
    internal static NpzBuilder ValidModel() => new NpzBuilder()
        .Weights("W_xh", 3, 2)
        .Weights("W_hh", 3, 3)
        .Weights("W_hy", 4, 3)
        .Weights("h0", 3)
        .Vocabulary()
        .Metadata("""{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {}, "version": 1}""");

    internal void Write(string path, CompressionLevel level = CompressionLevel.NoCompression)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach ((string name, byte[] bytes) in _entries)
        {
            using Stream entry = archive.CreateEntry(name + ".npy", level).Open();
            entry.Write(bytes);
        }
    }
}
