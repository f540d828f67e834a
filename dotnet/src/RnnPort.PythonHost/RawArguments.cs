using System.Text;

namespace RnnPort.PythonHost;

/// <summary>The program's arguments as the bytes the kernel passed, which python3 decodes itself
/// (with <c>surrogateescape</c>): .NET's <c>string[] args</c> has already replaced bytes that are not
/// UTF-8 with U+FFFD, so a Latin-1 file name would reach Python changed.</summary>
internal static class RawArguments
{
    /// <summary>The last <c>args.Length</c> entries of <c>/proc/self/cmdline</c> (the arguments come
    /// after <c>dotnet</c> and the assembly path, or after the apphost), each checked against
    /// <paramref name="args"/>; where anything does not fit, <paramref name="args"/> in UTF-8.</summary>
    public static byte[][] Of(string[] args)
    {
        byte[][] fallback = args.Select(Encoding.UTF8.GetBytes).ToArray();
        byte[] commandLine;
        try
        {
            commandLine = File.ReadAllBytes("/proc/self/cmdline");
        }
        catch (IOException)
        {
            return fallback;
        }
        catch (UnauthorizedAccessException)
        {
            return fallback;
        }

        // NUL-terminated entries; an argument may itself be empty.
        var entries = new List<byte[]>();
        int start = 0;
        for (int i = 0; i < commandLine.Length; i++)
        {
            if (commandLine[i] == 0)
            {
                entries.Add(commandLine[start..i]);
                start = i + 1;
            }
        }

        if (entries.Count < args.Length)
        {
            return fallback;
        }

        byte[][] raw = entries.GetRange(entries.Count - args.Length, args.Length).ToArray();
        for (int i = 0; i < args.Length; i++)
        {
            if (Encoding.UTF8.GetString(raw[i]) != args[i])
            {
                return fallback;
            }
        }

        return raw;
    }
}
