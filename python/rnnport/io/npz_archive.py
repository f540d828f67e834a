"""Is this file a safe archive of ``.npy`` arrays? Sections F, Z and N of ``docs/model-file.md``.

C# twins: ``RnnPort.NpzArchive`` (F, Z) and ``RnnPort.Npy`` (N). The archive is parsed here, not
by :mod:`zipfile`, so that exactly the rules of the specification apply (no NUL-truncated names,
no LZMA or bzip2, no data descriptors, no trailing deflate data), and every size is checked from
the central directory before anything is read, inflated or allocated.
"""
from __future__ import annotations

import os
import stat
import struct
import zlib
from dataclasses import dataclass

from rnnport.io.model_file_error import ModelFileError

MAX_ARCHIVE_BYTES = 2_000_000_000
MAX_ENTRIES = 518  # a bidirectional 64-layer LSTM with biases: 512 layer arrays, W_hy, b_y, h0, c0, vocabulary, metadata
BOMB_CHECKED_ABOVE = 1 << 20
MAX_DEFLATE_RATIO = 64
MAX_NPY_HEADER = 10_000
MAX_DIMENSION = (1 << 31) - 1
ITEM_SIZES = {"<f8": 8, "<i4": 4, "|u1": 1}

_END = struct.Struct("<4sHHHHIIH")                    # end of central directory, 22 bytes
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")       # central directory record, 46 bytes
_LOCAL = struct.Struct("<4sHHHHHIIIHH")               # local file header, 30 bytes
_ALLOWED_FLAGS = (1 << 1) | (1 << 2) | (1 << 11)
_ZIP64 = 0xFFFFFFFF


@dataclass(frozen=True)
class NpyArray:
    """One parsed ``.npy`` entry: its dtype string, order, shape and raw element bytes (C or F order)."""

    descr: str
    fortran_order: bool
    shape: tuple[int, ...]
    data: bytes


def refuse(rule: str, message: str) -> ModelFileError:
    """The error for ``rule``: one line whatever a name or header holds (control characters escaped)."""
    line = "".join(f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in message)
    return ModelFileError(f"{line} [{rule}]")


def read_file(path: str | os.PathLike[str]) -> bytes:
    """The bytes of a regular file of at most ``MAX_ARCHIVE_BYTES`` (F1, F2), never blocking on a FIFO."""
    shown = os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (OSError, ValueError) as error:  # ValueError: a NUL in the path
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise refuse("F1", f"cannot open {shown!r}: {reason}") from error
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            kind = "a directory" if stat.S_ISDIR(status.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise refuse("F1", f"{shown!r} is {kind}")
        if status.st_size < _END.size or status.st_size > MAX_ARCHIVE_BYTES:
            raise refuse("F2", f"{shown!r} is {status.st_size} bytes; a model file is {_END.size} to {MAX_ARCHIVE_BYTES}")
        data = os.pread(fd, status.st_size, 0)
    except OSError as error:
        raise refuse("F1", f"cannot read {shown!r}: {error.strerror}") from error
    finally:
        os.close(fd)
    if len(data) != status.st_size:
        raise refuse("F2", f"{shown!r} changed size while it was read")
    return data


def _extra_records(extra: bytes, where: str, rule: str) -> dict[int, bytes]:
    """An extra field as {id: data}, refusing a malformed sequence (Z3 central, Z5 local)."""
    records: dict[int, bytes] = {}
    at = 0
    while at < len(extra):
        if at + 4 > len(extra):
            raise refuse(rule, f"{where}: malformed extra field")
        ident, length = struct.unpack_from("<HH", extra, at)
        if at + 4 + length > len(extra):
            raise refuse(rule, f"{where}: malformed extra field")
        records.setdefault(ident, extra[at + 4:at + 4 + length])
        at += 4 + length
    return records


def _inflate(raw: bytes, size: int, name: str) -> bytes:
    """One raw deflate stream that ends exactly at the end of ``raw`` and gives exactly ``size`` bytes (Z8)."""
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(raw, size + 1)  # never more than one byte past the declared size
    except zlib.error as error:
        raise refuse("Z8", f"entry {name!r}: corrupt deflate data ({error})") from None
    if len(out) != size or not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        why = ("the deflate stream is truncated" if not inflater.eof else
               "bytes follow the deflate stream" if inflater.unused_data else
               f"it inflates to {len(out)}{'+' if len(out) > size else ''} bytes, not the declared {size}")
        raise refuse("Z8", f"entry {name!r}: {why}")
    return out


def read_entries(data: bytes, names: frozenset[str]) -> dict[str, bytes]:
    """The uncompressed bytes of every entry of the zip archive ``data``, by name (Z1–Z9).

    ``names`` are the entry names allowed (Z4); which of them are required is the caller's business.
    """
    end_at = len(data) - _END.size
    (signature, disk, cd_disk, on_disk, total, cd_size, cd_offset, comment) = _END.unpack_from(data, end_at)
    if signature != b"PK\x05\x06" or comment != 0:
        raise refuse("Z1", "the file does not end with a zip end record (without a comment): not an .npz archive")
    if disk != 0 or cd_disk != 0 or on_disk != total or not 1 <= total <= MAX_ENTRIES:
        raise refuse("Z1", f"the zip end record declares disks {disk}/{cd_disk} and {on_disk}/{total} entries; "
                            f"expected one disk and 1 to {MAX_ENTRIES} entries")
    if cd_offset + cd_size != end_at:
        raise refuse("Z2", f"the central directory ({cd_size} bytes at {cd_offset}) does not end at the end record ({end_at})")
    pending: dict[str, tuple[int, int, int, int, int]] = {}  # read after every record is checked
    spans: list[tuple[int, int]] = []
    total_size = 0
    at = cd_offset
    for _ in range(total):
        if at + _CENTRAL.size > end_at:
            raise refuse("Z2", "the central directory is shorter than its entry count")
        (signature, _made, _needed, flags, method, _time, _date, crc, compressed, size, name_length, extra_length,
         comment_length, disk_start, _internal, _external, offset) = _CENTRAL.unpack_from(data, at)
        if signature != b"PK\x01\x02":
            raise refuse("Z2", f"bad central directory record signature at {at}")
        name_at = at + _CENTRAL.size
        record_end = name_at + name_length + extra_length + comment_length
        if record_end > end_at:
            raise refuse("Z2", "a central directory record runs past the directory")
        raw_name = data[name_at:name_at + name_length]
        shown = raw_name.decode("latin-1")
        if flags & ~_ALLOWED_FLAGS:
            raise refuse("Z3", f"entry {shown!r} has general-purpose flags {flags:#06x} (encryption, data descriptor "
                                "or another unsupported feature)")
        if method not in (0, 8):
            raise refuse("Z3", f"entry {shown!r} uses compression method {method}; only stored (0) and deflate (8) are read")
        if disk_start != 0 or comment_length != 0:
            raise refuse("Z3", f"entry {shown!r} has a disk number or a comment")
        if _ZIP64 in (crc, compressed, size, offset):
            raise refuse("Z3", f"entry {shown!r} uses zip64 fields in the central directory")
        _extra_records(data[name_at + name_length:name_at + name_length + extra_length], f"entry {shown!r}", "Z3")
        try:
            name = raw_name.decode("ascii")
        except UnicodeDecodeError:
            name = ""
        if name not in names:
            raise refuse("Z4", f"unexpected entry {shown!r}: no model file holds an entry of that name")
        if name in pending:
            raise refuse("Z4", f"entry {name!r} appears twice")
        # Local header: same name, flags, method, CRC and sizes.
        if offset + _LOCAL.size > cd_offset:
            raise refuse("Z6", f"entry {name!r}: its local header lies outside the entry area")
        (signature, _needed, local_flags, local_method, _time, _date, local_crc, local_compressed, local_size,
         local_name_length, local_extra_length) = _LOCAL.unpack_from(data, offset)
        data_at = offset + _LOCAL.size + local_name_length + local_extra_length
        if signature != b"PK\x03\x04":
            raise refuse("Z5", f"entry {name!r}: no local header at offset {offset}")
        if data_at > cd_offset:
            raise refuse("Z6", f"entry {name!r}: its local header runs into the central directory")
        local_name = data[offset + _LOCAL.size:offset + _LOCAL.size + local_name_length]
        local_extra = _extra_records(data[offset + _LOCAL.size + local_name_length:data_at], f"entry {name!r} (local)", "Z5")
        if _ZIP64 in (local_size, local_compressed):
            zip64 = local_extra.get(1, b"")
            fields = [v for v in (local_size, local_compressed) if v == _ZIP64]
            if len(zip64) < 8 * len(fields):
                raise refuse("Z5", f"entry {name!r}: a zip64 local size without its zip64 extra record")
            values = list(struct.unpack_from(f"<{len(fields)}Q", zip64))
            if local_size == _ZIP64:
                local_size = values.pop(0)
            if local_compressed == _ZIP64:
                local_compressed = values.pop(0)
        if (local_name, local_flags, local_method, local_crc, local_compressed, local_size) != \
                (raw_name, flags, method, crc, compressed, size):
            raise refuse("Z5", f"entry {name!r}: the local header disagrees with the central directory")
        data_end = data_at + compressed
        if data_end > cd_offset:
            raise refuse("Z6", f"entry {name!r}: its {compressed} bytes run into the central directory")
        if any(offset < end and start < data_end for start, end in spans):
            raise refuse("Z6", f"entry {name!r} overlaps another entry")
        spans.append((offset, data_end))
        total_size += size
        if method == 0 and compressed != size:
            raise refuse("Z7", f"entry {name!r} is stored but its sizes differ ({compressed} and {size})")
        if total_size > MAX_ARCHIVE_BYTES:
            raise refuse("Z7", f"the entries inflate to more than {MAX_ARCHIVE_BYTES} bytes")
        if method == 8 and size > BOMB_CHECKED_ABOVE and size > compressed * MAX_DEFLATE_RATIO:
            raise refuse("Z7", f"entry {name!r} inflates {compressed} bytes to {size}: refused as a zip bomb "
                                f"(over {MAX_DEFLATE_RATIO}:1)")
        pending[name] = (method, data_at, compressed, size, crc)
        at = record_end
    if at != end_at:
        raise refuse("Z2", "the central directory holds more than its entry count")
    result: dict[str, bytes] = {}
    for name, (method, data_at, compressed, size, crc) in pending.items():
        raw = data[data_at:data_at + compressed]
        content = raw if method == 0 else _inflate(raw, size, name)
        if zlib.crc32(content) != crc:
            raise refuse("Z9", f"entry {name!r} fails its CRC-32 check: the file is corrupt")
        result[name] = content
    return result


class _HeaderParser:
    """The ``.npy`` header grammar of N2, parsed as data: nothing is evaluated."""

    def __init__(self, text: str, name: str) -> None:
        self.text, self.name, self.at = text, name, 0

    def error(self, why: str) -> ModelFileError:
        shown = self.text if len(self.text) <= 200 else self.text[:200] + "…"
        return refuse("N2", f"entry {self.name!r} has a malformed .npy header ({why}): {shown.strip()!r}")

    def peek(self) -> str:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1
        return self.text[self.at] if self.at < len(self.text) else ""

    def take(self, char: str) -> bool:
        if self.peek() != char:
            return False
        self.at += 1
        return True

    def expect(self, char: str) -> None:
        if not self.take(char):
            raise self.error(f"expected {char!r}")

    def string(self) -> str:
        quote = self.peek()
        if quote not in ("'", '"'):
            raise self.error("expected a quoted string")
        end = self.text.find(quote, self.at + 1)
        if end < 0 or "\\" in self.text[self.at + 1:end]:
            raise self.error("unterminated or escaped string")
        value = self.text[self.at + 1:end]
        self.at = end + 1
        return value

    def boolean(self) -> bool:
        self.peek()
        for word, value in (("True", True), ("False", False)):
            if self.text.startswith(word, self.at):
                self.at += len(word)
                return value
        raise self.error("fortran_order is not True or False")

    def shape(self) -> tuple[int, ...]:
        self.expect("(")
        dimensions: list[int] = []
        trailing_comma = False
        while not self.take(")"):
            self.peek()
            start = self.at
            while self.at < len(self.text) and self.text[self.at] in "0123456789":
                self.at += 1
            digits = self.text[start:self.at]
            if not digits or (len(digits) > 1 and digits[0] == "0") or len(digits) > 18:
                raise self.error("shape is not a tuple of decimal integers")
            dimensions.append(int(digits))
            trailing_comma = self.take(",")
            if not trailing_comma:
                self.expect(")")
                break
        if len(dimensions) == 1 and not trailing_comma:
            raise self.error("'(n)' is an integer, not a shape; a 1-D shape is '(n,)'")
        return tuple(dimensions)

    def parse(self) -> tuple[str, bool, tuple[int, ...]]:
        found: dict[str, object] = {}
        self.expect("{")
        while not self.take("}"):
            key = self.string()
            self.expect(":")
            if key in found or key not in ("descr", "fortran_order", "shape"):
                raise self.error(f"unexpected or repeated key {key!r}")
            if key == "descr":
                found[key] = self.string()
            elif key == "fortran_order":
                found[key] = self.boolean()
            else:
                found[key] = self.shape()
            if not self.take(","):
                self.expect("}")
                break
        if self.peek() != "":
            raise self.error("text after the dict")
        if len(found) != 3:
            raise self.error("the keys must be exactly 'descr', 'fortran_order' and 'shape'")
        return found["descr"], found["fortran_order"], found["shape"]  # type: ignore[return-value]


def parse_npy(name: str, entry: bytes) -> NpyArray:
    """Parse one ``.npy`` entry by N1–N4, without evaluating or unpickling anything."""
    if len(entry) < 10 or entry[:6] != b"\x93NUMPY":
        raise refuse("N1", f"entry {name!r} is not a .npy array (no \\x93NUMPY magic)")
    major, minor = entry[6], entry[7]
    if (major, minor) == (1, 0):
        (length,), start = struct.unpack_from("<H", entry, 8), 10
    elif (major, minor) == (2, 0) and len(entry) >= 12:
        (length,), start = struct.unpack_from("<I", entry, 8), 12
    else:
        raise refuse("N1", f"entry {name!r} has .npy version {major}.{minor}; only 1.0 and 2.0 are read")
    if length > MAX_NPY_HEADER or start + length > len(entry):
        raise refuse("N1", f"entry {name!r} declares a {length}-byte header; at most {MAX_NPY_HEADER} "
                            f"within its {len(entry)} bytes are read")
    header = entry[start:start + length]
    if any(b > 0x7E or (b < 0x20 and b not in (9, 10, 13)) for b in header):
        raise refuse("N2", f"entry {name!r} has a .npy header that is not printable ASCII")
    descr, fortran_order, shape = _HeaderParser(header.decode("ascii"), name).parse()
    if descr not in ITEM_SIZES:
        why = " (an object array: pickles are never loaded)" if "O" in descr else ""
        raise refuse("N3", f"entry {name!r} has dtype {descr!r}{why}; a model file uses only <f8, <i4 and |u1")
    if any(n > MAX_DIMENSION for n in shape):
        raise refuse("N3", f"entry {name!r} declares shape {shape}, a dimension over {MAX_DIMENSION}")
    count = 1
    for n in shape:
        count *= n
    body = len(entry) - start - length
    if count * ITEM_SIZES[descr] != body:
        raise refuse("N4", f"entry {name!r} declares shape {shape} of {descr} ({count * ITEM_SIZES[descr]} bytes) "
                            f"but holds {body} bytes")
    return NpyArray(descr, fortran_order, shape, entry[start + length:])
