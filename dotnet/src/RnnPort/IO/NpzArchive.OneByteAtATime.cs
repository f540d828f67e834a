namespace RnnPort;

/// <summary>The stream that feeds the inflater, for exact deflate-stream lengths (docs/model-file.md, Z8).</summary>
internal static partial class NpzArchive
{
    /// <summary>
    /// Hands the inflater one byte per read, so that when it reaches the end of the deflate stream the
    /// bytes consumed are exactly the stream's length (trailing bytes are then visible, as Python's
    /// <c>unused_data</c> shows them), and records a request past the end (a truncated stream).
    /// </summary>
    private sealed class OneByteAtATime(byte[] data, int offset, int length) : Stream
    {
        internal int Consumed { get; private set; }

        internal bool AskedPastEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset1, int count) => Read(buffer.AsSpan(offset1, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.Length == 0)
            {
                return 0;
            }

            if (Consumed == length)
            {
                AskedPastEnd = true;
                return 0;
            }

            buffer[0] = data[offset + Consumed];
            Consumed++;
            return 1;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset1, int count) => throw new NotSupportedException();
    }
}
