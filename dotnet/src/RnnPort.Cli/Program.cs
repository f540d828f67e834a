using System.Text;

namespace RnnPort.Cli;

/// <summary>
/// <c>rnnport-cli train TEXTFILE [options]</c> and <c>rnnport-cli sample MODEL [options]</c>: the C# twin
/// of <c>python -m rnnport train | sample</c>. Bad arguments and unreadable files give a one-line
/// error on stderr and exit status 2, never a stack trace.
/// </summary>
internal static class Program
{
    internal const string Usage =
        """
        usage: rnnport-cli train TEXTFILE [--steps N=2000] [--hidden H=64] [--seq-length L=25]
                                          [--learning-rate R=0.1] [--clip C=5] [--seed S=0]
                                          [--sample-every K=500 (0: never)] [--out model.npz]
               rnnport-cli sample MODEL [--length N=200] [--temperature T=1.0] [--seed S=0] [--start CHAR]
        """;

    private static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Runs one command; returns the exit status (0 success, 2 bad arguments or files).</summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Count == 0 ? error : output).WriteLine(Usage);
            return args.Count == 0 ? 2 : 0;
        }

        string command = args[0];
        try
        {
            var options = new Options(args.Skip(1));
            if (options.HelpRequested)
            {
                output.WriteLine(Usage);
                return 0;
            }

            return command switch
            {
                "train" => Commands.Train(options, output),
                "sample" => Commands.Sample(options, output),
                _ => throw new UsageException($"unknown command '{command}': expected 'train' or 'sample'"),
            };
        }
        catch (Exception failure) when (failure is UsageException or ArgumentException or IOException or UnauthorizedAccessException
            or NonFiniteResultException)
        {
            // One line: a FileNotFoundException, a ModelFileException, a bad number all read the same way.
            string message = failure.Message.ReplaceLineEndings(" ");
            if (failure is ArgumentException { ParamName: { } name })
            {
                message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);  // noise on a command line
            }

            error.WriteLine($"rnnport-cli {command}: {message}");
            return 2;
        }
    }
}

/// <summary>A command line that does not parse; reported as one line, exit status 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
