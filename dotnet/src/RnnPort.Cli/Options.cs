namespace RnnPort.Cli;

/// <summary>
/// A command's arguments: positional values, and <c>--name value</c> or <c>--name=value</c> options.
/// Every option a command does not read is an error (<see cref="CheckAllUsed"/>), so a typo fails
/// loudly instead of being ignored. Values are checked by <see cref="OptionRules"/>.
/// </summary>
internal sealed class Options
{
    /// <summary>Options that take no value (as Python's <c>store_true</c>).</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "--quiet" };

    private readonly Dictionary<string, string> _named = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];

    internal Options(IEnumerable<string> args)
    {
        using IEnumerator<string> arg = args.GetEnumerator();
        while (arg.MoveNext())
        {
            string current = arg.Current;
            if (current is "-h" or "--help")
            {
                HelpRequested = true;
            }
            else if (Flags.Contains(current))
            {
                if (!_named.TryAdd(current[2..], ""))
                {
                    throw new UsageException($"option {current} is given twice");
                }
            }
            else if (current.StartsWith("--", StringComparison.Ordinal) && current.Length > 2)
            {
                int equals = current.IndexOf('=', StringComparison.Ordinal);
                string name = equals < 0 ? current[2..] : current[2..equals];
                string value = equals >= 0 ? current[(equals + 1)..]
                    : arg.MoveNext() ? arg.Current
                    : throw new UsageException($"option --{name} needs a value");
                if (!_named.TryAdd(name, value))
                {
                    throw new UsageException($"option --{name} is given twice");
                }
            }
            else
            {
                _positional.Add(current);
            }
        }
    }

    internal bool HelpRequested { get; }

    /// <summary>How many positional arguments were given.</summary>
    internal int PositionalCount => _positional.Count;

    /// <summary>The single positional argument, named <paramref name="what"/> in the error.</summary>
    internal string Positional(string what) => _positional.Count switch
    {
        1 => _positional[0],
        0 => throw new UsageException($"missing {what}"),
        _ => throw new UsageException($"expected one {what}, got {_positional.Count} arguments: {string.Join(' ', _positional)}"),
    };

    internal string? String(string name) => Take(name);

    /// <summary>Whether the flag <c>--name</c> (one of <see cref="Flags"/>) was given.</summary>
    internal bool Flag(string name) => Take(name) is not null;

    /// <summary>The value of a shared option, checked by <paramref name="rules"/> (the default when absent).</summary>
    internal T Value<T>(OptionRules rules, string command, string name) => (T)rules.Parse(command, name, Take(name))!;

    /// <summary>The value of a shared option without a default: null when absent.</summary>
    internal T? Optional<T>(OptionRules rules, string command, string name)
        where T : struct => rules.Parse(command, name, Take(name)) is T value ? value : null;

    /// <summary>Fails on the first option no getter asked for.</summary>
    internal void CheckAllUsed()
    {
        foreach (string name in _named.Keys)
        {
            if (!_used.Contains(name))
            {
                throw new UsageException($"unknown option --{name}");
            }
        }
    }

    private string? Take(string name)
    {
        _used.Add(name);
        return _named.TryGetValue(name, out string? value) ? value : null;
    }
}
