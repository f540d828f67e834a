namespace RnnPort;

/// <summary>
/// CRC-32 (IEEE 802.3, the zip checksum), as Python's <c>zlib.crc32</c> computes it: model-file
/// rule Z9 (<c>docs/model-file.md</c>) and the writer's entry checksums.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="bytes"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFF_FFFF;
        foreach (byte b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1;  // the reflected polynomial 0x04C11DB7
            }

            table[n] = c;
        }

        return table;
    }
}
