"""Replacing a file atomically: a failed write never destroys what was there. C# twin: ``RnnPort.AtomicFile``.

:func:`atomic_write` writes to a new temporary file in the target's directory (``.NAME.XXXXXXXXXXXX.tmp``),
flushes and fsyncs it, renames it over the target (one ``rename(2)``: readers see the old file or the
new one, never a mixture) and fsyncs the directory so the rename survives a crash. On any failure,
a full disk, a writer that raises or an interrupt, the temporary file is removed and the target is
left byte for byte as it was; the failure is one :class:`AtomicWriteError` (an ``OSError``).

Decisions (the same in both languages):

- A symbolic link is followed: the file it points to is replaced and the link stays.
- A new file gets the permissions a plain ``open(path, "w")`` would give (0o666 less the umask);
  a replaced file keeps its permission bits. The owner is whoever writes, as with any
  write-by-rename.
- A target that is a directory or not a regular file (a device, a FIFO) is refused, as is an
  existing file the caller may not write: a plain ``open`` would refuse it too.
"""
from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from typing import IO, Any, Iterator, Literal

PathLike = str | os.PathLike[str]
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)  # POSIX only: no descriptor leaks into child processes


class AtomicWriteError(OSError):
    """Writing a file failed; the previous file, if any, is unchanged and no temporary file is left.

    ``errno`` is the underlying error number when there is one (e.g. ``errno.ENOSPC``).
    """


def _fail(shown: str, reason: str, cause: BaseException | None = None) -> AtomicWriteError:
    error = AtomicWriteError(f"cannot write {shown!r}: {reason}")
    if isinstance(cause, OSError) and cause.errno is not None:
        error.errno = cause.errno
    return error


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return f"{type(error).__name__}: {error}".replace("\n", " ")


def _target(path: PathLike) -> tuple[str, str, os.stat_result | None]:
    """(the path as shown, the file to replace after following links, its stat or None); refuses bad targets."""
    shown = os.fsdecode(os.fspath(path))
    if not shown:
        raise AtomicWriteError("cannot write '': the path is empty")
    if "\0" in shown:
        raise _fail(shown, "the path holds a NUL character")
    target = os.path.realpath(shown)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise _fail(shown, f"no such directory {directory!r}")
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise _fail(shown, _reason(error), error) from None
    if existing is not None:
        if stat.S_ISDIR(existing.st_mode):
            raise _fail(shown, "it is a directory")
        if not stat.S_ISREG(existing.st_mode):
            raise _fail(shown, "it is not a regular file (a device, FIFO or socket)")
        try:  # a write-protected file stays protected: opening it for writing changes nothing
            os.close(os.open(target, os.O_WRONLY | _CLOEXEC))
        except OSError as error:
            raise _fail(shown, _reason(error), error) from None
    return shown, target, existing


def _create_temporary(shown: str, target: str, existing: os.stat_result | None) -> tuple[int, str]:
    """A new, empty temporary file next to ``target``: (its descriptor, its path)."""
    directory, name = os.path.split(target)
    for _ in range(100):
        temporary = os.path.join(directory, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o666)  # umask applies
        except FileExistsError:
            continue
        except OSError as error:
            raise _fail(shown, _reason(error), error) from None
        if existing is not None:
            try:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            except OSError as error:
                os.close(fd)
                _remove(temporary)
                raise _fail(shown, _reason(error), error) from None
        return fd, temporary
    raise _fail(shown, f"no free temporary name in {directory!r}")


def _remove(temporary: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(temporary)


def _sync_directory(shown: str, directory: str) -> None:
    """fsync the directory so that the rename is durable; file systems that cannot do it are skipped."""
    if os.name == "nt":  # Windows has no directory fsync; the rename is already on disk there
        return
    fd = os.open(directory, os.O_RDONLY | _CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise _fail(shown, f"the file was replaced, but syncing its directory failed: {_reason(error)}",
                        error) from None
    finally:
        os.close(fd)


def check_writable(path: PathLike) -> None:
    """Raise :class:`AtomicWriteError` unless :func:`atomic_write` could create ``path``.

    Checks the directory, the target's kind and permission, and creates and removes a temporary
    file next to it (which finds a read-only file system or a directory without write permission),
    so that a command can refuse an unwritable output before it starts work. Nothing is left behind.
    """
    shown, target, existing = _target(path)
    fd, temporary = _create_temporary(shown, target, existing)
    os.close(fd)
    _remove(temporary)


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: Literal["wb", "w"] = "wb", encoding: str = "utf-8") -> Iterator[IO[Any]]:
    """Open a temporary file for writing; when the ``with`` block ends, replace ``path`` by it.

    Parameters
    ----------
    path : the file to create or replace
    mode : ``"wb"`` (a binary file object) or ``"w"`` (text in ``encoding``)

    Raises
    ------
    AtomicWriteError
        Anything went wrong: a bad target, a failed write, flush, fsync or rename, or an exception
        raised inside the ``with`` block (chained as ``__cause__``). ``path`` is then unchanged and
        no temporary file is left. ``KeyboardInterrupt`` and ``SystemExit`` clean up and propagate
        as they are.
    """
    if mode not in ("wb", "w"):
        raise ValueError(f"mode must be 'wb' or 'w', got {mode!r}")
    shown, target, existing = _target(path)
    fd, temporary = _create_temporary(shown, target, existing)
    try:
        stream = os.fdopen(fd, mode) if mode == "wb" else os.fdopen(fd, mode, encoding=encoding)
    except BaseException:
        os.close(fd)
        _remove(temporary)
        raise
    try:
        with stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(Exception):
            stream.close()  # a second failure to flush changes nothing: the file is removed next
        _remove(temporary)
        if isinstance(error, AtomicWriteError) or not isinstance(error, Exception):
            raise
        raise _fail(shown, _reason(error), error) from error
    _sync_directory(shown, os.path.dirname(target))
