using System.Diagnostics;

namespace RnnPort.Tests;

/// <summary>
/// A test that needs a small tmpfs (a real full disk): skipped, with the reason shown, when the
/// process is not root or a tmpfs cannot be mounted here.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Reason = new(Probe);

    public TmpfsFactAttribute()
    {
        if (Reason.Value is { } reason)
        {
            Skip = reason;
        }
    }

    private static string? Probe()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "mounting a small tmpfs needs root";
        }

        string directory = Directory.CreateTempSubdirectory("rnnport-tmpfs-probe-").FullName;
        try
        {
            using var disk = Tmpfs.Mount(directory, "size=64k");
            return null;
        }
        catch (InvalidOperationException error)
        {
            return error.Message;
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}

/// <summary>A tmpfs mounted on a directory until disposed.</summary>
internal sealed class Tmpfs : IDisposable
{
    private readonly string _directory;

    private Tmpfs(string directory) => _directory = directory;

    /// <summary>Mounts a tmpfs with mount's <paramref name="options"/>, e.g. <c>size=64k</c> or <c>ro,size=64k</c>.</summary>
    internal static Tmpfs Mount(string directory, string options)
    {
        (int status, string error) = Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", directory);
        return status == 0 ? new Tmpfs(directory) : throw new InvalidOperationException($"cannot mount a tmpfs: {error.Trim()}");
    }

    public void Dispose() => Run("umount", _directory);

    private static (int Status, string Error) Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, error);
    }
}
