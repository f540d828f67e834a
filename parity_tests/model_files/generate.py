"""Write or check the model-file conformance corpus: ``python3 parity_tests/model_files/generate.py [--write]``.

Every case is a small file (or, for what git cannot hold, a recipe the test runners make at test
time: a FIFO, a directory, a symbolic link, a device path, a missing path, a sparse 2 GB file) that
exercises one rule of ``docs/model-file.md``. ``manifest.json`` names each case, the rule id and the
verdict *the specification* implies (accept / refuse); the verdicts are written here by hand from
the spec, never by running a reader. Only NumPy and the standard library (zipfile, zlib, struct)
are used, and everything is deterministic. Without ``--write`` the stored files are compared with
fresh ones and nothing is written; exit status 1 when they differ.
"""
from __future__ import annotations

import argparse
import bz2
import io
import json
import lzma
import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

HERE = Path(__file__).resolve().parent
ACCEPT, REFUSE = "accept", "refuse"

# --- the base model: I = O = V = 4, H = 6, both biases, vocabulary "abcd" -----------------------

RNG = np.random.default_rng(20261128)
I, H, O = 4, 6, 4
BASE = {
    "W_xh": RNG.normal(size=(H, I)), "W_hh": RNG.normal(size=(H, H)) / 4, "W_hy": RNG.normal(size=(O, H)),
    "h0": RNG.normal(size=H) / 10, "b_h": RNG.normal(size=H) / 10, "b_y": RNG.normal(size=O) / 10,
}
# The gated cells: the same I, H, O; W_ih and W_hh stack 4 (LSTM) or 3 (GRU) gate blocks of H rows.
LSTM_BASE = {
    "W_ih": RNG.normal(size=(4 * H, I)), "W_hh": RNG.normal(size=(4 * H, H)) / 4, "W_hy": RNG.normal(size=(O, H)),
    "h0": RNG.normal(size=H) / 10, "c0": RNG.normal(size=H) / 10, "b_ih": RNG.normal(size=4 * H) / 10,
    "b_hh": RNG.normal(size=4 * H) / 10, "b_y": RNG.normal(size=O) / 10,
}
GRU_BASE = {
    "W_ih": RNG.normal(size=(3 * H, I)), "W_hh": RNG.normal(size=(3 * H, H)) / 4, "W_hy": RNG.normal(size=(O, H)),
    "h0": RNG.normal(size=H) / 10, "b_ih": RNG.normal(size=3 * H) / 10, "b_hh": RNG.normal(size=3 * H) / 10,
    "b_y": RNG.normal(size=O) / 10,
}
VOCAB = "abcd"
HYPER = {"clip": 5.0, "hidden_size": 6, "learning_rate": 0.1, "optimizer": "adagrad", "seq_length": 25}


def metadata_json(activation: str = "tanh", hyper: dict | None = None, **overrides) -> bytes:
    value = {"activation": activation, "format": "rnnport-model", "hyperparameters": HYPER if hyper is None else hyper,
             "version": 1, **overrides}
    return json.dumps({k: v for k, v in value.items() if v is not DROP}, sort_keys=True).encode()


DROP = object()


def cell_metadata(cell: str, activation: str = "tanh", **overrides) -> bytes:
    """Version-2 metadata naming ``cell``, as the writers write it."""
    return metadata_json(activation, **{"version": 2, "cell": cell, **overrides})


def cell_entries(cell: str, arrays: dict | None = None, meta: bytes | None = None, **kwargs) -> dict[str, bytes]:
    """name → .npy bytes of the base LSTM or GRU (version-2 metadata), with replacements."""
    base = {"lstm": LSTM_BASE, "gru": GRU_BASE}[cell]
    arrays = {**{k: None for k in BASE}, **base, **(arrays or {})}
    return model_entries(arrays, meta=cell_metadata(cell) if meta is None else meta, **kwargs)


def npy(array: np.ndarray | None = None, *, descr: str | None = None, shape: tuple | None = None,
        fortran: bool = False, body: bytes | None = None, version: tuple[int, int] = (1, 0),
        header: str | None = None, magic: bytes = b"\x93NUMPY") -> bytes:
    """A .npy entry; anything not given is taken from ``array``. ``header`` replaces the dict text."""
    if array is not None:
        descr = descr or array.dtype.str
        shape = array.shape if shape is None else shape
        if body is None:
            body = array.tobytes(order="F" if fortran else "C")
    text = header if header is not None else \
        f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape!r}, }}"
    length_bytes = 2 if version[0] == 1 else 4
    pad = 64 - (len(magic) + 2 + length_bytes + len(text) + 1) % 64
    text = text + " " * (pad % 64) + "\n"
    raw = text.encode("latin-1")
    length = struct.pack("<H" if length_bytes == 2 else "<I", len(raw))
    return magic + bytes(version) + length + raw + (body or b"")


def model_entries(arrays: dict | None = None, vocab: str | list[int] | None = VOCAB,
                  meta: bytes | None = None, drop: tuple[str, ...] = ()) -> dict[str, bytes]:
    """name → .npy bytes of a model (the base one, with replacements)."""
    arrays = {**BASE, **(arrays or {})}
    codes = np.array([ord(c) for c in vocab] if isinstance(vocab, str) else (vocab or []), dtype="<i4")
    entries = {f"{k}.npy": (v if isinstance(v, bytes) else npy(np.asarray(v, dtype="<f8")))
               for k, v in arrays.items() if v is not None}
    entries["vocabulary.npy"] = npy(codes)
    entries["metadata.npy"] = npy(np.frombuffer(metadata_json() if meta is None else meta, dtype=np.uint8))
    for name in drop:
        entries.pop(name, None)
    return entries


# --- a zip writer that can be told to lie -------------------------------------------------------

@dataclass
class Entry:
    name: bytes
    content: bytes
    method: int = 0
    compressed: bytes | None = None       # the stored bytes; from content and method when None
    flags: int = 0
    crc: int | None = None
    size: int | None = None               # declared uncompressed size
    csize: int | None = None              # declared compressed size
    local: dict = field(default_factory=dict)   # overrides in the local header: name, flags, method, crc, size, csize
    local_extra: bytes = b""
    central_extra: bytes = b""
    comment: bytes = b""
    disk: int = 0
    zip64_local: bool = False
    offset_shift: int = 0                 # added to the central record's offset
    gap_before: bytes = b""


def compress(method: int, content: bytes) -> bytes:
    if method == 8:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        return packer.compress(content) + packer.flush()
    if method == 12:
        return bz2.compress(content)
    if method == 14:
        return b"\x09\x14\x05\x00" + lzma.compress(content, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA1}])
    return content


def build(entries: list[Entry], *, comment: bytes = b"", end: dict | None = None, prefix: bytes = b"",
          before_end: bytes = b"", after_end: bytes = b"", cd_extra_records: int = 0) -> bytes:
    """The archive: local headers and data, central directory, end record (with optional lies)."""
    out = bytearray(prefix)
    central = bytearray()
    for e in entries:
        out += e.gap_before
        data = e.compressed if e.compressed is not None else compress(e.method, e.content)
        crc = zlib.crc32(e.content) if e.crc is None else e.crc
        size = len(e.content) if e.size is None else e.size
        csize = len(data) if e.csize is None else e.csize
        offset = len(out)
        lo = {"name": e.name, "flags": e.flags, "method": e.method, "crc": crc, "size": size, "csize": csize, **e.local}
        local_extra = e.local_extra
        lsize, lcsize = lo["size"], lo["csize"]
        if e.zip64_local:
            local_extra = struct.pack("<HHQQ", 1, 16, lsize, lcsize) + local_extra
            lsize = lcsize = 0xFFFFFFFF
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, lo["flags"], lo["method"], 0, 0x21, lo["crc"],
                           lcsize, lsize, len(lo["name"]), len(local_extra)) + lo["name"] + local_extra + data
        central += struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, e.flags, e.method, 0, 0x21, crc, csize,
                               size, len(e.name), len(e.central_extra), len(e.comment), e.disk, 0, 0,
                               offset + e.offset_shift) + e.name + e.central_extra + e.comment
    cd_offset = len(out)
    out += central + before_end
    fields = {"disk": 0, "cd_disk": 0, "on_disk": len(entries) + cd_extra_records, "total": len(entries) + cd_extra_records,
              "cd_size": len(central), "cd_offset": cd_offset, **(end or {})}
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", fields["disk"], fields["cd_disk"], fields["on_disk"], fields["total"],
                       fields["cd_size"], fields["cd_offset"], len(comment)) + comment + after_end
    return bytes(out)


def seven() -> dict[str, bytes]:
    """The base model without b_y: 7 entries, so that one more stays within MAX_ENTRIES."""
    return model_entries({"b_y": None})


def entries_of(named: dict[str, bytes], **kwargs) -> list[Entry]:
    return [Entry(name.encode(), content, **kwargs) for name, content in named.items()]


def archive(named: dict[str, bytes] | None = None, method: int = 0, **kwargs) -> bytes:
    """A plain archive of ``named`` entries (the base model when None), all with ``method``."""
    return build(entries_of(model_entries() if named is None else named, method=method), **kwargs)


def with_entry(target: str, **changes) -> bytes:
    """The base archive with one entry's Entry fields changed."""
    entries = entries_of(model_entries())
    return build([replace(e, **changes) if e.name == target.encode() else e for e in entries])


def savez(arrays: dict[str, np.ndarray], compressed: bool = False) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def base_arrays(**changes) -> dict[str, np.ndarray]:
    arrays = {**BASE, "vocabulary": np.array([ord(c) for c in VOCAB], dtype="<i4"),
              "metadata": np.frombuffer(metadata_json(), dtype=np.uint8)}
    arrays.update(changes)
    return {k: v for k, v in arrays.items() if v is not None}


def flip(data: bytes, at: int, mask: int = 0xFF) -> bytes:
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1:]


def with_meta(meta: bytes | str, method: int = 0) -> bytes:
    return archive(model_entries(meta=meta.encode("utf-8", "surrogatepass") if isinstance(meta, str) else meta), method=method)


def sized_metadata(size: int) -> bytes:
    """Valid metadata of exactly ``size`` bytes whose entry deflates at under 60:1 (so Z7 does not fire first)."""
    head = metadata_json(hyper={"note": ""})
    filler = size - len(head)
    rng = np.random.default_rng(7)
    letters = rng.integers(0, 26, size=filler) + ord("a")
    noise = 1
    while True:
        text = bytes(letters[:noise].astype(np.uint8)) + b"a" * (filler - noise)
        data = head.replace(b'"note": ""', b'"note": "' + text[:filler] + b'"')
        entry = npy(np.frombuffer(data, dtype=np.uint8))
        if len(compress(8, entry)) * 60 > len(entry):
            return data
        noise += 4096


def deep(depth: int, key: bool = True) -> bytes:
    """Metadata whose nesting depth is ``depth`` (the metadata object is depth 1) through hyperparameters."""
    inner = "[" * (depth - 2) + "]" * (depth - 2) if depth > 2 else "0"
    return b'{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {"x": ' + inner.encode() + \
        b'}, "version": 1}'


# --- the cases ------------------------------------------------------------------------------------

Case = tuple[str, str, str, str, Callable[[], bytes] | dict]   # name, rule, verdict, why, bytes or recipe


def cases() -> list[Case]:
    base = archive()
    out: list[Case] = []

    def add(name: str, rule: str, verdict: str, why: str, make: Callable[[], bytes] | dict) -> None:
        out.append((name, rule, verdict, why, make))

    zeros = lambda n: np.zeros(n)  # noqa: E731
    # F: the file (recipes: git cannot hold these)
    add("F1-missing", "F1", REFUSE, "a path that does not exist", {"kind": "missing"})
    add("F1-directory", "F1", REFUSE, "a directory", {"kind": "directory"})
    add("F1-fifo", "F1", REFUSE, "a FIFO with no writer: must not block", {"kind": "fifo"})
    add("F1-dev-zero", "F1", REFUSE, "the device /dev/zero (endless zeros)", {"kind": "path", "path": "/dev/zero"})
    add("F1-dev-null", "F1", REFUSE, "the device /dev/null", {"kind": "path", "path": "/dev/null"})
    add("F1-symlink-dev-zero", "F1", REFUSE, "a symbolic link to /dev/zero", {"kind": "symlink", "target": "/dev/zero"})
    add("F1-symlink-directory", "F1", REFUSE, "a symbolic link to a directory", {"kind": "symlink", "target": "/"})
    add("F1-symlink-dangling", "F1", REFUSE, "a symbolic link to nothing", {"kind": "symlink", "target": "/nonexistent/model.npz"})
    add("F1-symlink-fifo", "F1", REFUSE, "a symbolic link to a FIFO", {"kind": "symlink-fifo"})
    add("F1-symlink-valid", "F1", ACCEPT, "a symbolic link to a valid model file", {"kind": "symlink", "target": "valid-savez.npz"})
    add("F2-empty", "F2", REFUSE, "an empty file", lambda: b"")
    add("F2-21-bytes", "F2", REFUSE, "21 bytes: shorter than any zip", lambda: base[-21:])
    add("F2-sparse-over-limit", "F2", REFUSE, "a sparse file of MAX_ARCHIVE_BYTES + 1 bytes",
        {"kind": "sparse", "size": 2_000_000_001})

    # Accepted files
    add("valid-savez", "M1", ACCEPT, "np.savez of the base model: both biases, vocabulary, zip64 local extras",
        lambda: savez(base_arrays()))
    add("valid-savez-compressed", "Z3", ACCEPT, "np.savez_compressed: every entry deflated", lambda: savez(base_arrays(), True))
    add("valid-csharp-layout", "Z5", ACCEPT, "stored entries without extra fields, as the C# writer lays them out", lambda: base)
    add("valid-no-biases", "M1", ACCEPT, "no b_h, no b_y", lambda: savez(base_arrays(b_h=None, b_y=None)))
    add("valid-hidden-bias-only", "M1", ACCEPT, "b_h without b_y", lambda: savez(base_arrays(b_y=None)))
    add("valid-output-bias-only", "M1", ACCEPT, "b_y without b_h", lambda: savez(base_arrays(b_h=None)))
    add("valid-no-vocabulary", "V1", ACCEPT, "V = 0: not a character model",
        lambda: savez(base_arrays(vocabulary=np.zeros(0, dtype="<i4"))))
    add("valid-no-vocabulary-i-ne-o", "V1", ACCEPT, "V = 0 with I = 4, O = 3",
        lambda: archive(model_entries({"W_hy": BASE["W_hy"][:3], "b_y": BASE["b_y"][:3]}, vocab=[])))
    add("valid-relu", "D6", ACCEPT, "activation relu", lambda: with_meta(metadata_json("relu")))
    add("valid-empty-hyperparameters", "D6", ACCEPT, "hyperparameters {}", lambda: with_meta(metadata_json(hyper={})))
    add("valid-nested-hyperparameters", "D6", ACCEPT, "nested objects, arrays, null, booleans, strings",
        lambda: with_meta(metadata_json(hyper={"a": [1, 2.5, None, True, False, "x"], "b": {"c": {"d": []}}})))
    add("valid-unicode-hyperparameters", "D2", ACCEPT, "raw UTF-8 (not escaped) in a string",
        lambda: with_meta('{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {"note": "héllo 𝄞"}, "version": 1}'))
    add("valid-escaped-pair", "D4", ACCEPT, "an escaped surrogate pair is one character",
        lambda: with_meta(b'{"activation": "tanh", "format": "rnnport-model", "hyperparameters": {"k\\ud834\\udd1e": "\\ud83d\\ude00"}, "version": 1}'))
    add("valid-json-whitespace", "D3", ACCEPT, "JSON white space (tab, CR, LF) between tokens",
        lambda: with_meta(b' \t\r\n{ "activation" :"tanh",\n"format":"rnnport-model","hyperparameters":{},"version":1 }\n'))
    add("valid-depth-32", "D4", ACCEPT, "JSON nested exactly MAX_JSON_DEPTH deep", lambda: with_meta(deep(32)))
    add("valid-tiny-number", "D4", ACCEPT, "1e-400 rounds to 0.0, which is finite",
        lambda: with_meta(metadata_json(hyper={}).replace(b"{}", b'{"eps": 1e-400}')))
    add("valid-big-integer", "D4", ACCEPT, "a 300-digit integer is finite as a float64",
        lambda: with_meta(metadata_json(hyper={"n": 10 ** 300})))
    add("valid-largest-double", "D4", ACCEPT, "1.7976931348623157e308 is the largest finite double",
        lambda: with_meta(metadata_json(hyper={"x": 1.7976931348623157e308})))
    add("valid-metadata-1MiB", "D1", ACCEPT, "metadata of exactly MAX_METADATA_BYTES, deflated under 64:1",
        lambda: archive(model_entries(meta=sized_metadata(1 << 20)), method=8))
    add("valid-npy-v2", "N1", ACCEPT, ".npy version 2.0 headers (uint32 length)",
        lambda: archive({k: npy(np.frombuffer(v[(10 + struct.unpack_from('<H', v, 8)[0]):], dtype='u1').view(
            _dtype_of(k)).reshape(_shape_of(k)), version=(2, 0)) for k, v in model_entries().items()}))
    add("valid-fortran-order", "N4", ACCEPT, "W_xh and W_hh in Fortran order",
        lambda: archive(model_entries({"W_xh": npy(BASE["W_xh"], fortran=True), "W_hh": npy(BASE["W_hh"], fortran=True)})))
    add("valid-header-double-quotes", "N2", ACCEPT, "header strings in double quotes, no trailing comma, keys reordered",
        lambda: archive(model_entries({"W_hh": npy(BASE["W_hh"], header='{"shape": (6, 6), "fortran_order": False, "descr": "<f8"}')})))
    add("valid-header-whitespace", "N2", ACCEPT, "tabs and newlines between header tokens",
        lambda: archive(model_entries({"W_hh": npy(BASE["W_hh"], header="{\t'descr' :'<f8' ,\n'fortran_order':False,'shape':( 6 ,6 ,),}")})))
    add("valid-signed-zeros-subnormals", "M5", ACCEPT, "-0.0, subnormals and the largest double are kept bit for bit",
        lambda: savez(base_arrays(W_hh=np.array([-0.0, 5e-324, -2.2e-308, 1.7976931348623157e308, -0.0, 1e-310] * 6).reshape(6, 6))))
    add("valid-astral-vocabulary", "V2", ACCEPT, "characters beyond the BMP, U+0000 and U+10FFFF",
        lambda: archive(model_entries(vocab=[0, 0x1D11E, 0x10FFFF, 0xE9])))
    add("valid-surrogate-neighbours", "V2", ACCEPT, "U+D7FF and U+E000, the scalar values around the surrogates",
        lambda: archive(model_entries(vocab=[0xD7FF, 0xE000, 0x41, 0x0A])))
    add("valid-utf8-flag", "Z3", ACCEPT, "general-purpose bit 11 (UTF-8 names) set",
        lambda: build(entries_of(model_entries(), flags=1 << 11)))
    add("valid-deflate-option-bits", "Z3", ACCEPT, "deflate with option bits 1 and 2 set",
        lambda: build(entries_of(model_entries(), method=8, flags=0b110)))
    add("valid-unknown-extra", "Z3", ACCEPT, "an extended-timestamp extra record in both headers",
        lambda: build(entries_of(model_entries(), central_extra=b"UT\x05\x00\x01\x00\x00\x00\x00",
                                 local_extra=b"UT\x05\x00\x01\x00\x00\x00\x00")))
    add("valid-zip64-local", "Z5", ACCEPT, "zip64 placeholders in local headers with the sizes in extra record 1",
        lambda: build(entries_of(model_entries(), zip64_local=True)))
    add("valid-shuffled-order", "Z6", ACCEPT, "entries in another order", lambda: archive(dict(reversed(model_entries().items()))))
    add("valid-gap-between-entries", "Z6", ACCEPT, "unused bytes between entries",
        lambda: build([replace(e, gap_before=b"\0" * 7) for e in entries_of(model_entries())]))
    add("valid-mixed-methods", "Z3", ACCEPT, "some entries stored, some deflated",
        lambda: build([replace(e, method=8 * (i % 2)) for i, e in enumerate(entries_of(model_entries()))]))
    add("valid-deflate-1MiB-zeros", "Z7", ACCEPT, "a deflated entry of at most BOMB_CHECKED_ABOVE bytes may compress 1000:1",
        lambda: archive(model_entries({"W_xh": zeros((361, 1)), "W_hh": zeros((361, 361)), "W_hy": zeros((1, 361)),
                                       "h0": zeros(361), "b_h": None, "b_y": None}, vocab=[]), method=8))
    add("valid-one-unit", "M4", ACCEPT, "I = H = O = 1",
        lambda: archive(model_entries({"W_xh": [[0.5]], "W_hh": [[0.25]], "W_hy": [[2.0]], "h0": [0.0], "b_h": [0.1], "b_y": [0.2]},
                                      vocab="x")))

    # Z1: the end record
    add("Z1-text-file", "Z1", REFUSE, "not a zip at all", lambda: b"this is not a zip archive, just text\n")
    add("Z1-archive-comment", "Z1", REFUSE, "an archive comment", lambda: archive(comment=b"hello"))
    add("Z1-trailing-garbage", "Z1", REFUSE, "bytes after the end record", lambda: base + b"garbage")
    add("Z1-truncated-40", "Z1", REFUSE, "the last 40 bytes cut off", lambda: base[:-40])
    add("Z1-truncated-half", "Z1", REFUSE, "the second half cut off", lambda: base[:len(base) // 2])
    add("Z1-disk-number", "Z1", REFUSE, "a multi-disk archive", lambda: archive(end={"disk": 1}))
    add("Z1-cd-disk", "Z1", REFUSE, "central directory on disk 2", lambda: archive(end={"cd_disk": 2}))
    add("Z1-count-mismatch", "Z1", REFUSE, "entries on disk differ from the total", lambda: archive(end={"on_disk": 5}))
    add("Z1-empty-zip", "Z1", REFUSE, "an empty archive (0 entries)", lambda: build([]))
    add("Z1-wrong-end-signature", "Z1", REFUSE, "end record signature damaged", lambda: flip(base, len(base) - 22))
    add("Z1-wrong-zip-magic", "Z1", REFUSE, "every PK signature replaced", lambda: base.replace(b"PK", b"QK"))

    # Z2: the central directory
    add("Z2-cd-offset-off-by-one", "Z2", REFUSE, "central directory offset + 1", lambda: archive(end={"cd_offset": base_cd() + 1}))
    add("Z2-cd-size-short", "Z2", REFUSE, "central directory size − 1", lambda: archive(end={"cd_size": base_cd_size() - 1}))
    add("Z2-prepended-stub", "Z2", REFUSE, "a self-extractor stub before the archive, offsets not adjusted",
        lambda: b"MZ" + b"\0" * 62 + base)
    add("Z2-bad-record-signature", "Z2", REFUSE, "a central record's signature damaged", lambda: flip(base, base_cd()))
    add("Z2-count-too-small", "Z2", REFUSE, "the end record counts 7 of 8 records",
        lambda: archive(end={"on_disk": 7, "total": 7}))
    add("Z2-count-too-large", "Z2", REFUSE, "the end record counts 9 of 8 records",
        lambda: archive(end={"on_disk": 8, "total": 8}, named=dict(list(model_entries().items())[:7])))
    add("Z2-zip64-end-record", "Z2", REFUSE, "a zip64 end record and locator before the end record",
        lambda: archive(before_end=b"PK\x06\x06" + struct.pack("<Q", 44) + bytes(44) + b"PK\x06\x07" + bytes(16)))
    add("Z2-record-past-directory", "Z2", REFUSE, "a record's name length runs past the directory",
        lambda: patch_cd_field(base, 0, 28, 2, 60000))

    # Z3: central records
    add("Z3-encrypted", "Z3", REFUSE, "the encryption flag on W_hh", lambda: with_entry("W_hh.npy", flags=1))
    add("Z3-data-descriptor", "Z3", REFUSE, "the data-descriptor flag (bit 3)", lambda: with_entry("W_hh.npy", flags=8))
    add("Z3-strong-encryption", "Z3", REFUSE, "flag bit 6", lambda: with_entry("W_hh.npy", flags=64))
    add("Z3-masked-header", "Z3", REFUSE, "flag bit 13", lambda: with_entry("W_hh.npy", flags=1 << 13))
    add("Z3-bzip2", "Z3", REFUSE, "W_hh compressed with bzip2 (method 12)", lambda: with_entry("W_hh.npy", method=12))
    add("Z3-lzma", "Z3", REFUSE, "W_hh compressed with LZMA (method 14)", lambda: with_entry("W_hh.npy", method=14))
    add("Z3-lzma-corrupt", "Z3", REFUSE, "corrupt LZMA data (method 14)",
        lambda: with_entry("W_hh.npy", method=14, compressed=b"\x09\x14\x05\x00" + b"\xff" * 40))
    add("Z3-deflate64", "Z3", REFUSE, "method 9 (deflate64)", lambda: with_entry("W_hh.npy", method=9, compressed=compress(8, BASE_W_HH())))
    add("Z3-shrunk", "Z3", REFUSE, "method 1 (shrink)", lambda: with_entry("W_hh.npy", method=1))
    add("Z3-all-lzma", "Z3", REFUSE, "every entry LZMA", lambda: archive(method=14))
    add("Z3-all-bzip2", "Z3", REFUSE, "every entry bzip2", lambda: archive(method=12))
    add("Z3-entry-comment", "Z3", REFUSE, "an entry comment", lambda: with_entry("h0.npy", comment=b"note"))
    add("Z3-disk-start", "Z3", REFUSE, "an entry on disk 1", lambda: with_entry("h0.npy", disk=1))
    add("Z3-zip64-central-size", "Z3", REFUSE, "0xFFFFFFFF sizes in the central directory",
        lambda: with_entry("h0.npy", size=0xFFFFFFFF, csize=0xFFFFFFFF, central_extra=struct.pack("<HHQQ", 1, 16, 0, 0)))
    add("Z3-malformed-central-extra", "Z3", REFUSE, "an extra record longer than the extra field",
        lambda: with_entry("h0.npy", central_extra=b"UT\x40\x00\x01"))

    # Z4: names
    def renamed(old: str, new: bytes, local_too: bool = True) -> bytes:
        return with_entry(old, name=new, **({} if local_too else {"local": {"name": old.encode()}}))

    add("Z4-no-npy-suffix", "Z4", REFUSE, "'W_hh' without .npy", lambda: renamed("W_hh.npy", b"W_hh"))
    add("Z4-both-spellings", "Z4", REFUSE, "'W_hh' and 'W_hh.npy'",
        lambda: archive({**seven(), "W_hh": model_entries()["W_hh.npy"]}))
    add("Z4-damaged-bias-name", "Z4", REFUSE, "'b_h.npy' damaged to 'b_h.npz': never load the model without its bias",
        lambda: renamed("b_h.npy", b"b_h.npz"))
    add("Z4-damaged-bias-name-byte", "Z4", REFUSE, "'b_h.npy' damaged to 'b_i.npy'", lambda: renamed("b_h.npy", b"b_i.npy"))
    add("Z4-readme", "Z4", REFUSE, "an extra README.txt", lambda: archive({**seven(), "README.txt": b"hello\n"}))
    add("Z4-pickle-entry", "Z4", REFUSE, "an extra model.pkl (a pickle)",
        lambda: archive({**seven(), "model.pkl": b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00N."}))
    add("Z4-extra-npy", "Z4", REFUSE, "an extra, valid extra.npy", lambda: archive({**seven(), "extra.npy": npy(zeros(3))}))
    add("Z4-extra-bomb", "Z4", REFUSE, "an extra 20 MiB entry of zeros deflated to 20 KB (a bomb)",
        lambda: build(entries_of(seven()) + [Entry(b"bomb.npy", bytes(20 << 20), method=8)]))
    add("Z4-nul-in-name", "Z4", REFUSE, "'W_hh.npy\\0junk': zipfile would cut the name at the NUL",
        lambda: renamed("W_hh.npy", b"W_hh.npy\0junk"))
    add("Z4-dot-slash", "Z4", REFUSE, "'./W_hh.npy'", lambda: renamed("W_hh.npy", b"./W_hh.npy"))
    add("Z4-directory-prefix", "Z4", REFUSE, "'model/W_hh.npy'", lambda: renamed("W_hh.npy", b"model/W_hh.npy"))
    add("Z4-upper-case", "Z4", REFUSE, "'W_HH.npy'", lambda: renamed("W_hh.npy", b"W_HH.npy"))
    add("Z4-trailing-space", "Z4", REFUSE, "'W_hh.npy '", lambda: renamed("W_hh.npy", b"W_hh.npy "))
    add("Z4-non-ascii-name", "Z4", REFUSE, "a UTF-8 name 'W_hh.npý'",
        lambda: with_entry("W_hh.npy", name="W_hh.npý".encode(), flags=1 << 11))
    add("Z4-duplicate-entry", "Z4", REFUSE, "W_hh.npy twice (the second different)",
        lambda: build(entries_of(seven()) + [Entry(b"W_hh.npy", npy(zeros((6, 6))))]))
    add("Z4-duplicate-metadata", "Z4", REFUSE, "metadata.npy twice",
        lambda: build(entries_of(seven()) + [Entry(b"metadata.npy", npy(np.frombuffer(metadata_json("relu"), dtype="u1")))]))
    add("Z4-backslash", "Z4", REFUSE, "'W_hh\\.npy'", lambda: renamed("W_hh.npy", b"W_hh\\.npy"))

    # Z5: local headers
    add("Z5-local-name-damaged", "Z5", REFUSE, "the local header names 'b_h.npz'",
        lambda: with_entry("b_h.npy", local={"name": b"b_h.npz"}))
    add("Z5-local-method", "Z5", REFUSE, "local method 8, central 0", lambda: with_entry("W_hh.npy", local={"method": 8}))
    add("Z5-local-flags", "Z5", REFUSE, "local flags differ", lambda: with_entry("W_hh.npy", local={"flags": 1 << 11}))
    add("Z5-local-crc", "Z5", REFUSE, "local CRC differs", lambda: with_entry("W_hh.npy", local={"crc": 1234}))
    add("Z5-local-size", "Z5", REFUSE, "local uncompressed size differs", lambda: with_entry("W_hh.npy", local={"size": 100}))
    add("Z5-local-csize", "Z5", REFUSE, "local compressed size differs", lambda: with_entry("W_hh.npy", local={"csize": 100}))
    add("Z5-local-signature", "Z5", REFUSE, "a local header signature damaged", lambda: flip(base, 0))
    add("Z5-zip64-without-extra", "Z5", REFUSE, "0xFFFFFFFF local sizes and no zip64 record",
        lambda: with_entry("W_hh.npy", local={"size": 0xFFFFFFFF, "csize": 0xFFFFFFFF}))
    add("Z5-zip64-wrong-sizes", "Z5", REFUSE, "zip64 local record with other sizes",
        lambda: with_entry("W_hh.npy", local={"size": 300, "csize": 300}, zip64_local=True))
    add("Z5-malformed-local-extra", "Z5", REFUSE, "a local extra record longer than the field",
        lambda: with_entry("h0.npy", local_extra=b"UT\x09\x00\x01"))
    add("Z5-offset-to-other-entry", "Z5", REFUSE, "h0's central offset points at W_hy's local header",
        lambda: redirect_offset(base, "h0.npy", "W_hy.npy"))

    # Z6: layout
    add("Z6-offset-beyond-directory", "Z6", REFUSE, "an entry's offset lies in the central directory",
        lambda: with_entry("h0.npy", offset_shift=10_000))
    add("Z6-data-into-directory", "Z6", REFUSE, "the last entry claims more bytes than precede the directory",
        lambda: with_entry("metadata.npy", csize=10_000, size=10_000))
    add("Z6-overlap", "Z6", REFUSE, "W_xh's stored bytes swallow W_hh's local header and data", overlapping)

    # Z7: sizes
    add("Z7-stored-sizes-differ", "Z7", REFUSE, "stored entry with compressed ≠ uncompressed size",
        lambda: with_entry("h0.npy", size=len(model_entries()["h0.npy"]) + 8))
    add("Z7-bomb-W_hh", "Z7", REFUSE, "W_hh of 400×400 zeros deflated about 1000:1 (over 64:1, over 1 MiB)",
        lambda: archive(model_entries({"W_xh": zeros((400, 4)), "W_hh": zeros((400, 400)), "W_hy": zeros((4, 400)),
                                       "h0": zeros(400), "b_h": zeros(400)}), method=8))
    add("Z7-bomb-32MB", "Z7", REFUSE, "a 32 MB W_hh of zeros in about 32 KB",
        lambda: archive(model_entries({"W_xh": zeros((2000, 4)), "W_hh": zeros((2000, 2000)), "W_hy": zeros((4, 2000)),
                                       "h0": zeros(2000), "b_h": zeros(2000)}), method=8))
    add("Z7-bomb-claimed", "Z7", REFUSE, "a small deflated entry that claims 200 MB uncompressed",
        lambda: with_entry("W_hh.npy", method=8, size=200_000_000))
    add("Z7-claimed-sizes", "Z7", REFUSE, "four deflated entries each claiming 600 MB from 2 bytes",
        lambda: build([Entry(f"{n}.npy".encode(), b"", method=8, compressed=b"\x03\x00", size=600_000_000, csize=2)
                       for n in ("W_xh", "W_hh", "W_hy", "h0")]))

    # Z8: deflate data
    deflated = lambda **kw: build([replace(e, **kw) if e.name == b"W_hh.npy" else e  # noqa: E731
                                   for e in entries_of(model_entries(), method=8)])
    w_hh_deflated = compress(8, model_entries()["W_hh.npy"])
    add("Z8-corrupt-deflate", "Z8", REFUSE, "deflate data with a flipped byte",
        lambda: deflated(compressed=first_corrupting_flip(w_hh_deflated)))
    add("Z8-invalid-block-type", "Z8", REFUSE, "deflate block type 3 (reserved)", lambda: deflated(compressed=b"\x07" + w_hh_deflated[1:]))
    add("Z8-garbage-deflate", "Z8", REFUSE, "deflate data that is random bytes",
        lambda: deflated(compressed=bytes(np.random.default_rng(3).integers(0, 256, 200).astype(np.uint8))))
    add("Z8-truncated-deflate", "Z8", REFUSE, "the deflate stream cut short (sizes adjusted)",
        lambda: deflated(compressed=w_hh_deflated[:-10]))
    add("Z8-trailing-after-deflate", "Z8", REFUSE, "bytes after the end of the deflate stream",
        lambda: deflated(compressed=w_hh_deflated + b"\0\0\0\0"))
    add("Z8-inflates-longer", "Z8", REFUSE, "the stream inflates to more than the declared size",
        lambda: deflated(size=len(model_entries()["W_hh.npy"]) - 8, crc=zlib.crc32(model_entries()["W_hh.npy"][:-8])))
    add("Z8-inflates-shorter", "Z8", REFUSE, "the stream inflates to less than the declared size",
        lambda: deflated(size=len(model_entries()["W_hh.npy"]) + 8))
    add("Z8-non-final-block", "Z8", REFUSE, "a stored deflate block not marked final, then nothing",
        lambda: deflated(compressed=stored_block(model_entries()["W_hh.npy"], final=False)))
    add("Z8-two-streams", "Z8", REFUSE, "two complete deflate streams back to back",
        lambda: deflated(compressed=w_hh_deflated + w_hh_deflated))
    add("Z8-empty-deflate", "Z8", REFUSE, "no deflate data at all", lambda: deflated(compressed=b""))
    add("Z8-stored-block-length", "Z8", REFUSE, "a stored block whose LEN and NLEN disagree",
        lambda: deflated(compressed=b"\x01\x10\x00\x00\x00" + model_entries()["W_hh.npy"][:16]))

    # Z9: CRC
    add("Z9-bad-crc-stored", "Z9", REFUSE, "wrong CRC (central and local agree)", lambda: with_entry("W_hh.npy", crc=0xDEADBEEF))
    add("Z9-bad-crc-deflate", "Z9", REFUSE, "wrong CRC on a deflated entry",
        lambda: build([replace(e, crc=0x12345678) if e.name == b"W_hh.npy" else e for e in entries_of(model_entries(), method=8)]))
    add("Z9-flipped-weight-byte", "Z9", REFUSE, "one weight byte flipped in the stored data", lambda: flip(base, data_offset(base, "W_hh.npy") + 100, 0x01))
    add("Z9-flipped-metadata-byte", "Z9", REFUSE, "one metadata byte flipped", lambda: flip(base, data_offset(base, "metadata.npy") + 140, 0x20))

    # N1: magic and version
    def entry(name: str, data: bytes) -> bytes:
        return archive(model_entries({name: data}) if name in BASE else {**model_entries(), f"{name}.npy": data})

    whh = BASE["W_hh"]
    add("N1-bad-magic", "N1", REFUSE, "\\x93NUMPZ", lambda: entry("W_hh", npy(whh, magic=b"\x93NUMPZ")))
    add("N1-version-3", "N1", REFUSE, ".npy version 3.0 (UTF-8 header)", lambda: entry("W_hh", npy(whh, version=(3, 0))))
    add("N1-version-1-1", "N1", REFUSE, ".npy version 1.1", lambda: entry("W_hh", npy(whh, version=(1, 1))))
    add("N1-version-0", "N1", REFUSE, ".npy version 0.0", lambda: entry("W_hh", npy(whh, version=(0, 0))))
    add("N1-version-3-metadata", "N1", REFUSE, "metadata as .npy 3.0",
        lambda: entry("metadata", npy(np.frombuffer(metadata_json(), dtype="u1"), version=(3, 0))))
    add("N1-header-past-end", "N1", REFUSE, "a header length beyond the entry",
        lambda: entry("W_hh", npy(whh)[:8] + struct.pack("<H", 60000) + npy(whh)[10:]))
    add("N1-header-too-long", "N1", REFUSE, "a 20,000-byte header (over MAX_NPY_HEADER), deflated",
        lambda: archive(model_entries({"W_hh": npy(whh, header="{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), }" + " " * 20_000)}), method=8))
    add("valid-npy-header-at-limit", "N1", ACCEPT, "a header of exactly MAX_NPY_HEADER bytes (deflated)",
        lambda: archive(model_entries({"W_hh": npy_with_header_length(whh, 10_000)}), method=8))
    add("N1-header-over-limit", "N1", REFUSE, "a header of MAX_NPY_HEADER + 1 bytes (deflated)",
        lambda: archive(model_entries({"W_hh": npy_with_header_length(whh, 10_001)}), method=8))
    add("N1-tiny-entry", "N1", REFUSE, "an entry of 5 bytes", lambda: entry("h0", b"\x93NUMP"))
    add("N1-empty-entry", "N1", REFUSE, "an empty entry", lambda: entry("h0", b""))
    add("N1-v2-truncated", "N1", REFUSE, "version 2.0 with a 2-byte length", lambda: entry("h0", b"\x93NUMPY\x02\x00\x10\x00"))

    # N2: header grammar
    def header(text: str, name: str = "W_hh", array: np.ndarray | None = None) -> Callable[[], bytes]:
        return lambda: entry(name, npy(BASE[name] if array is None else array, header=text))

    add("N2-fortran-order-int", "N2", REFUSE, "fortran_order: 0", header("{'descr': '<f8', 'fortran_order': 0, 'shape': (6, 6), }"))
    add("N2-shape-true", "N2", REFUSE, "shape (True,)",
        header("{'descr': '<f8', 'fortran_order': False, 'shape': (True,), }", "h0", zeros(1)))
    add("N2-shape-int", "N2", REFUSE, "shape (6): an integer, not a tuple", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }", "h0"))
    add("N2-shape-negative", "N2", REFUSE, "shape (-6, -6)", header("{'descr': '<f8', 'fortran_order': False, 'shape': (-6, -6), }"))
    add("N2-shape-leading-zero", "N2", REFUSE, "shape (06, 6)", header("{'descr': '<f8', 'fortran_order': False, 'shape': (06, 6), }"))
    add("N2-shape-list", "N2", REFUSE, "shape [6, 6]", header("{'descr': '<f8', 'fortran_order': False, 'shape': [6, 6], }"))
    add("N2-shape-expression", "N2", REFUSE, "shape (3+3, 6)", header("{'descr': '<f8', 'fortran_order': False, 'shape': (3+3, 6), }"))
    add("N2-shape-float", "N2", REFUSE, "shape (6.0, 6)", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6.0, 6), }"))
    add("N2-extra-key", "N2", REFUSE, "a fourth key", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), 'x': 1}"))
    add("N2-missing-key", "N2", REFUSE, "no fortran_order", header("{'descr': '<f8', 'shape': (6, 6), }"))
    add("N2-repeated-key", "N2", REFUSE, "shape twice", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), 'shape': (6, 6)}"))
    add("N2-escaped-string", "N2", REFUSE, "an escape in descr", header("{'descr': '<f\\x38', 'fortran_order': False, 'shape': (6, 6), }"))
    add("N2-text-after", "N2", REFUSE, "text after the dict", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), } x"))
    add("N2-unterminated", "N2", REFUSE, "no closing brace", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), "))
    add("N2-non-ascii", "N2", REFUSE, "a latin-1 byte in the header", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), } \xe9"))
    add("N2-nul-byte", "N2", REFUSE, "a NUL byte in the header", header("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 6), }\0"))
    add("N2-fortran-lowercase", "N2", REFUSE, "fortran_order: false", header("{'descr': '<f8', 'fortran_order': false, 'shape': (6, 6), }"))
    add("N2-descr-not-string", "N2", REFUSE, "descr as a list (a structured dtype)",
        header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6, 6), }"))
    add("N2-missing-colon", "N2", REFUSE, "no colon after a key", header("{'descr' '<f8', 'fortran_order': False, 'shape': (6, 6), }"))
    add("N2-call", "N2", REFUSE, "a function call", header("{'descr': '<f8', 'fortran_order': bool(0), 'shape': (6, 6), }"))

    # N3: dtypes and dimensions
    add("N3-float32", "N3", REFUSE, "W_hh as <f4", lambda: entry("W_hh", npy(whh.astype("<f4"))))
    add("N3-big-endian", "N3", REFUSE, "W_hh as >f8", lambda: entry("W_hh", npy(whh.astype(">f8"))))
    add("N3-int64-vocabulary", "N3", REFUSE, "vocabulary as <i8", lambda: entry("vocabulary", npy(np.array([97, 98, 99, 100], dtype="<i8"))))
    add("N3-pickled-object", "N3", REFUSE, "W_hh an object array (a pickle that would run code)",
        lambda: entry("W_hh", npy(descr="|O", shape=(6, 6), body=b"\x80\x04\x95" + b"cos\nsystem\n(S'true'\ntR." )))
    add("N3-unicode-dtype", "N3", REFUSE, "vocabulary as <U1", lambda: entry("vocabulary", npy(np.array(list("abcd")))))
    add("N3-bool", "N3", REFUSE, "h0 as |b1", lambda: entry("h0", npy(np.zeros(6, dtype=bool))))
    add("N3-native-f8", "N3", REFUSE, "descr '=f8' (native order, not '<f8')", lambda: entry("W_hh", npy(whh, descr="=f8")))
    add("N3-dimension-over-limit", "N3", REFUSE, "shape (0, 2147483648): no data, but a dimension over MAX_DIMENSION",
        lambda: entry("W_hh", npy(descr="<f8", shape=(0, 2 ** 31), body=b"")))
    add("N3-complex", "N3", REFUSE, "W_hh as <c16", lambda: entry("W_hh", npy(whh.astype("<c16"))))

    # N4: data length
    add("N4-huge-shape", "N4", REFUSE, "W_hh declares (100000, 100000) over 288 bytes",
        lambda: entry("W_hh", npy(descr="<f8", shape=(100_000, 100_000), body=bytes(288))))
    add("N4-max-shape", "N4", REFUSE, "W_hh declares (2147483647, 2147483647)",
        lambda: entry("W_hh", npy(descr="<f8", shape=(2 ** 31 - 1, 2 ** 31 - 1), body=bytes(288))))
    add("N4-many-dimensions", "N4", REFUSE, "a shape of 40 dimensions of 2147483647",
        lambda: entry("W_hh", npy(descr="<f8", shape=(2 ** 31 - 1,) * 40, body=bytes(288))))
    add("N4-one-byte-short", "N4", REFUSE, "W_hh data one byte short", lambda: entry("W_hh", npy(whh)[:-1]))
    add("N4-one-byte-long", "N4", REFUSE, "W_hh data one byte long", lambda: entry("W_hh", npy(whh) + b"\0"))
    add("N4-one-element-short", "N4", REFUSE, "h0 data one element short", lambda: entry("h0", npy(BASE["h0"])[:-8]))
    add("N4-zero-dim-with-data", "N4", REFUSE, "shape (0, 6) with 288 bytes of data",
        lambda: entry("W_hh", npy(descr="<f8", shape=(0, 6), body=bytes(288))))

    # M1–M5: entries and shapes
    for name in ("W_xh", "W_hh", "W_hy", "h0", "vocabulary", "metadata"):
        add(f"M1-missing-{name}", "M1", REFUSE, f"no {name}.npy", lambda name=name: archive(model_entries(drop=(f"{name}.npy",))))
    add("M2-W_hh-int32", "M2", REFUSE, "W_hh as <i4", lambda: entry("W_hh", npy(np.zeros((6, 6), dtype="<i4"))))
    add("M2-W_hh-uint8", "M2", REFUSE, "W_hh as |u1", lambda: entry("W_hh", npy(np.zeros((6, 6), dtype="u1"))))
    add("M2-vocabulary-float", "M2", REFUSE, "vocabulary as <f8", lambda: entry("vocabulary", npy(np.array([97.0, 98, 99, 100]))))
    add("M2-metadata-int32", "M2", REFUSE, "metadata as <i4",
        lambda: entry("metadata", npy(np.frombuffer(metadata_json() + b" " * (-len(metadata_json()) % 4), dtype="<i4"))))
    add("M2-b_h-int32", "M2", REFUSE, "b_h as <i4", lambda: entry("b_h", npy(np.zeros(6, dtype="<i4"))))
    add("M3-W_hh-flat", "M3", REFUSE, "W_hh of shape (36,)", lambda: entry("W_hh", npy(whh.ravel())))
    add("M3-W_hh-scalar", "M3", REFUSE, "W_hh of shape ()", lambda: entry("W_hh", npy(np.array(1.0))))
    add("M3-h0-2d", "M3", REFUSE, "h0 of shape (1, 6)", lambda: entry("h0", npy(BASE["h0"].reshape(1, 6))))
    add("M3-W_xh-3d", "M3", REFUSE, "W_xh of shape (6, 4, 1)", lambda: entry("W_xh", npy(BASE["W_xh"].reshape(6, 4, 1))))
    add("M3-vocabulary-2d", "M3", REFUSE, "vocabulary of shape (2, 2)",
        lambda: entry("vocabulary", npy(np.array([[97, 98], [99, 100]], dtype="<i4"))))
    add("M3-metadata-2d", "M3", REFUSE, "metadata of shape (1, N)",
        lambda: entry("metadata", npy(np.frombuffer(metadata_json(), dtype="u1").reshape(1, -1))))
    add("M4-W_hh-5x5", "M4", REFUSE, "W_hh (5, 5) with H = 6", lambda: entry("W_hh", npy(zeros((5, 5)))))
    add("M4-W_hh-not-square", "M4", REFUSE, "W_hh (6, 7)", lambda: entry("W_hh", npy(zeros((6, 7)))))
    add("M4-W_hy-columns", "M4", REFUSE, "W_hy (4, 5)", lambda: entry("W_hy", npy(zeros((4, 5)))))
    add("M4-h0-length", "M4", REFUSE, "h0 (5,)", lambda: entry("h0", npy(zeros(5))))
    add("M4-b_h-length", "M4", REFUSE, "b_h (5,)", lambda: entry("b_h", npy(zeros(5))))
    add("M4-b_y-length", "M4", REFUSE, "b_y (3,) with O = 4", lambda: entry("b_y", npy(zeros(3))))
    add("M4-transposed-W_xh", "M4", REFUSE, "W_xh stored transposed (4, 6)", lambda: entry("W_xh", npy(BASE["W_xh"].T.copy())))
    add("M4-H-zero", "M4", REFUSE, "H = 0: every weight empty",
        lambda: archive(model_entries({"W_xh": zeros((0, 4)), "W_hh": zeros((0, 0)), "W_hy": zeros((4, 0)), "h0": zeros(0),
                                       "b_h": zeros(0)})))
    add("M4-I-zero", "M4", REFUSE, "I = 0 (no vocabulary)", lambda: archive(model_entries({"W_xh": zeros((6, 0))}, vocab=[])))
    add("M4-O-zero", "M4", REFUSE, "O = 0 (no vocabulary, no b_y)",
        lambda: archive(model_entries({"W_hy": zeros((0, 6)), "b_y": None}, vocab=[])))
    add("M4-huge-empty", "M4", REFUSE, "W_xh (0, 2147483647): I huge, H = 0, no data",
        lambda: archive(model_entries({"W_xh": npy(descr="<f8", shape=(0, 2 ** 31 - 1), body=b""), "W_hh": zeros((0, 0)),
                                       "W_hy": zeros((4, 0)), "h0": zeros(0), "b_h": zeros(0)}, vocab=[])))

    def poisoned(name: str, value: float, at: tuple = (0,)) -> Callable[[], bytes]:
        def make() -> bytes:
            array = BASE[name].copy()
            array[at] = value
            return entry(name, npy(array))
        return make

    add("M5-nan-W_hh", "M5", REFUSE, "NaN in W_hh", poisoned("W_hh", np.nan, (2, 3)))
    add("M5-inf-W_xh", "M5", REFUSE, "+Inf in W_xh", poisoned("W_xh", np.inf, (5, 3)))
    add("M5-neg-inf-h0", "M5", REFUSE, "-Inf in h0", poisoned("h0", -np.inf, (0,)))
    add("M5-nan-b_h", "M5", REFUSE, "NaN in b_h", poisoned("b_h", np.nan, (5,)))
    add("M5-nan-b_y", "M5", REFUSE, "NaN in b_y", poisoned("b_y", np.nan, (1,)))
    add("M5-nan-W_hy", "M5", REFUSE, "NaN in W_hy", poisoned("W_hy", np.nan, (3, 5)))
    add("M5-signalling-nan", "M5", REFUSE, "a signalling NaN bit pattern in W_hh",
        lambda: entry("W_hh", npy(descr="<f8", shape=(6, 6), body=struct.pack("<Q", 0x7FF0000000000001) + whh.tobytes()[8:])))

    # V1–V3: vocabulary
    add("V1-too-short", "V1", REFUSE, "3 characters for I = O = 4", lambda: archive(model_entries(vocab="abc")))
    add("V1-too-long", "V1", REFUSE, "5 characters for I = O = 4", lambda: archive(model_entries(vocab="abcde")))
    add("V1-i-ne-o", "V1", REFUSE, "V = I = 4 but O = 3",
        lambda: archive(model_entries({"W_hy": BASE["W_hy"][:3], "b_y": BASE["b_y"][:3]})))
    add("V2-high-surrogate", "V2", REFUSE, "U+D800 (a lone surrogate)", lambda: archive(model_entries(vocab=[97, 0xD800, 99, 100])))
    add("V2-low-surrogate", "V2", REFUSE, "U+DFFF", lambda: archive(model_entries(vocab=[97, 98, 0xDFFF, 100])))
    add("V2-negative", "V2", REFUSE, "-1", lambda: archive(model_entries(vocab=[97, 98, 99, -1])))
    add("V2-beyond-unicode", "V2", REFUSE, "0x110000", lambda: archive(model_entries(vocab=[0x110000, 98, 99, 100])))
    add("V2-int-max", "V2", REFUSE, "2147483647", lambda: archive(model_entries(vocab=[97, 2 ** 31 - 1, 99, 100])))
    add("V3-repeated", "V3", REFUSE, "'a' twice ('aabc')", lambda: archive(model_entries(vocab="aabc")))
    add("V3-repeated-astral", "V3", REFUSE, "U+1D11E twice", lambda: archive(model_entries(vocab=[0x1D11E, 98, 0x1D11E, 100])))

    # D1–D6: metadata
    add("D1-over-1MiB", "D1", REFUSE, "metadata of MAX_METADATA_BYTES + 1 bytes, deflated under 64:1",
        lambda: archive(model_entries(meta=sized_metadata((1 << 20) + 1)), method=8))
    add("D2-invalid-byte", "D2", REFUSE, "a 0xFF byte", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\xff"')))
    add("D2-overlong", "D2", REFUSE, "an overlong encoding of '/'", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\xc0\xaf"')))
    add("D2-encoded-surrogate", "D2", REFUSE, "UTF-8 bytes of U+D800", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\xed\xa0\x80"')))
    add("D2-truncated-sequence", "D2", REFUSE, "a cut multi-byte sequence", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\xe2\x82"')))
    add("D2-latin1", "D2", REFUSE, "latin-1 text, not UTF-8", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"caf\xe9"')))
    add("D3-bom", "D3", REFUSE, "a UTF-8 byte-order mark", lambda: with_meta(b"\xef\xbb\xbf" + metadata_json()))
    add("D3-not-json", "D3", REFUSE, "'{not json'", lambda: with_meta(b"{not json"))
    add("D3-nan", "D3", REFUSE, "NaN literal (Python's json.dumps of float('nan'))", lambda: with_meta(metadata_json(hyper={"clip": "X"}).replace(b'"X"', b"NaN")))
    add("D3-infinity", "D3", REFUSE, "Infinity literal (train --clip inf)", lambda: with_meta(metadata_json(hyper={"clip": "X"}).replace(b'"X"', b"Infinity")))
    add("D3-neg-infinity", "D3", REFUSE, "-Infinity literal", lambda: with_meta(metadata_json(hyper={"clip": "X"}).replace(b'"X"', b"-Infinity")))
    add("D3-trailing-comma", "D3", REFUSE, "a trailing comma", lambda: with_meta(metadata_json()[:-1] + b", }"))
    add("D3-comment", "D3", REFUSE, "a // comment", lambda: with_meta(b"// model\n" + metadata_json()))
    add("D3-single-quotes", "D3", REFUSE, "single-quoted strings", lambda: with_meta(metadata_json().replace(b'"', b"'")))
    add("D3-array", "D3", REFUSE, "a JSON array, not an object", lambda: with_meta(b"[" + metadata_json() + b"]"))
    add("D3-string", "D3", REFUSE, "a JSON string", lambda: with_meta(b'"rnnport-model"'))
    add("D3-two-values", "D3", REFUSE, "two objects", lambda: with_meta(metadata_json() + metadata_json()))
    add("D3-empty", "D3", REFUSE, "no metadata bytes", lambda: with_meta(b""))
    add("D3-control-character", "D3", REFUSE, "a raw newline inside a string", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"a\nb"')))
    add("D3-leading-zero", "D3", REFUSE, "the number 01", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"01")))
    add("D3-plus-sign", "D3", REFUSE, "the number +1", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"+1")))
    add("D3-hex", "D3", REFUSE, "the number 0x10", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"0x10")))
    add("D3-bad-escape", "D3", REFUSE, "the escape \\x41", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\\x41"')))
    add("D3-nul", "D3", REFUSE, "a NUL after the object", lambda: with_meta(metadata_json() + b"\0"))
    add("D4-depth-33", "D4", REFUSE, "JSON nested MAX_JSON_DEPTH + 1 deep", lambda: with_meta(deep(33)))
    add("D4-depth-1000", "D4", REFUSE, "JSON nested 1,000 deep (Python's recursion limit)", lambda: with_meta(deep(1000)))
    add("D4-depth-100000", "D4", REFUSE, "100,000 '[' (a RecursionError in Python's json)", lambda: with_meta(b"[" * 100_000, method=8))
    add("D4-duplicate-key", "D4", REFUSE, "'version' twice", lambda: with_meta(metadata_json()[:-1] + b', "version": 1}'))
    add("D4-duplicate-nested-key", "D4", REFUSE, "a hyper-parameter key twice",
        lambda: with_meta(metadata_json(hyper={"a": 1}).replace(b'{"a": 1}', b'{"a": 1, "a": 2}')))
    add("D4-duplicate-escaped-key", "D4", REFUSE, "'clip' and its escaped spelling '\\u0063lip'",
        lambda: with_meta(metadata_json(hyper={"clip": 1}).replace(b'{"clip": 1}', b'{"clip": 1, "\\u0063lip": 2}')))
    add("D4-lone-high-surrogate", "D4", REFUSE, "'\\ud800' in a value", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\\ud800"')))
    add("D4-lone-low-surrogate", "D4", REFUSE, "'\\udc00' in a value", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\\udc00"')))
    add("D4-reversed-pair", "D4", REFUSE, "'\\ude00\\ud83d'", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\\ude00\\ud83d"')))
    add("D4-surrogate-in-key", "D4", REFUSE, "a lone surrogate in a key", lambda: with_meta(metadata_json(hyper={"x": 1}).replace(b'"x"', b'"\\udbff"')))
    add("D4-high-then-char", "D4", REFUSE, "'\\ud800a'", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b'"\\ud800a"')))
    add("D4-number-overflow", "D4", REFUSE, "1e400", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"1e400")))
    add("D4-negative-overflow", "D4", REFUSE, "-1e400", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"-1e400")))
    add("D4-long-integer", "D4", REFUSE, "a 400-digit integer", lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"1" + b"0" * 399)))
    add("D4-huge-integer", "D4", REFUSE, "a 5,000-digit integer (over Python's int-string limit)",
        lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"9" * 5000)))
    add("D4-overflow-mantissa", "D4", REFUSE, "1.8e308, just over the largest double",
        lambda: with_meta(metadata_json(hyper={"n": "x"}).replace(b'"x"', b"1.8e308")))
    for key in ("format", "version", "activation", "hyperparameters"):
        add(f"D5-missing-{key}", "D5", REFUSE, f"no {key}", lambda key=key: with_meta(metadata_json(**{key: DROP})))
    add("D5-extra-key", "D5", REFUSE, "an extra top-level key", lambda: with_meta(metadata_json(comment="hi")))
    add("D6-format-other", "D6", REFUSE, "format 'other'", lambda: with_meta(metadata_json(format="other")))
    add("D6-format-number", "D6", REFUSE, "format 1", lambda: with_meta(metadata_json(format=1)))
    add("D6-version-0", "D6", REFUSE, "version 0", lambda: with_meta(metadata_json(version=0)))
    add("D6-version-float", "D6", REFUSE, "version 1.0", lambda: with_meta(metadata_json(version=1.0)))
    add("D6-version-exponent", "D6", REFUSE, "version 1e0", lambda: with_meta(metadata_json(version="X").replace(b'"X"', b"1e0")))
    add("D6-version-true", "D6", REFUSE, "version true", lambda: with_meta(metadata_json(version=True)))
    add("D6-version-string", "D6", REFUSE, "version '1'", lambda: with_meta(metadata_json(version="1")))
    add("D6-activation-sigmoid", "D6", REFUSE, "activation 'sigmoid'", lambda: with_meta(metadata_json("sigmoid")))
    add("D6-activation-case", "D6", REFUSE, "activation 'Tanh'", lambda: with_meta(metadata_json("Tanh")))
    add("D6-activation-null", "D6", REFUSE, "activation null", lambda: with_meta(metadata_json(None)))
    add("D6-activation-number", "D6", REFUSE, "activation 1", lambda: with_meta(metadata_json(1)))
    add("D6-hyperparameters-list", "D6", REFUSE, "hyperparameters [1, 2]", lambda: with_meta(metadata_json(hyper=[1, 2])))
    add("D6-hyperparameters-null", "D6", REFUSE, "hyperparameters null",
        lambda: with_meta(metadata_json(hyper={}).replace(b'"hyperparameters": {}', b'"hyperparameters": null')))
    add("D6-hyperparameters-string", "D6", REFUSE, "hyperparameters 'x'",
        lambda: with_meta(metadata_json(hyper={}).replace(b'"hyperparameters": {}', b'"hyperparameters": "x"')))
    cells(add)
    stack_cases(add)
    return out


def stack_cases(add: Callable) -> None:
    """Version 3 (stacks): ``stacks.py`` beside this file, given this module's helpers."""
    import importlib.util
    import types

    spec = importlib.util.spec_from_file_location("model_files_stacks", HERE / "stacks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.cases(add, types.SimpleNamespace(**globals()))


def cells(add: Callable) -> None:
    """The cell's cases: version 2 and D7, each cell's entries (M1) and shapes (M4)."""
    zeros = lambda n: np.zeros(n)  # noqa: E731
    lstm = lambda **kw: archive(cell_entries("lstm", **kw))  # noqa: E731
    add("valid-v2-rnn", "D7", ACCEPT, "version 2, cell 'rnn', as the writers write an RNN",
        lambda: with_meta(cell_metadata("rnn")))
    add("valid-v2-rnn-relu", "D7", ACCEPT, "version 2, cell 'rnn', activation relu", lambda: with_meta(cell_metadata("rnn", "relu")))
    add("valid-lstm", "M1", ACCEPT, "an LSTM: W_ih (4H, I), W_hh (4H, H), W_hy, h0, c0, b_ih, b_hh, b_y (10 entries)",
        lambda: lstm())
    add("valid-lstm-savez", "M1", ACCEPT, "np.savez of the LSTM",
        lambda: savez({**LSTM_BASE, "vocabulary": np.array([ord(c) for c in VOCAB], dtype="<i4"),
                       "metadata": np.frombuffer(cell_metadata("lstm"), dtype=np.uint8)}))
    add("valid-lstm-no-biases", "M1", ACCEPT, "an LSTM without b_ih, b_hh, b_y",
        lambda: lstm(arrays={"b_ih": None, "b_hh": None, "b_y": None}))
    add("valid-lstm-input-bias-only", "M1", ACCEPT, "an LSTM with b_ih alone", lambda: lstm(arrays={"b_hh": None, "b_y": None}))
    add("valid-lstm-one-unit", "M4", ACCEPT, "an LSTM with I = H = O = 1",
        lambda: lstm(arrays={"W_ih": [[0.1], [0.2], [0.3], [0.4]], "W_hh": [[0.5], [0.6], [0.7], [0.8]], "W_hy": [[2.0]],
                             "h0": [0.0], "c0": [-0.0], "b_ih": None, "b_hh": [0.1] * 4, "b_y": [0.2]}, vocab="x"))
    for name in ("W_ih", "W_hh", "W_hy", "h0", "c0"):
        add(f"M1-lstm-missing-{name}", "M1", REFUSE, f"an LSTM without {name}.npy",
            lambda name=name: lstm(arrays={name: None}))
    add("M1-lstm-with-W_xh", "M1", REFUSE, "an LSTM with an RNN's W_xh as well",
        lambda: lstm(arrays={"b_y": None, "W_xh": BASE["W_xh"]}))
    add("M1-lstm-with-b_h", "M1", REFUSE, "an LSTM with an RNN's b_h", lambda: lstm(arrays={"b_y": None, "b_h": BASE["b_h"]}))
    add("M1-lstm-as-rnn", "M1", REFUSE, "LSTM arrays under version-1 (RNN) metadata: no W_xh",
        lambda: lstm(meta=metadata_json()))
    add("M1-rnn-with-c0", "M1", REFUSE, "an RNN (version 1) with a c0", lambda: archive(model_entries({"c0": BASE["h0"]})))
    add("M1-rnn-as-lstm", "M1", REFUSE, "RNN arrays under cell 'lstm'", lambda: with_meta(cell_metadata("lstm")))
    add("M3-lstm-c0-2d", "M3", REFUSE, "c0 of shape (1, 6)", lambda: lstm(arrays={"c0": npy(LSTM_BASE["c0"].reshape(1, 6))}))
    add("M4-lstm-W_ih-3H", "M4", REFUSE, "an LSTM's W_ih with 3H rows (a GRU's)", lambda: lstm(arrays={"W_ih": zeros((18, 4))}))
    add("M4-lstm-W_hh-H", "M4", REFUSE, "an LSTM's W_hh (H, H) (an RNN's)",
        lambda: lstm(arrays={"W_hh": zeros((6, 6))}))
    add("M4-lstm-W_hh-rows", "M4", REFUSE, "W_hh (25, 6): not 4H rows", lambda: lstm(arrays={"W_hh": zeros((25, 6))}))
    add("M4-lstm-b_ih-length", "M4", REFUSE, "b_ih (18,), not 4H", lambda: lstm(arrays={"b_ih": zeros(18)}))
    add("M4-lstm-b_hh-length", "M4", REFUSE, "b_hh (6,), not 4H", lambda: lstm(arrays={"b_hh": zeros(6)}))
    add("M4-lstm-c0-length", "M4", REFUSE, "c0 (5,)", lambda: lstm(arrays={"c0": zeros(5)}))
    add("M4-lstm-H-zero", "M4", REFUSE, "an LSTM with H = 0",
        lambda: lstm(arrays={"W_ih": zeros((0, 4)), "W_hh": zeros((0, 0)), "W_hy": zeros((4, 0)), "h0": zeros(0),
                             "c0": zeros(0), "b_ih": zeros(0), "b_hh": zeros(0)}))
    add("M5-lstm-nan-c0", "M5", REFUSE, "NaN in c0",
        lambda: lstm(arrays={"c0": np.where(np.arange(6) == 4, np.nan, LSTM_BASE["c0"])}))
    add("M5-lstm-inf-b_hh", "M5", REFUSE, "+Inf in b_hh",
        lambda: lstm(arrays={"b_hh": np.where(np.arange(24) == 23, np.inf, LSTM_BASE["b_hh"])}))
    add("V1-lstm-too-short", "V1", REFUSE, "an LSTM with 3 characters for I = O = 4", lambda: lstm(vocab="abc"))
    gru = lambda **kw: archive(cell_entries("gru", **kw))  # noqa: E731
    add("valid-gru", "M1", ACCEPT, "a GRU: W_ih (3H, I), W_hh (3H, H), W_hy, h0, b_ih, b_hh, b_y", lambda: gru())
    add("valid-gru-savez", "M1", ACCEPT, "np.savez of the GRU",
        lambda: savez({**GRU_BASE, "vocabulary": np.array([ord(c) for c in VOCAB], dtype="<i4"),
                       "metadata": np.frombuffer(cell_metadata("gru"), dtype=np.uint8)}))
    add("valid-gru-no-biases", "M1", ACCEPT, "a GRU without biases", lambda: gru(arrays={"b_ih": None, "b_hh": None, "b_y": None}))
    add("valid-gru-no-vocabulary", "V1", ACCEPT, "a GRU with V = 0 and I ≠ O",
        lambda: gru(arrays={"W_hy": GRU_BASE["W_hy"][:3], "b_y": GRU_BASE["b_y"][:3]}, vocab=[]))
    for name in ("W_ih", "h0"):
        add(f"M1-gru-missing-{name}", "M1", REFUSE, f"a GRU without {name}.npy", lambda name=name: gru(arrays={name: None}))
    add("M1-gru-with-c0", "M1", REFUSE, "a GRU with an LSTM's c0", lambda: gru(arrays={"c0": GRU_BASE["h0"]}))
    add("M1-lstm-as-gru", "M1", REFUSE, "LSTM arrays (c0 included) under cell 'gru'", lambda: lstm(meta=cell_metadata("gru")))
    add("M4-gru-W_ih-4H", "M4", REFUSE, "a GRU's W_ih with 4H rows (an LSTM's)", lambda: gru(arrays={"W_ih": zeros((24, 4))}))
    add("M4-gru-as-lstm", "M4", REFUSE, "GRU arrays plus a c0 under cell 'lstm': W_ih has 3H rows",
        lambda: gru(arrays={"c0": GRU_BASE["h0"]}, meta=cell_metadata("lstm")))
    add("M4-gru-b_hh-length", "M4", REFUSE, "b_hh (24,), not 3H", lambda: gru(arrays={"b_hh": zeros(24)}))
    add("M5-gru-nan-W_ih", "M5", REFUSE, "NaN in a GRU's W_ih",
        lambda: gru(arrays={"W_ih": np.where(np.arange(72).reshape(18, 4) == 70, np.nan, GRU_BASE["W_ih"])}))
    add("D7-gru-relu", "D7", REFUSE, "a GRU whose activation is relu", lambda: gru(meta=cell_metadata("gru", "relu")))
    add("D7-version-2-without-cell", "D7", REFUSE, "version 2 and no 'cell'", lambda: with_meta(metadata_json(version=2)))
    add("D7-version-1-with-cell", "D7", REFUSE, "version 1 with a 'cell'", lambda: with_meta(metadata_json(cell="rnn")))
    add("D7-version-1-lstm", "D7", REFUSE, "an LSTM file whose metadata says version 1",
        lambda: lstm(meta=metadata_json(cell="lstm")))
    add("D7-cell-unknown", "D7", REFUSE, "cell 'transformer'", lambda: with_meta(cell_metadata("transformer")))
    add("D7-cell-case", "D7", REFUSE, "cell 'LSTM'", lambda: lstm(meta=cell_metadata("LSTM")))
    add("D7-cell-number", "D7", REFUSE, "cell 1", lambda: with_meta(cell_metadata(1)))
    add("D7-cell-null", "D7", REFUSE, "cell null", lambda: with_meta(cell_metadata(None)))
    add("D7-lstm-relu", "D7", REFUSE, "an LSTM whose activation is relu", lambda: lstm(meta=cell_metadata("lstm", "relu")))
    add("D5-cell-and-extra", "D5", REFUSE, "cell and an extra key", lambda: with_meta(cell_metadata("rnn", comment="x")))
    add("D5-lstm-missing-activation", "D5", REFUSE, "an LSTM without 'activation'",
        lambda: lstm(meta=cell_metadata("lstm", activation=DROP)))


def BASE_W_HH() -> bytes:  # noqa: N802  (an entry's bytes, named as the entry)
    return model_entries()["W_hh.npy"]


def _dtype_of(name: str) -> str:
    return {"vocabulary.npy": "<i4", "metadata.npy": "u1"}.get(name, "<f8")


def _shape_of(name: str) -> tuple:
    return {"W_xh.npy": (H, I), "W_hh.npy": (H, H), "W_hy.npy": (O, H)}.get(name, (-1,))


def base_cd() -> int:
    data = archive()
    return struct.unpack_from("<I", data, len(data) - 6)[0]


def base_cd_size() -> int:
    data = archive()
    return struct.unpack_from("<I", data, len(data) - 10)[0]


def central_records(data: bytes) -> list[tuple[int, bytes]]:
    """(offset of the record, name) for every central record of a well-formed archive."""
    at, records = struct.unpack_from("<I", data, len(data) - 6)[0], []
    while data[at:at + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack_from("<HHH", data, at + 28)
        records.append((at, data[at + 46:at + 46 + n]))
        at += 46 + n + m + k
    return records


def patch_cd_field(data: bytes, index: int, field_at: int, width: int, value: int) -> bytes:
    at = central_records(data)[index][0] + field_at
    return data[:at] + value.to_bytes(width, "little") + data[at + width:]


def redirect_offset(data: bytes, name: str, to: str) -> bytes:
    records = dict((n.decode(), a) for a, n in central_records(data))
    target = struct.unpack_from("<I", data, records[to] + 42)[0]
    return patch_cd_field(data, [n.decode() for _, n in central_records(data)].index(name), 42, 4, target)


def data_offset(data: bytes, name: str) -> int:
    records = dict((n.decode(), a) for a, n in central_records(data))
    local = struct.unpack_from("<I", data, records[name] + 42)[0]
    n, m = struct.unpack_from("<HH", data, local + 26)
    return local + 30 + n + m


def overlapping() -> bytes:
    """W_xh (stored) declares a size that covers W_hh's local header and data: the two spans overlap."""
    entries = entries_of(model_entries())
    plain = build(entries)
    records = dict((n.decode(), a) for a, n in central_records(plain))
    w_hy_local = struct.unpack_from("<I", plain, records["W_hy.npy"] + 42)[0]
    start = data_offset(plain, "W_xh.npy")
    swallowed = plain[start:w_hy_local]
    entries[0] = replace(entries[0], content=swallowed, compressed=swallowed)
    built = build(entries)
    # Point W_hh's central record back at its original local header, inside W_xh's data.
    original_w_hh = struct.unpack_from("<I", plain, records["W_hh.npy"] + 42)[0]
    return patch_cd_field(built, 1, 42, 4, original_w_hh)


def first_corrupting_flip(data: bytes) -> bytes:
    """``data`` with the first single-byte flip (from byte 1) that zlib reports as invalid deflate data."""
    for at in range(1, len(data)):
        damaged = flip(data, at)
        try:
            zlib.decompressobj(-15).decompress(damaged)
        except zlib.error:
            return damaged
    raise AssertionError("no flip corrupts the stream")


def npy_with_header_length(array: np.ndarray, length: int) -> bytes:
    """A version 1.0 .npy of ``array`` whose header text is exactly ``length`` bytes (spaces, then a newline)."""
    text = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {array.shape!r}, }}"
    raw = (text + " " * (length - len(text) - 1) + "\n").encode()
    assert len(raw) == length
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", length) + raw + array.astype("<f8").tobytes()


def stored_block(content: bytes, final: bool) -> bytes:
    return bytes([1 if final else 0]) + struct.pack("<HH", len(content), 0xFFFF ^ len(content)) + content


def render(case: Case) -> tuple[dict, bytes | None]:
    name, rule, verdict, why, make = case
    entry = {"name": name, "rule": rule, "verdict": verdict, "why": why}
    if isinstance(make, dict):
        return {**entry, "make": make}, None
    return {**entry, "file": f"{name}.npz"}, make()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="(re)write the corpus files and manifest.json")
    args = parser.parse_args(argv)
    manifest, files = [], {}
    for case in cases():
        entry, data = render(case)
        manifest.append(entry)
        if data is not None:
            files[entry["file"]] = data
    names = [c["name"] for c in manifest]
    assert len(names) == len(set(names)), "case names must be unique"
    text = json.dumps({"spec": "docs/model-file.md", "generator": "parity_tests/model_files/generate.py",
                       "cases": manifest}, indent=1, ensure_ascii=True) + "\n"
    files_dir = HERE / "files"
    if args.write:
        files_dir.mkdir(exist_ok=True)
        for old in files_dir.glob("*.npz"):
            if old.name not in files:
                old.unlink()
        for file, data in files.items():
            (files_dir / file).write_bytes(data)
        (HERE / "manifest.json").write_text(text)
        print(f"wrote {len(files)} files and {len(manifest)} cases ({sum(map(len, files.values()))} bytes)")
        return 0
    stale = [f for f, d in files.items() if not (files_dir / f).exists() or (files_dir / f).read_bytes() != d]
    if stale or (HERE / "manifest.json").read_text() != text:
        print(f"stale: {stale[:10]} (manifest {'ok' if (HERE / 'manifest.json').read_text() == text else 'stale'})",
              file=sys.stderr)
        return 1
    print(f"{len(files)} files and {len(manifest)} cases are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
