"""Atomic saves: a write that fails after any number of bytes, or on a full disk, leaves the old file intact.

Negative controls run the same checks against a plain ``open(path, "wb")`` and show they catch it.
"""
from __future__ import annotations

import errno
import io
import os
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from rnnport import modelfile
from rnnport.io.atomic import AtomicWriteError, atomic_write, check_writable
from rnnport.training.vocabulary import Vocabulary
from rnnport.verify.cases import make_case

ROOT = Path(__file__).resolve().parents[3]


class FailAfter:
    """A binary file that raises ENOSPC once ``limit`` bytes have been written, like a disk filling up."""

    def __init__(self, stream: Any, limit: int) -> None:
        self._stream, self._left = stream, limit

    def write(self, data: bytes) -> int:
        data = bytes(data)
        if len(data) > self._left:
            self._stream.write(data[:self._left])
            self._left = 0
            raise OSError(errno.ENOSPC, "No space left on device (injected)")
        self._left -= len(data)
        return self._stream.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def naive_open(path: Path) -> Any:
    """The negative control: what save did before, truncating the target first."""
    return open(path, "wb")


def model(hidden: int, seed: int) -> tuple[Any, Vocabulary]:
    return make_case(3, hidden, 3, 1, seed=seed).numpy_model(), Vocabulary("abc")


def damage(path: Path, old: bytes) -> list[str]:
    """What a failed save broke: the target's bytes, and any file left next to it."""
    problems = []
    if not path.exists() or path.read_bytes() != old:
        problems.append("the previous file changed")
    extra = sorted(p.name for p in path.parent.iterdir() if p != path)
    if extra:
        problems.append(f"files left behind: {extra}")
    return problems


def saves_failing_after(opener: Callable[[Path], Any], directory: Path, stride: int) -> dict[int, list[str]]:
    """Save a new model through ``opener``, failing after N bytes for every ``stride``-th N from 0 to the
    file's length and at its last byte; the damage at each N."""
    path = directory / "model.npz"
    modelfile.save(path, *model(4, seed=1))
    old = path.read_bytes()
    new, vocabulary = model(5, seed=2)
    buffer = io.BytesIO()
    modelfile.save(buffer, new, vocabulary)
    found = {}
    length = len(buffer.getvalue())
    for limit in [*range(0, length - 1, stride), length - 1]:
        with pytest.raises(OSError) as raised:
            with opener(path) as stream:
                modelfile.save(FailAfter(stream, limit), new, vocabulary)
        assert raised.value.errno == errno.ENOSPC or isinstance(raised.value, AtomicWriteError)
        found[limit] = damage(path, old)
        path.write_bytes(old)
        for left in directory.iterdir():
            if left != path:
                left.unlink()
    return found


def test_a_save_failing_part_way_leaves_the_old_file(tmp_path):
    """Every 4th N from 0 to the new file's length (as AtomicFileTests): the old file is byte-identical
    and no temporary is left."""
    found = saves_failing_after(atomic_write, tmp_path, stride=4)
    assert len(found) > 500
    assert {n: p for n, p in found.items() if p} == {}


def test_negative_control_a_plain_open_is_caught(tmp_path):
    """The same check against plain open(): every failed save destroys the old file."""
    found = saves_failing_after(naive_open, tmp_path, stride=16)
    assert len(found) > 100
    assert all(problems == ["the previous file changed"] for problems in found.values())


def test_atomic_error_is_typed_and_names_the_file(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    with pytest.raises(AtomicWriteError, match=r"cannot write '.*model\.npz': ZeroDivisionError") as raised:
        with atomic_write(path) as stream:
            stream.write(b"new")
            1 / 0
    assert isinstance(raised.value.__cause__, ZeroDivisionError)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["model.npz"]


def test_a_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    path.chmod(0o640)
    with atomic_write(path, "w") as stream:
        stream.write("new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓" and stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["out.txt"]


def test_a_new_file_honours_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        with atomic_write(tmp_path / "new.bin") as stream:
            stream.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.bin").stat().st_mode) == 0o640


def test_a_symbolic_link_is_followed_and_kept(tmp_path):
    (tmp_path / "real.npz").write_bytes(b"old")
    (tmp_path / "link.npz").symlink_to("real.npz")
    with atomic_write(tmp_path / "link.npz") as stream:
        stream.write(b"new")
    assert (tmp_path / "link.npz").is_symlink() and (tmp_path / "real.npz").read_bytes() == b"new"


@pytest.mark.parametrize("target, reason", [
    ("missing/model.npz", "no such directory"),
    (".", "it is a directory"),
    ("/dev/null", "not a regular file"),
    ("", "the path is empty"),
    ("nul\0.npz", "NUL character"),
])
def test_bad_targets_are_refused_before_anything_is_written(tmp_path, target, reason):
    path = target if target.startswith("/") or not target else str(tmp_path / target)
    with pytest.raises(AtomicWriteError, match=reason):
        check_writable(path)
    with pytest.raises(AtomicWriteError, match=reason):
        with atomic_write(path):
            pytest.fail("the body must not run")
    assert os.listdir(tmp_path) == []


# --- a real full disk: a 64 KiB tmpfs ---------------------------------------------------------------

@contextmanager
def small_tmpfs(directory: Path, options: str = "size=64k") -> Iterator[Path]:
    """A tmpfs mounted with ``options`` on ``directory``; skips (visibly) when it cannot be mounted."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    directory.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(directory)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", str(directory)], check=True)


def full_disk_damage(save: Callable[[Path], None], tmp_path: Path) -> tuple[list[str], BaseException | None]:
    with small_tmpfs(tmp_path / "disk") as disk:
        path = disk / "model.npz"
        modelfile.save(path, *model(4, seed=1))
        old = path.read_bytes()
        try:
            save(path)
            raised = None
        except BaseException as error:  # noqa: BLE001 - reported to the test
            raised = error
        return damage(path, old), raised


def test_a_full_disk_leaves_the_old_model(tmp_path):
    """H = 128 needs ~140 KB: the save fails with ENOSPC, the old file is intact, nothing is left."""
    problems, raised = full_disk_damage(lambda path: modelfile.save(path, *model(128, seed=3)), tmp_path)
    assert isinstance(raised, AtomicWriteError) and raised.errno == errno.ENOSPC, raised
    assert "No space left on device" in str(raised) and problems == []


def test_negative_control_a_full_disk_breaks_a_plain_open(tmp_path):
    def plain(path: Path) -> None:
        with open(path, "wb") as stream:
            modelfile.save(stream, *model(128, seed=3))
    problems, raised = full_disk_damage(plain, tmp_path)
    assert isinstance(raised, OSError) and "the previous file changed" in problems


def test_a_full_disk_through_the_command_line(tmp_path):
    """`python -m rnnport train --hidden 128` onto a full disk: exit 2, one line, the old model intact."""
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. " * 100, encoding="utf-8")

    def train(path: Path) -> None:
        run = subprocess.run([sys.executable, "-m", "rnnport", "train", str(corpus), "--hidden", "128", "--steps", "2",
                              "--quiet", "--out", str(path)], capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT / "python")}, timeout=120)
        lines = run.stderr.strip().splitlines()
        assert run.returncode == 2 and len(lines) == 1, run.stderr
        assert lines[0].startswith("rnnport train: cannot write") and "No space left on device" in lines[0]
    problems, raised = full_disk_damage(train, tmp_path)
    assert raised is None and problems == []


@contextmanager
def unwritable_directory(directory: Path) -> Iterator[Path]:
    """A directory nobody here may create files in: a read-only tmpfs as root (root ignores modes), else mode 0o555."""
    if os.geteuid() == 0:
        with small_tmpfs(directory, "ro,size=64k") as mounted:
            yield mounted
        return
    directory.mkdir(mode=0o555)
    try:
        yield directory
    finally:
        directory.chmod(0o755)


def test_an_unwritable_directory_is_found_before_any_work(tmp_path, capsys):
    """check_writable refuses it, and `train --out` there exits 2 before training (nothing on stdout)."""
    from rnnport.cli.main import main

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat. " * 20, encoding="utf-8")
    with unwritable_directory(tmp_path / "locked") as locked:
        with pytest.raises(AtomicWriteError, match="Read-only file system|Permission denied"):
            check_writable(locked / "model.npz")
        assert main(["train", str(corpus), "--steps", "5", "--quiet", "--out", str(locked / "model.npz")]) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and len(captured.err.splitlines()) == 1 and "--out: cannot write" in captured.err
        assert os.listdir(locked) == []
