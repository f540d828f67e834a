using System.Runtime.InteropServices;
using RnnPort.Bridge;

namespace RnnPort.Tests;

/// <summary><see cref="BatchTransfer.ToTargets"/>: a C-contiguous (B, T) int32 buffer becomes <c>int[B, T]</c> in the same order.</summary>
public sealed class BatchTransferTests
{
    [Fact]
    public void CanCopyTargetsInRowMajorOrder()
    {
        int[] buffer = [3, 1, 4, 1, 5, 9];
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            int[,] targets = BatchTransfer.ToTargets((long)handle.AddrOfPinnedObject(), 2, 3);

            Assert.Equal(new[,] { { 3, 1, 4 }, { 1, 5, 9 } }, targets);
            Assert.NotEqual(new[,] { { 3, 4, 5 }, { 1, 1, 9 } }, targets);  // the control: column-major order would read this
        }
        finally
        {
            handle.Free();
        }
    }

    [Fact]
    public void CanRefuseANullAddressOnlyWhenThereIsSomethingToCopy()
    {
        Assert.Empty(BatchTransfer.ToTargets(0, 0, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchTransfer.ToTargets(0, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchTransfer.ToTargets(1, -1, 3));
    }
}
