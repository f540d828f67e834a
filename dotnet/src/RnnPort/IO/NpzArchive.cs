using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace RnnPort;

/// <summary>
/// Is this file a safe zip archive of <c>.npy</c> arrays? Sections F and Z of <c>docs/model-file.md</c>.
/// NumPy twin: <c>rnnport.io.npz_archive</c> (<c>read_file</c>, <c>read_entries</c>).
/// </summary>
/// <remarks>
/// The archive is parsed here rather than by <see cref="ZipArchive"/>, so that exactly the rules of
/// the specification apply (ZipArchive ignores local headers, CRCs, unknown entries and trailing
/// deflate data); every size is checked from the central directory before anything is inflated.
/// </remarks>
internal static partial class NpzArchive
{
    /// <summary>The largest file, and the largest sum of uncompressed entry sizes (NumPy <c>MAX_ARCHIVE_BYTES</c>).</summary>
    internal const long MaxArchiveBytes = 2_000_000_000;

    /// <summary>The most entries an archive may hold (NumPy <c>MAX_ENTRIES</c>).</summary>
    internal const int MaxEntries = 518;  // a bidirectional 64-layer LSTM with biases: 512 layer arrays, W_hy, b_y, h0, c0, vocabulary, metadata

    /// <summary>Deflated entries larger than this uncompressed are held to <see cref="MaxDeflateRatio"/>.</summary>
    internal const long BombCheckedAbove = 1 << 20;

    /// <summary>Trained float64 weights deflate about 1.1:1, a bomb of zeros about 1000:1.</summary>
    internal const long MaxDeflateRatio = 64;

    private const int EndSize = 22;
    private const int CentralSize = 46;
    private const int LocalSize = 30;
    private const int AllowedFlags = (1 << 1) | (1 << 2) | (1 << 11);
    private const uint Zip64 = 0xFFFF_FFFF;

    /// <summary>The bytes of the regular file <paramref name="path"/> (F1, F2); a FIFO or device is never opened.</summary>
    internal static byte[] ReadFile(string path)
    {
        long length;
        try
        {
            // Type and size before opening: opening a FIFO would block, and devices and FIFOs report size 0.
            switch (FileKind.Of(path))
            {
                case FileKind.Kind.Directory:
                    throw Refuse("F1", $"'{path}' is a directory");
                case FileKind.Kind.Special:
                    throw Refuse("F1", $"'{path}' is not a regular file (a device, FIFO or socket)");
                case FileKind.Kind.Missing:
                    throw Refuse("F1", $"cannot open '{path}': No such file or directory");
                default:
                    break;
            }

            if (Directory.Exists(path))
            {
                throw Refuse("F1", $"'{path}' is a directory");
            }

            FileSystemInfo info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                info = info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
                if (info is DirectoryInfo || Directory.Exists(info.FullName))
                {
                    throw Refuse("F1", $"'{path}' is a directory");
                }
            }

            if (!info.Exists || info is not FileInfo file)
            {
                throw Refuse("F1", $"cannot open '{path}': No such file or directory");
            }

            length = file.Length;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException
                                          && error is not ModelFileException)
        {
            throw Refuse("F1", $"cannot open '{path}': {error.Message}", error);
        }

        if (length < EndSize || length > MaxArchiveBytes)
        {
            throw Refuse("F2", $"'{path}' is {length} bytes; a model file is {EndSize} to {MaxArchiveBytes} (devices and FIFOs report 0)");
        }

        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (RandomAccess.GetLength(handle) != length)
            {
                throw Refuse("F2", $"'{path}' changed size while it was read");
            }

            var data = new byte[length];
            for (int done = 0; done < data.Length;)
            {
                int n = RandomAccess.Read(handle, data.AsSpan(done), done);
                if (n == 0)
                {
                    throw Refuse("F2", $"'{path}' changed size while it was read");
                }

                done += n;
            }

            return data;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not ModelFileException)
        {
            throw Refuse("F1", $"cannot read '{path}': {error.Message}", error);
        }
    }

    /// <summary>
    /// The uncompressed bytes of every entry of the zip archive <paramref name="data"/>, by name (Z1–Z9).
    /// <paramref name="names"/> are the names allowed (Z4); which are required is the caller's business.
    /// </summary>
    internal static Dictionary<string, byte[]> ReadEntries(byte[] data, IReadOnlySet<string> names)
    {
        int endAt = data.Length - EndSize;
        ReadOnlySpan<byte> end = data.AsSpan(endAt);
        if (BinaryPrimitives.ReadUInt32LittleEndian(end) != 0x0605_4B50 || U16(end, 20) != 0)
        {
            throw Refuse("Z1", "the file does not end with a zip end record (without a comment): not an .npz archive");
        }

        int disk = U16(end, 4), cdDisk = U16(end, 6), onDisk = U16(end, 8), total = U16(end, 10);
        long cdSize = U32(end, 12), cdOffset = U32(end, 16);
        if (disk != 0 || cdDisk != 0 || onDisk != total || total < 1 || total > MaxEntries)
        {
            throw Refuse("Z1", Invariant($"the zip end record declares disks {disk}/{cdDisk} and {onDisk}/{total} entries; expected one disk and 1 to {MaxEntries} entries"));
        }

        if (cdOffset + cdSize != endAt)
        {
            throw Refuse("Z2", Invariant($"the central directory ({cdSize} bytes at {cdOffset}) does not end at the end record ({endAt})"));
        }

        var pending = new Dictionary<string, (int Method, long DataAt, long Compressed, long Size, uint Crc)>();
        var spans = new List<(long Start, long End)>();
        long totalSize = 0;
        long at = cdOffset;
        for (int i = 0; i < total; i++)
        {
            if (at + CentralSize > endAt)
            {
                throw Refuse("Z2", "the central directory is shorter than its entry count");
            }

            ReadOnlySpan<byte> record = data.AsSpan((int)at, CentralSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(record) != 0x0201_4B50)
            {
                throw Refuse("Z2", Invariant($"bad central directory record signature at {at}"));
            }

            int flags = U16(record, 8), method = U16(record, 10);
            uint crc = (uint)U32(record, 16);
            long compressed = U32(record, 20), size = U32(record, 24);
            int nameLength = U16(record, 28), extraLength = U16(record, 30), commentLength = U16(record, 32), diskStart = U16(record, 34);
            long offset = U32(record, 42);
            long nameAt = at + CentralSize, recordEnd = nameAt + nameLength + extraLength + commentLength;
            if (recordEnd > endAt)
            {
                throw Refuse("Z2", "a central directory record runs past the directory");
            }

            byte[] rawName = data.AsSpan((int)nameAt, nameLength).ToArray();
            string shown = Encoding.Latin1.GetString(rawName);
            if ((flags & ~AllowedFlags) != 0)
            {
                throw Refuse("Z3", Invariant($"entry '{shown}' has general-purpose flags 0x{flags:x4} (encryption, data descriptor or another unsupported feature)"));
            }

            if (method is not (0 or 8))
            {
                throw Refuse("Z3", Invariant($"entry '{shown}' uses compression method {method}; only stored (0) and deflate (8) are read"));
            }

            if (diskStart != 0 || commentLength != 0)
            {
                throw Refuse("Z3", $"entry '{shown}' has a disk number or a comment");
            }

            if (crc == Zip64 || compressed == Zip64 || size == Zip64 || offset == Zip64)
            {
                throw Refuse("Z3", $"entry '{shown}' uses zip64 fields in the central directory");
            }

            ExtraRecords(data.AsSpan((int)(nameAt + nameLength), extraLength), $"entry '{shown}'", "Z3");
            string name = rawName.All(b => b < 0x80) ? Encoding.ASCII.GetString(rawName) : "";
            if (!names.Contains(name))
            {
                throw Refuse("Z4", $"unexpected entry '{shown}': no model file holds an entry of that name");
            }

            if (pending.ContainsKey(name))
            {
                throw Refuse("Z4", $"entry '{name}' appears twice");
            }

            if (offset + LocalSize > cdOffset)
            {
                throw Refuse("Z6", $"entry '{name}': its local header lies outside the entry area");
            }

            ReadOnlySpan<byte> local = data.AsSpan((int)offset, LocalSize);
            int localFlags = U16(local, 6), localMethod = U16(local, 8);
            uint localCrc = (uint)U32(local, 14);
            long localCompressed = U32(local, 18), localSize = U32(local, 22);
            int localNameLength = U16(local, 26), localExtraLength = U16(local, 28);
            long dataAt = offset + LocalSize + localNameLength + localExtraLength;
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != 0x0403_4B50)
            {
                throw Refuse("Z5", Invariant($"entry '{name}': no local header at offset {offset}"));
            }

            if (dataAt > cdOffset)
            {
                throw Refuse("Z6", $"entry '{name}': its local header runs into the central directory");
            }

            ReadOnlySpan<byte> localName = data.AsSpan((int)(offset + LocalSize), localNameLength);
            Dictionary<int, byte[]> localExtra = ExtraRecords(
                data.AsSpan((int)(offset + LocalSize + localNameLength), localExtraLength), $"entry '{name}' (local)", "Z5");
            if (localSize == Zip64 || localCompressed == Zip64)
            {
                // np.savez writes zip64 placeholders in the local header, the sizes in extra record 1.
                int fields = (localSize == Zip64 ? 1 : 0) + (localCompressed == Zip64 ? 1 : 0);
                byte[] zip64 = localExtra.GetValueOrDefault(1) ?? [];
                if (zip64.Length < 8 * fields)
                {
                    throw Refuse("Z5", $"entry '{name}': a zip64 local size without its zip64 extra record");
                }

                int next = 0;
                if (localSize == Zip64)
                {
                    localSize = Zip64Value(zip64, ref next);
                }

                if (localCompressed == Zip64)
                {
                    localCompressed = Zip64Value(zip64, ref next);
                }
            }

            if (!localName.SequenceEqual(rawName) || localFlags != flags || localMethod != method || localCrc != crc
                || localCompressed != compressed || localSize != size)
            {
                throw Refuse("Z5", $"entry '{name}': the local header disagrees with the central directory");
            }

            long dataEnd = dataAt + compressed;
            if (dataEnd > cdOffset)
            {
                throw Refuse("Z6", Invariant($"entry '{name}': its {compressed} bytes run into the central directory"));
            }

            if (spans.Any(s => offset < s.End && s.Start < dataEnd))
            {
                throw Refuse("Z6", $"entry '{name}' overlaps another entry");
            }

            spans.Add((offset, dataEnd));
            totalSize += size;
            if (method == 0 && compressed != size)
            {
                throw Refuse("Z7", Invariant($"entry '{name}' is stored but its sizes differ ({compressed} and {size})"));
            }

            if (totalSize > MaxArchiveBytes)
            {
                throw Refuse("Z7", Invariant($"the entries inflate to more than {MaxArchiveBytes} bytes"));
            }

            if (method == 8 && size > BombCheckedAbove && size > compressed * MaxDeflateRatio)
            {
                throw Refuse("Z7", Invariant($"entry '{name}' inflates {compressed} bytes to {size}: refused as a zip bomb (over {MaxDeflateRatio}:1)"));
            }

            pending[name] = (method, dataAt, compressed, size, crc);
            at = recordEnd;
        }

        if (at != endAt)
        {
            throw Refuse("Z2", "the central directory holds more than its entry count");
        }

        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach ((string name, (int method, long dataAt, long compressed, long size, uint crc)) in pending)
        {
            byte[] content = method == 0
                ? data.AsSpan((int)dataAt, (int)compressed).ToArray()
                : Inflate(data, (int)dataAt, (int)compressed, (int)size, name);
            if (System.IO.Hashing.Crc32.HashToUInt32(content) != crc)
            {
                throw Refuse("Z9", $"entry '{name}' fails its CRC-32 check: the file is corrupt");
            }

            result[name] = content;
        }

        return result;
    }

    /// <summary>A model-file error ending with the rule's id, as the NumPy twin writes it.</summary>
    internal static ModelFileException Refuse(string rule, string message, Exception? cause = null)
    {
        // One line, whatever bytes a name or header holds: control characters are escaped.
        var line = new StringBuilder(message.Length + 8);
        foreach (char c in message)
        {
            line.Append(char.IsControl(c) ? string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}") : c.ToString());
        }

        line.Append(" [").Append(rule).Append(']');
        return cause is null ? new(line.ToString()) : new(line.ToString(), cause);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static int U16(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);

    private static long U32(ReadOnlySpan<byte> bytes, int at) => BinaryPrimitives.ReadUInt32LittleEndian(bytes[at..]);

    private static long Zip64Value(byte[] zip64, ref int next)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(zip64.AsSpan(next));
        next += 8;
        return value > long.MaxValue ? -1 : (long)value;  // -1 never equals a central size
    }

    /// <summary>An extra field as {id: data} (the first record of each id), refusing a malformed sequence (Z3 central, Z5 local).</summary>
    private static Dictionary<int, byte[]> ExtraRecords(ReadOnlySpan<byte> extra, string where, string rule)
    {
        var records = new Dictionary<int, byte[]>();
        int at = 0;
        while (at < extra.Length)
        {
            if (at + 4 > extra.Length || at + 4 + U16(extra, at + 2) > extra.Length)
            {
                throw Refuse(rule, $"{where}: malformed extra field");
            }

            int length = U16(extra, at + 2);
            records.TryAdd(U16(extra, at), extra.Slice(at + 4, length).ToArray());
            at += 4 + length;
        }

        return records;
    }

    /// <summary>One raw deflate stream that ends exactly at its compressed size and gives exactly <paramref name="size"/> bytes (Z8).</summary>
    private static byte[] Inflate(byte[] data, int offset, int compressed, int size, string name)
    {
        var source = new OneByteAtATime(data, offset, compressed);
        var output = new byte[size];
        int done = 0, beyond;
        try
        {
            using var inflater = new DeflateStream(source, CompressionMode.Decompress);
            while (done < size)
            {
                int n = inflater.Read(output, done, size - done);
                if (n == 0)
                {
                    break;
                }

                done += n;
            }

            beyond = inflater.Read(new byte[1], 0, 1);  // 0 only at the end of the deflate stream
        }
        catch (InvalidDataException error)
        {
            throw Refuse("Z8", $"entry '{name}': corrupt deflate data ({error.Message})", error);
        }

        if (source.AskedPastEnd)
        {
            throw Refuse("Z8", $"entry '{name}': the deflate stream is truncated");
        }

        if (done != size || beyond != 0)
        {
            throw Refuse("Z8", Invariant($"entry '{name}': it inflates to {done}{(beyond != 0 ? "+" : "")} bytes, not the declared {size}"));
        }

        if (source.Consumed != compressed)
        {
            throw Refuse("Z8", $"entry '{name}': bytes follow the deflate stream");
        }

        return output;
    }
}
