using BenchmarkDotNet.Running;

namespace RnnPort.Benchmarks;

/// <summary>
/// Entry point: BenchmarkDotNet's switcher over every benchmark class in this assembly. A short run of all:
/// <c>dotnet run -c Release --project dotnet/benchmarks/RnnPort.Benchmarks -- --filter '*' --job short</c>
/// (see docs/benchmarks-dotnet.md).
/// </summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
