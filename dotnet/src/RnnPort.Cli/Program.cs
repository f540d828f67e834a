using System.Globalization;
using System.Text;

namespace RnnPort.Cli;

/// <summary>
/// <c>rnnport-cli train TEXTFILE [options]</c>, <c>rnnport-cli sample MODEL [options]</c> and
/// <c>rnnport-cli forward --model M --inputs XS --out YS</c>: the C# twin of <c>python -m rnnport train | sample | forward</c>. Every argument, input and output is checked before any
/// work, the shared options by the rules both command lines read (<see cref="OptionRules"/>). Bad
/// arguments, unreadable inputs, unwritable outputs, sizes over the limits and running out of memory
/// give a one-line error on stderr and exit status 2, never a stack trace; the model file is replaced
/// atomically, so a failed save leaves the previous one intact.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Console.OutputEncoding = new UTF8Encoding(false);
        // The progress line only on a terminal: a redirected stderr gets the one-line errors alone.
        return Run(args, Console.Out, Console.Error, Console.IsErrorRedirected ? null : Console.Error);
    }

    /// <summary>The usage text, its defaults and ranges from the shared rules.</summary>
    internal static string Usage(OptionRules rules)
    {
        string Shared(string command) => string.Join(' ', rules.Names(command).Select(name =>
        {
            var rule = rules.Rule(command, name);
            string shown = (string)rule["kind"]! switch
            {
                "int" => $"{rule["min"]}..{rule["max"]}",
                "float" => $">{rule["above"]}",
                "choice" => string.Join('|', rule["choices"]!.AsArray().Select(c => (string)c!)),
                _ => "CHAR",
            };
            return $"[--{name} {shown}{(rule["default"] is { } fallback ? $"={fallback.ToJsonString().Trim('"')}" : "")}]";
        }));
        return string.Create(CultureInfo.InvariantCulture, $"""
            usage: rnnport-cli train TEXTFILE {Shared("train")} [--out PATH={rules.OutputDefault("train", "out")}] [--quiet]
                   rnnport-cli sample MODEL {Shared("sample")}
                   rnnport-cli forward --model MODEL --inputs XS.npy --out YS.npy
            (--sample-every 0: never; --quiet: no progress line)
            """);
    }

    /// <summary>Runs one command; returns the exit status (0 success, 2 bad arguments or files).</summary>
    internal static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, TextWriter? progress = null)
    {
        OptionRules rules = OptionRules.Load();
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Count == 0 ? error : output).WriteLine(Usage(rules));
            return args.Count == 0 ? 2 : 0;
        }

        string command = args[0];
        try
        {
            var options = new Options(args.Skip(1));
            if (options.HelpRequested)
            {
                output.WriteLine(Usage(rules));
                return 0;
            }

            return command switch
            {
                "train" => Commands.Train(options, rules, output, progress),
                "sample" => Commands.Sample(options, rules, output),
                "forward" => ForwardCommand.Run(options, rules, output),
                _ => throw new UsageException($"unknown command '{command}': expected 'train', 'sample' or 'forward'"),
            };
        }
        catch (Exception failure) when (failure is UsageException or ArgumentException or IOException or InvalidDataException or UnauthorizedAccessException
            or NonFiniteResultException or OutOfMemoryException)
        {
            // One line: a FileNotFoundException, a ModelFileException, a bad number all read the same way.
            string message = failure is OutOfMemoryException ? $"out of memory ({failure.Message})" : failure.Message.ReplaceLineEndings(" ");
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
