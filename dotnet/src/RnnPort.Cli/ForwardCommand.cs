using System.Globalization;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Cli;

/// <summary>
/// <c>rnnport-cli forward --model M.npz --inputs xs.npy --out ys.npy</c>: runs a model file (a cell of a version 1
/// or 2 file, or the stack of a version 3 file) over one sequence; xs float64 (T, I), ys float64 (T, O), written
/// atomically. NumPy twin: <c>rnnport.cli.forward</c> (on the exact kernels: the same bits).
/// </summary>
internal static class ForwardCommand
{
    /// <summary>Checks the paths, loads the model and the inputs, runs, writes; returns 0.</summary>
    internal static int Run(Options options, OptionRules rules, TextWriter output)
    {
        string model = options.String("model") ?? throw new UsageException("missing --model");
        string inputs = options.String("inputs") ?? throw new UsageException("missing --inputs");
        string outFile = options.String("out") ?? throw new UsageException("missing --out");
        if (options.PositionalCount > 0)
        {
            throw new UsageException("forward takes no positional arguments: --model, --inputs and --out");
        }

        options.CheckAllUsed();
        Commands.OutputFile(outFile, "--out");
        Commands.InputFile(model, "model file", maxBytes: null);
        ModelFileContents loaded = ModelFile.Load(model);
        int inputSize = loaded.IsStack ? loaded.Stack.InputSize : loaded.Cell.InputSize;
        Matrix<double> xs = ReadInputs(inputs, inputSize, rules);
        Matrix<double> ys = loaded.IsStack ? loaded.Stack.Forward(xs).Outputs : CellOutputs(loaded.Cell, xs);
        long[] shape = [ys.RowCount, ys.ColumnCount];
        double[] rowMajor = ys.ToRowMajorArray();
        AtomicFile.Write(outFile, stream => Npy.WriteFloat64(stream, shape, rowMajor));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {outFile}: outputs ({ys.RowCount}, {ys.ColumnCount})"));
        return 0;
    }

    /// <summary>A cell's outputs T×O, one <see cref="IRecurrentCell.TimeStep"/> per row from its initial state.</summary>
    private static Matrix<double> CellOutputs(IRecurrentCell cell, Matrix<double> xs)
    {
        var ys = Matrix<double>.Build.Dense(xs.RowCount, cell.OutputSize);
        for (int t = 0; t < xs.RowCount; t++)
        {
            ys.SetRow(t, cell.TimeStep(xs.SubMatrix(t, 1, 0, xs.ColumnCount)).Row(0));
        }

        return ys;
    }

    /// <summary>
    /// The inputs: a regular file, a <c>.npy</c> by rules N1–N4 of docs/model-file.md (nothing evaluated), float64 of
    /// shape (T, I) with at most the rules' element limit; the NumPy twin's messages for the dtype and the width.
    /// </summary>
    private static Matrix<double> ReadInputs(string path, int inputSize, OptionRules rules)
    {
        Commands.InputFile(path, "inputs", maxBytes: (8 * rules.MaxElements) + 65536);
        Npy.Header header;
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            header = Npy.Parse(path, bytes);
        }
        catch (ModelFileException error)
        {
            throw new UsageException($"inputs {path} is not a .npy file: {error.Message}");
        }

        if (header.Descr != "<f8" || header.Shape.Length != 2)
        {
            throw new UsageException($"inputs {path} must be float64 of shape (T, I), got {header.Descr} {Npy.Format(header.Shape)}");
        }

        if (header.Count > rules.MaxElements)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"inputs {path} declares shape {Npy.Format(header.Shape)}, more than {rules.MaxElements} numbers"));
        }

        if (header.Shape[1] != inputSize)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"inputs {path} must be float64 of shape (T, {inputSize}), got shape {Npy.Format(header.Shape)}"));
        }

        int rows = (int)header.Shape[0], columns = (int)header.Shape[1];
        double[] data = new double[header.Count];
        Buffer.BlockCopy(bytes, (int)header.PreambleLength, data, 0, data.Length * 8);  // '<f8' on a little-endian machine
        return header.FortranOrder
            ? Matrix<double>.Build.Dense(rows, columns, data)                   // column-major (T, I): as is
            : Matrix<double>.Build.Dense(columns, rows, data).Transpose();      // C order (T, I) = column-major I×T
    }
}
