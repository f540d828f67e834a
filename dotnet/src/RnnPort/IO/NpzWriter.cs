using System.Buffers.Binary;
using System.Text;

namespace RnnPort;

/// <summary>
/// Writes a zip archive of stored (uncompressed) entries in memory: the layout of
/// <c>docs/model-file.md</c> section Z, without data descriptors, zip64 records or comments, with a
/// fixed timestamp (1980-01-01) so that the same model gives the same bytes. NumPy twin: <c>np.savez</c>.
/// </summary>
internal sealed class NpzWriter
{
    private const ushort DosDate1980 = (0 << 9) | (1 << 5) | 1;  // 1980-01-01
    private readonly MemoryStream _stream = new();
    private readonly List<(byte[] Name, uint Crc, int Size, int Offset)> _entries = [];

    /// <summary>Appends entry <paramref name="name"/> with <paramref name="content"/>, stored.</summary>
    internal void Add(string name, byte[] content)
    {
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        uint crc = System.IO.Hashing.Crc32.HashToUInt32(content);
        int offset = checked((int)_stream.Length);
        Span<byte> local = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(local, 0x0403_4B50);
        BinaryPrimitives.WriteUInt16LittleEndian(local[4..], 20);        // version needed: 2.0
        BinaryPrimitives.WriteUInt16LittleEndian(local[6..], 0);         // flags
        BinaryPrimitives.WriteUInt16LittleEndian(local[8..], 0);         // stored
        BinaryPrimitives.WriteUInt16LittleEndian(local[10..], 0);        // time 00:00
        BinaryPrimitives.WriteUInt16LittleEndian(local[12..], DosDate1980);
        BinaryPrimitives.WriteUInt32LittleEndian(local[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(local[18..], (uint)content.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(local[22..], (uint)content.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(local[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(local[28..], 0);        // no extra field
        _stream.Write(local);
        _stream.Write(nameBytes);
        _stream.Write(content);
        _entries.Add((nameBytes, crc, content.Length, offset));
    }

    /// <summary>The archive: the entries, the central directory and the end record.</summary>
    internal byte[] ToArray()
    {
        int cdOffset = checked((int)_stream.Length);
        Span<byte> record = stackalloc byte[46];
        foreach ((byte[] name, uint crc, int size, int offset) in _entries)
        {
            record.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x0201_4B50);
            BinaryPrimitives.WriteUInt16LittleEndian(record[4..], 20);   // version made by: 2.0, MS-DOS attributes
            BinaryPrimitives.WriteUInt16LittleEndian(record[6..], 20);   // version needed
            BinaryPrimitives.WriteUInt16LittleEndian(record[12..], 0);   // time
            BinaryPrimitives.WriteUInt16LittleEndian(record[14..], DosDate1980);
            BinaryPrimitives.WriteUInt32LittleEndian(record[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(record[20..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(record[24..], (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(record[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(record[42..], (uint)offset);
            _stream.Write(record);
            _stream.Write(name);
        }

        int cdSize = checked((int)_stream.Length) - cdOffset;
        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x0605_4B50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)cdOffset);
        _stream.Write(end);
        return _stream.ToArray();
    }
}
