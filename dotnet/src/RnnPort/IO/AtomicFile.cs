using System.Security.Cryptography;

namespace RnnPort;

/// <summary>
/// Replacing a file atomically: a failed write never destroys what was there. NumPy twin:
/// <c>rnnport.io.atomic</c> (<c>atomic_write</c>, <c>check_writable</c>).
/// </summary>
/// <remarks>
/// <see cref="Write"/> writes to a new temporary file in the target's directory
/// (<c>.NAME.XXXXXXXXXXXX.tmp</c>), flushes it to disk, renames it over the target (one
/// <c>rename(2)</c>: readers see the old file or the new one, never a mixture) and fsyncs the
/// directory so that the rename survives a crash. On any failure (a full disk, a writer that throws)
/// the temporary file is deleted, the target is left byte for byte as it was, and one
/// <see cref="AtomicWriteException"/> is thrown. Decisions, the same as the twin's: a symbolic link is
/// followed (the file it points to is replaced, the link stays); a new file gets the permissions a plain
/// <see cref="File.Create(string)"/> gives (0666 less the umask), a replaced file keeps its permission
/// bits, and the owner is whoever writes; a directory, a device or FIFO, and an existing file the caller
/// may not write are refused.
/// </remarks>
public static class AtomicFile
{
    /// <summary>
    /// Creates or replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream
    /// it is given. NumPy twin: <c>with atomic_write(path) as stream: write(stream)</c>.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content; the stream is flushed and closed afterwards.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> or <paramref name="write"/> is null.</exception>
    /// <exception cref="AtomicWriteException">
    /// Anything went wrong: a bad target, a failed write, flush or rename, or an exception thrown by
    /// <paramref name="write"/> (the <see cref="Exception.InnerException"/>). The target is then unchanged
    /// and no temporary file is left.
    /// </exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        (string target, bool exists) = Target(path);
        (FileStream stream, string temporary) = CreateTemporary(path, target, exists);
        try
        {
            using (stream)
            {
                write(stream);
                stream.Flush(flushToDisk: true);  // fsync: the data is on disk before the rename makes it visible
            }

            File.Move(temporary, target, overwrite: true);  // rename(2) on Unix, MoveFileEx on Windows
        }
        catch (Exception error)
        {
            stream.Dispose();
            Remove(temporary);
            throw error as AtomicWriteException ?? Fail(path, Reason(error), error);
        }

        int syncError = UnixFiles.SyncDirectory(Path.GetDirectoryName(target)!);
        if (syncError != 0)
        {
            throw Fail(path, $"the file was replaced, but syncing its directory failed (errno {syncError})");
        }
    }

    /// <summary>
    /// Throws unless <see cref="Write"/> could create <paramref name="path"/>: checks the directory, the
    /// target's kind and permission, and creates and deletes a temporary file next to it (which finds a
    /// read-only file system or a directory without write permission), so that a command can refuse an
    /// unwritable output before it starts work. NumPy twin: <c>check_writable(path)</c>.
    /// </summary>
    /// <param name="path">The file that will be written.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="AtomicWriteException">The file could not be written; the message says why.</exception>
    public static void CheckWritable(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        (string target, bool exists) = Target(path);
        (FileStream stream, string temporary) = CreateTemporary(path, target, exists);
        stream.Dispose();
        Remove(temporary);
    }

    private static AtomicWriteException Fail(string path, string reason, Exception? cause = null) =>
        cause is null
            ? new AtomicWriteException($"cannot write '{path}': {reason}")
            : new AtomicWriteException($"cannot write '{path}': {reason}", cause);

    private static string Reason(Exception error) => error is IOException or UnauthorizedAccessException
        ? error.Message.ReplaceLineEndings(" ")
        : $"{error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")}";

    /// <summary>The file to replace (links followed) and whether it exists; refuses bad targets.</summary>
    private static (string Target, bool Exists) Target(string path)
    {
        if (path.Length == 0)
        {
            throw new AtomicWriteException("cannot write '': the path is empty");
        }

        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Fail(path, "the path holds a NUL character");
        }

        string target;
        try
        {
            string full = Path.GetFullPath(path);
            var file = new FileInfo(full);
            target = file.LinkTarget is null ? full : file.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw Fail(path, Reason(error), error);
        }

        string directory = Path.GetDirectoryName(target) ?? target;
        if (!Directory.Exists(directory))
        {
            throw Fail(path, $"no such directory '{directory}'");
        }

        switch (UnixFiles.KindOf(target))
        {
            case UnixFiles.Kind.Missing:
                return (target, false);
            case UnixFiles.Kind.Directory:
                throw Fail(path, "it is a directory");
            case UnixFiles.Kind.Other:
                throw Fail(path, "it is not a regular file (a device, FIFO or socket)");
        }

        try
        {
            // A write-protected file stays protected: opening it for writing (no truncation) changes nothing.
            using var probe = new FileStream(target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw Fail(path, Reason(error), error);
        }

        return (target, true);
    }

    /// <summary>A new, empty temporary file next to <paramref name="target"/>, with the target's permission bits if it exists.</summary>
    private static (FileStream Stream, string Temporary) CreateTemporary(string path, string target, bool exists)
    {
        string directory = Path.GetDirectoryName(target)!, name = Path.GetFileName(target);
        for (int attempt = 0; attempt < 100; attempt++)
        {
            string temporary = Path.Combine(directory, $".{name}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
            FileStream stream;
            try
            {
                // CreateNew is O_EXCL; .NET creates files 0666 less the umask, as File.Create does.
                stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            }
            catch (IOException) when (File.Exists(temporary))
            {
                continue;  // the name is taken: draw another
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw Fail(path, Reason(error), error);
            }

            if (exists && !OperatingSystem.IsWindows())
            {
                try
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(target));
                }
                catch (Exception error) when (error is IOException or UnauthorizedAccessException)
                {
                    stream.Dispose();
                    Remove(temporary);
                    throw Fail(path, Reason(error), error);
                }
            }

            return (stream, temporary);
        }

        throw Fail(path, $"no free temporary name in '{directory}'");
    }

    private static void Remove(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Nothing more can be done; the target is intact either way.
        }
    }
}
