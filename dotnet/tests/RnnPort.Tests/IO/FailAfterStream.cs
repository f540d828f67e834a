namespace RnnPort.Tests;

/// <summary>A writable stream that throws "no space left" once <c>limit</c> bytes have gone through, like a disk filling up.</summary>
internal sealed class FailAfterStream(Stream inner, long limit) : Stream
{
    private long _left = limit;

    public override bool CanRead => false;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => true;

    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => inner.Position = value;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length > _left)
        {
            inner.Write(buffer[..(int)_left]);
            _left = 0;
            throw new IOException("No space left on device (injected)");
        }

        _left -= buffer.Length;
        inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

    public override void SetLength(long value) => inner.SetLength(value);
}
