using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using Xunit.Abstractions;

namespace RnnPort.Tests;

/// <summary>
/// Mutation fuzzing of <see cref="ModelFile.Load"/>: every mutated file must either load into a usable
/// model or be refused with a <see cref="ModelFileException"/>, never any other exception, never a hang.
/// </summary>
/// <remarks>
/// Bounded by default to 3 seconds or 20,000 files, whichever comes first, from a fixed seed. For a
/// longer run set <c>RNNPORT_FUZZ_SECONDS</c> (then only time bounds it, unless
/// <c>RNNPORT_FUZZ_ITERATIONS</c> is set too) and optionally <c>RNNPORT_FUZZ_SEED</c>, e.g.
/// <c>RNNPORT_FUZZ_SECONDS=600 RNNPORT_FUZZ_SEED=7 dotnet test dotnet/RnnPort.sln -c Release --filter ModelFileFuzzTests --logger "console;verbosity=detailed"</c>.
/// A failure reports the seed, the iteration, the mutations and the file itself in base64.
/// </remarks>
public sealed class ModelFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>A single load taking longer than this is a hang.</summary>
    private static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(20);

    /// <summary>Header text that the token mutation splices into an entry's .npy header.</summary>
    private static readonly string[] HeaderTokens =
    [
        "'<f8'", "'<f4'", "'>f8'", "'<i8'", "'<i4'", "'|u1'", "'|O'", "'<U1'", "[('a', '<f8')]",
        "()", "(0,)", "(1,)", "(3,)", "(0, 0)", "(3, 3)", "(2, 3)", "(0, 268435456)", "(268435456,)", "(16384, 16384)",
        "(2147483648, 2147483648)", "(99999999999999999999,)", "(-1,)", "(3)", "(3, 3, 1)",
        "True", "False", "None", "'descr'", "'shape'", "'fortran_order'", "{", "}", "(", ")", ",", ":", "'", "\"", "\\", " ", "\n", "\0",
    ];

    private readonly string _directory = Directory.CreateTempSubdirectory("rnnport-fuzz-").FullName;

    private enum Outcome
    {
        Loaded,
        Rejected,
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RejectsMutatedFilesOnlyWithModelFileException()
    {
        double seconds = Setting("RNNPORT_FUZZ_SECONDS", 3.0);
        bool timed = Environment.GetEnvironmentVariable("RNNPORT_FUZZ_SECONDS") is not null;
        long maxIterations = (long)Setting("RNNPORT_FUZZ_ITERATIONS", timed ? 1e15 : 20_000);
        int seed = (int)Setting("RNNPORT_FUZZ_SEED", 20_240_601);

        // The valid start: a small relu model with both biases and a vocabulary, written by the library.
        string original = Path.Combine(_directory, "original.npz");
        RNN model = Build.Network(4, 3, 4, seed: 5, Activation.Relu, nonZeroInitialState: true, biases: true);
        ModelFile.Save(original, model, Vocabulary.Of("ab\u00e9\U0001D11E"), new() { ["learning_rate"] = 0.1, ["note"] = "fuzz" });
        byte[] valid = File.ReadAllBytes(original);
        List<(string Name, byte[] Bytes)> entries = Entries(valid);

        var fuzz = new FuzzRun(Path.Combine(_directory, "mutated.npz"), valid, entries, seed, seconds, maxIterations);
        var worker = new Thread(fuzz.Run) { IsBackground = true, Name = "model file fuzz" };
        worker.Start();
        while (!worker.Join(TimeSpan.FromMilliseconds(100)))
        {
            if (fuzz.CurrentLoadTime > HangAfter)
            {
                Assert.Fail($"a load has run for {fuzz.CurrentLoadTime.TotalSeconds:F0} s: a hang. {fuzz.Describe()}");
            }
        }

        output.WriteLine($"seed {seed}: {fuzz.Iterations} files in {fuzz.Elapsed.TotalSeconds:F1} s " +
            $"({(seconds * 1000).ToString("F0", CultureInfo.InvariantCulture)} ms or {(maxIterations >= 1e15 ? "unbounded" : maxIterations.ToString(CultureInfo.InvariantCulture))} iterations allowed)");
        foreach ((string mode, Dictionary<Outcome, long> counts) in fuzz.Counts.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  {mode}: {counts.GetValueOrDefault(Outcome.Loaded)} loaded, {counts.GetValueOrDefault(Outcome.Rejected)} rejected");
        }

        output.WriteLine("  most frequent rejections:");
        foreach ((string reason, long count) in fuzz.Reasons.OrderByDescending(r => r.Value).Take(15))
        {
            output.WriteLine($"    {count,7} {reason}");
        }

        Assert.True(fuzz.Failure is null, fuzz.Failure);
        Assert.True(fuzz.Iterations > 0, "no file was tried");
        long loaded = fuzz.Counts.Values.Sum(c => c.GetValueOrDefault(Outcome.Loaded));
        long rejected = fuzz.Counts.Values.Sum(c => c.GetValueOrDefault(Outcome.Rejected));
        Assert.True(loaded > 0 && rejected > 0, $"the mutations should both keep some files valid and break others: {loaded} loaded, {rejected} rejected");
    }

    private static double Setting(string name, double fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } text
            ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : fallback;

    /// <summary>The entries of a .npz, in archive order.</summary>
    private static List<(string Name, byte[] Bytes)> Entries(byte[] npz)
    {
        using var archive = new ZipArchive(new MemoryStream(npz), ZipArchiveMode.Read);
        var entries = new List<(string, byte[])>();
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            using Stream stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            entries.Add((entry.FullName, copy.ToArray()));
        }

        return entries;
    }

    /// <summary>The fuzz loop, run on its own thread so that the test thread can watch for a hang.</summary>
    private sealed class FuzzRun(string path, byte[] valid, List<(string Name, byte[] Bytes)> entries, int seed, double seconds, long maxIterations)
    {
        private readonly Random _random = new(seed);
        private readonly Stopwatch _clock = new();
        private long _loadStarted = -1;  // _clock ticks when the current load started, -1 between loads
        private volatile string _current = "";
        private volatile byte[] _input = [];

        internal long Iterations { get; private set; }

        internal TimeSpan Elapsed => _clock.Elapsed;

        internal string? Failure { get; private set; }

        internal Dictionary<string, Dictionary<Outcome, long>> Counts { get; } = new(StringComparer.Ordinal);

        internal Dictionary<string, long> Reasons { get; } = new(StringComparer.Ordinal);

        internal TimeSpan CurrentLoadTime
        {
            get
            {
                long started = Interlocked.Read(ref _loadStarted);
                return started < 0 ? TimeSpan.Zero : TimeSpan.FromTicks((long)((_clock.ElapsedTicks - started) * (TimeSpan.TicksPerSecond / (double)Stopwatch.Frequency)));
            }
        }

        internal string Describe() =>
            $"seed {seed}, iteration {Iterations}, mutations: {_current}; file (base64): {Convert.ToBase64String(_input)}";

        internal void Run()
        {
            _clock.Start();
            while (Iterations < maxIterations && _clock.Elapsed.TotalSeconds < seconds)
            {
                var log = new StringBuilder();
                (string mode, byte[] input) = _random.Next(2) == 0 ? ("raw bytes", MutateBytes(valid, log)) : ("entries", MutateEntries(log));
                _current = log.ToString();
                _input = input;
                File.WriteAllBytes(path, input);
                Iterations++;

                Interlocked.Exchange(ref _loadStarted, _clock.ElapsedTicks);
                Outcome outcome;
                try
                {
                    outcome = LoadAndUse();
                }
                catch (Exception error)
                {
                    Failure = $"{error.GetType().FullName}: {error.Message}\n{Describe()}\n{error}";
                    return;
                }
                finally
                {
                    Interlocked.Exchange(ref _loadStarted, -1);
                }

                if (!Counts.TryGetValue(mode, out Dictionary<Outcome, long>? counts))
                {
                    Counts[mode] = counts = [];
                }

                counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            }
        }

        /// <summary>Loads the mutated file; a model that loads must work or refuse a
        /// non-finite result, unchanged; any other exception escapes.</summary>
        private Outcome LoadAndUse()
        {
            ModelFileContents contents;
            try
            {
                contents = ModelFile.Load(path);
            }
            catch (ModelFileException error)
            {
                string reason = Reason(error.Message);
                Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
                return Outcome.Rejected;
            }

            RNN model = contents.Model;
            Assert.True(contents.Vocabulary is null || contents.Vocabulary.Count == model.InputSize, "vocabulary size ≠ I");
            var inputs = Matrix<double>.Build.Dense(2, model.InputSize, (t, i) => (t + 1) * 0.25 - i * 0.125);
            Matrix<double> outputs, states, before = model.State;
            try
            {
                (outputs, states) = model.Forward(inputs);
            }
            catch (NonFiniteResultException)
            {
                // A mutated weight of 1e300 is a valid file whose model overflows: refused by Forward, not by Load.
                Build.AssertBitIdentical(before, model.State);
                return Outcome.Loaded;
            }

            Assert.Equal((2, model.OutputSize, model.HiddenSize), (outputs.RowCount, outputs.ColumnCount, states.ColumnCount));
            Build.AssertBitIdentical(states.SubMatrix(1, 1, 0, model.HiddenSize), model.State);
            return Outcome.Loaded;
        }

        /// <summary>A message with its file path, numbers and quoted text removed, to count rejections by kind.</summary>
        private static string Reason(string message)
        {
            string text = System.Text.RegularExpressions.Regex.Replace(message, "'[^']*'|\"[^\"]*\"|\\d+", "_");
            return text.Length <= 90 ? text : text[..90] + "…";
        }

        /// <summary>One to four stacked byte mutations of the whole file.</summary>
        private byte[] MutateBytes(byte[] bytes, StringBuilder log)
        {
            List<byte> data = [.. bytes];
            for (int n = _random.Next(1, 5); n > 0; n--)
            {
                Mutate(data, 0, data.Count, log);
            }

            return [.. data];
        }

        /// <summary>Mutates one or two entries (or the entry list), then re-zips with correct sizes and CRCs.</summary>
        private byte[] MutateEntries(StringBuilder log)
        {
            List<(string Name, byte[] Bytes)> list = [.. entries];
            for (int n = _random.Next(1, 3); n > 0; n--)
            {
                int k = _random.Next(list.Count);
                (string name, byte[] bytes) = list[k];
                switch (_random.Next(10))
                {
                    case 0 when list.Count > 1:
                        log.Append($"drop {name}; ");
                        list.RemoveAt(k);
                        break;
                    case 1:
                        log.Append($"duplicate {name}; ");
                        list.Insert(_random.Next(list.Count + 1), (name, bytes));
                        break;
                    case 2:
                        string other = list[_random.Next(list.Count)].Name;
                        string renamed = _random.Next(2) == 0 ? other : name.Replace(".npy", "", StringComparison.Ordinal);
                        log.Append($"rename {name} to {renamed}; ");
                        list[k] = (renamed, bytes);
                        break;
                    case 3 or 4:
                        log.Append($"{name} header token: ");
                        list[k] = (name, SpliceHeaderToken(bytes, log));
                        break;
                    default:
                        // Mostly the preamble (magic, version, header length, header text), sometimes the data.
                        List<byte> data = [.. bytes];
                        int preamble = Math.Min(data.Count, 128);
                        bool header = _random.Next(3) > 0;
                        log.Append($"{name} {(header ? "header" : "data")}: ");
                        Mutate(data, header ? 0 : preamble, header ? preamble : data.Count - preamble, log);
                        list[k] = (name, [.. data]);
                        break;
                }
            }

            bool deflate = _random.Next(4) == 0;
            log.Append(deflate ? "deflated" : "stored");
            using var stream = new MemoryStream();
            using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach ((string name, byte[] bytes) in list)
                {
                    using Stream entry = archive.CreateEntry(name, deflate ? CompressionLevel.Fastest : CompressionLevel.NoCompression).Open();
                    entry.Write(bytes);
                }
            }

            return stream.ToArray();
        }

        /// <summary>Replaces a random span of the .npy header text with a token.</summary>
        private byte[] SpliceHeaderToken(byte[] npy, StringBuilder log)
        {
            int end = Math.Min(npy.Length, 128);
            if (end <= 10)
            {
                log.Append("(too short) ");
                return npy;
            }

            int at = _random.Next(10, end);
            int length = _random.Next(0, Math.Min(12, end - at) + 1);
            string token = HeaderTokens[_random.Next(HeaderTokens.Length)];
            log.Append($"[{at}, +{length}) := {token.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal)}; ");
            byte[] tokenBytes = Encoding.Latin1.GetBytes(token);
            return [.. npy[..at], .. tokenBytes, .. npy[(at + length)..]];
        }

        /// <summary>One mutation inside [start, start + length) of <paramref name="data"/>.</summary>
        private void Mutate(List<byte> data, int start, int length, StringBuilder log)
        {
            if (length <= 0)
            {
                log.Append("(nothing to mutate) ");
                return;
            }

            int at = start + _random.Next(length);
            switch (_random.Next(8))
            {
                case 0:
                case 1:
                    int bit = _random.Next(8);
                    data[at] ^= (byte)(1 << bit);
                    log.Append($"flip bit {bit} of byte {at}; ");
                    break;
                case 2:
                    int count = Math.Min(_random.Next(1, 17), start + length - at);
                    for (int i = 0; i < count; i++)
                    {
                        data[at + i] = (byte)_random.Next(256);
                    }

                    log.Append($"overwrite {count} bytes at {at}; ");
                    break;
                case 3:
                    // An interesting little-endian 16- or 32-bit value: a size or an offset field gone wrong.
                    uint[] values = [0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, (uint)data.Count, (uint)_random.Next()];
                    uint value = values[_random.Next(values.Length)];
                    int width = _random.Next(2) == 0 ? 2 : 4;
                    for (int i = 0; i < width && at + i < data.Count; i++)
                    {
                        data[at + i] = (byte)(value >> (8 * i));
                    }

                    log.Append($"write {value:X} ({width} bytes) at {at}; ");
                    break;
                case 4:
                    byte[] run = new byte[_random.Next(1, 65)];
                    if (_random.Next(2) == 0)
                    {
                        _random.NextBytes(run);
                    }

                    data.InsertRange(at, run);
                    log.Append($"insert {run.Length} bytes at {at}; ");
                    break;
                case 5:
                    int remove = Math.Min(_random.Next(1, 65), data.Count - at);
                    data.RemoveRange(at, remove);
                    log.Append($"delete {remove} bytes at {at}; ");
                    break;
                case 6:
                    data.RemoveRange(at, data.Count - at);
                    log.Append($"truncate to {at}; ");
                    break;
                default:
                    // Copy a run from elsewhere in the file over this place (a duplicated header, a shifted record).
                    int from = _random.Next(data.Count);
                    int copy = Math.Min(Math.Min(_random.Next(1, 65), data.Count - from), data.Count - at);
                    byte[] chunk = data.GetRange(from, copy).ToArray();
                    for (int i = 0; i < copy; i++)
                    {
                        data[at + i] = chunk[i];
                    }

                    log.Append($"copy {copy} bytes from {from} to {at}; ");
                    break;
            }
        }
    }
}
