using System.Runtime.InteropServices;
using MathNet.Numerics.LinearAlgebra;
using RnnPort.Bridge;

namespace RnnPort.Tests;

/// <summary><see cref="ArrayTransfer.Step"/>: TimeStep between unmanaged buffers, one call per step.</summary>
public sealed class ArrayTransferStepTests
{
    [Theory]
    [InlineData(Kernel.Sequential)]
    [InlineData(Kernel.MathNet)]
    public void CanStepBitIdenticallyToTimeStep(Kernel kernel)
    {
        RNN viaBridge = Build.Network(5, 37, 9, seed: 40, nonZeroInitialState: true, biases: true);
        RNN reference = Build.Network(5, 37, 9, seed: 40, nonZeroInitialState: true, biases: true);
        viaBridge.Kernel = kernel;
        Matrix<double> inputs = Build.Random(12, 5, seed: 41);
        using var x = new Buffer(5);
        using var y = new Buffer(9);
        for (int t = 0; t < inputs.RowCount; t++)
        {
            Matrix<double> row = inputs.SubMatrix(t, 1, 0, 5);
            x.Write(row.Row(0).ToArray());

            ArrayTransfer.Step(viaBridge, x.Address, 5, y.Address, 9);

            Build.AssertBitIdentical(reference.TimeStep(row), Matrix<double>.Build.Dense(1, 9, y.Read()));
            Build.AssertBitIdentical(reference.State, viaBridge.State);
        }
    }

    [Fact]
    public void CanStepWithoutAllocating()
    {
        RNN model = Build.Network(8, 64, 8, seed: 42);
        using var x = new Buffer(8);
        using var y = new Buffer(8);
        x.Write(Build.Random(1, 8, seed: 43).Row(0).ToArray());
        for (int warm = 0; warm < 5; warm++)
        {
            ArrayTransfer.Step(model, x.Address, 8, y.Address, 8);
        }

        // As in FastPathTests: two runs that differ only in their number of steps; one allocation per
        // step, even an empty object (24 bytes), would add at least 24,000 bytes to the difference.
        long shortBytes = FastPathTests.Allocated(() => Loop(1000));
        long longBytes = FastPathTests.Allocated(() => Loop(2000));
        Assert.True(longBytes - shortBytes < 1000, $"1000 steps: {shortBytes} B, 2000 steps: {longBytes} B");

        void Loop(int steps)
        {
            for (int t = 0; t < steps; t++)
            {
                ArrayTransfer.Step(model, x.Address, 8, y.Address, 8);
            }
        }
    }

    [Fact]
    public void CanRejectBadInputLikeTimeStepWithoutChangingTheState()
    {
        RNN model = Build.Network(4, 6, 3, seed: 44, nonZeroInitialState: true);
        Matrix<double> before = model.State;
        using var x = new Buffer(4);
        using var y = new Buffer(3);

        var shape = Assert.Throws<ShapeMismatchException>(() => ArrayTransfer.Step(model, x.Address, 3, y.Address, 3));
        var expectedShape = Assert.Throws<ShapeMismatchException>(() => model.TimeStep(Matrix<double>.Build.Dense(1, 3)));
        Assert.Equal(expectedShape.Message, shape.Message);
        Assert.Equal("input has shape 1×3, expected 1×4 (Parameter 'input')", shape.Message);

        x.Write([0.5, double.NaN, 1.0, 2.0]);
        var nonFinite = Assert.Throws<NonFiniteValueException>(() => ArrayTransfer.Step(model, x.Address, 4, y.Address, 3));
        var expectedNonFinite = Assert.Throws<NonFiniteValueException>(
            () => model.TimeStep(Matrix<double>.Build.DenseOfRowArrays([0.5, double.NaN, 1.0, 2.0])));
        Assert.Equal(expectedNonFinite.Message, nonFinite.Message);

        x.Write([0.5, 0.25, 1.0, 2.0]);
        Assert.Throws<ShapeMismatchException>(() => ArrayTransfer.Step(model, x.Address, 4, y.Address, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArrayTransfer.Step(model, 0, 4, y.Address, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ArrayTransfer.Step(model, x.Address, -1, y.Address, 3));
        Assert.Throws<ArgumentNullException>(() => ArrayTransfer.Step(null!, x.Address, 4, y.Address, 3));

        Build.AssertBitIdentical(before, model.State);
    }

    /// <summary>An unmanaged float64 buffer, as a NumPy array's data would be.</summary>
    private sealed class Buffer(int length) : IDisposable
    {
        private readonly IntPtr _pointer = Marshal.AllocHGlobal(Math.Max(1, length) * sizeof(double));

        public long Address => _pointer.ToInt64();

        public void Write(double[] values) => Marshal.Copy(values, 0, _pointer, length);

        public double[] Read()
        {
            var values = new double[length];
            Marshal.Copy(_pointer, values, 0, length);
            return values;
        }

        public void Dispose() => Marshal.FreeHGlobal(_pointer);
    }
}
