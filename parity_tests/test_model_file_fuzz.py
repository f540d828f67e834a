"""Mutation fuzz of the model file: 10,000 deterministic mutations (byte flips, truncations,
insertions, deletions, header edits) of the accepted corpus files, half of the archive's bytes, half
of one entry's bytes (an .npy header, weights, JSON tokens) in a rebuilt, well-formed archive; both readers must give the same
verdict on every one: accept with bit-identical contents, or both refuse with the model-file error
by the same rule. ``RNNPORT_FUZZ_FILES=N RNNPORT_FUZZ_SEED=S`` explores more or other mutations.
"""
from __future__ import annotations

import io
import os
import re
import time
import types
import zipfile
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from rnnport import dotnet, modelfile
from rnnport.io import npz_archive
from rnnport.verify import model_file_corpus

FILES = int(os.environ.get("RNNPORT_FUZZ_FILES", "10000"))
SEED = int(os.environ.get("RNNPORT_FUZZ_SEED", "20261128"))


def seeds() -> list[bytes]:
    """The accepted corpus files of at most 8 KB: the valid layouts both writers and NumPy produce."""
    out = []
    for case in model_file_corpus.cases():
        if case["verdict"] == "accept" and "file" in case:
            data = (model_file_corpus.CORPUS / "files" / case["file"]).read_bytes()
            if len(data) <= 8192:
                out.append(data)
    return out


def headers(data: bytes) -> list[int]:
    """Offsets of zip signatures and .npy magics: where a header edit lands."""
    spots = [m.start() for m in re.finditer(rb"PK\x01\x02|PK\x03\x04|PK\x05\x06|\x93NUMPY", data)]
    return spots or [0]


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One deterministic mutation of ``data``."""
    kind = int(rng.integers(0, 7))
    n = len(data)
    at = int(rng.integers(0, n))
    if kind == 0:    # flip one bit
        return data[:at] + bytes([data[at] ^ (1 << int(rng.integers(0, 8)))]) + data[at + 1:]
    if kind == 1:    # set a byte
        return data[:at] + bytes([int(rng.integers(0, 256))]) + data[at + 1:]
    if kind == 2:    # truncate
        return data[:at]
    if kind == 3:    # insert random bytes
        return data[:at] + bytes(rng.integers(0, 256, int(rng.integers(1, 9))).astype(np.uint8)) + data[at:]
    if kind == 4:    # delete a range
        return data[:at] + data[at + int(rng.integers(1, 17)):]
    # header edits: a byte or 16-bit field near a zip signature or an .npy magic
    spot = int(rng.choice(headers(data))) + int(rng.integers(0, 48 if kind == 5 else 128))
    spot = min(spot, n - 1)
    if kind == 5:
        value = int(rng.choice([0, 1, 0xFF, 0x7F, 0x80, int(rng.integers(0, 256))]))
        return data[:spot] + bytes([value]) + data[spot + 1:]
    # a digit, quote or keyword of an .npy header replaced
    replacement = bytes([int(rng.choice(list(b"0123456789()',:{} TrueFalse<>|if8u1")))])
    return data[:spot] + replacement + data[spot + 1:]


def rule_of(message: str) -> list[str]:
    return re.findall(r"\[([A-Z]\d+)\]", message)[-1:]


JSON_TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"0", b"-", b"1e400", b"NaN", b"Infinity", b"null", b"true",
               b"\\ud800", b"\\udc00", b'"a": 1, "a": 2', b" ", b"\xff", b"\xc3", b"1.0", b'"relu"', b'"version": 1, ',
               b'"lstm"', b'"gru"', b'"rnn"', b'"cell": "rnn", ', b'"version": 2, ', b"2", b'"version": 3, ',
               b'"num_layers": 2, ', b'"bidirectional": true, ', b"false", b"64", b"65", b"_reverse"]


def entries(archive: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        return [(info.filename, source.read(info)) for info in source.infolist()]


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def mutate_array(name: str, content: bytes, rng: np.random.Generator) -> bytes | None:
    """A meaningful edit of one valid entry, re-encoded as a valid .npy: JSON tokens in the metadata,
    odd code points in the vocabulary, non-finite values, other shapes or dtypes in the weights; None
    drops the entry."""
    array = np.load(io.BytesIO(content), allow_pickle=False)
    choice = rng.random()
    if choice < 0.05:
        return None
    if name == "metadata.npy":
        text = array.tobytes()
        at = int(rng.integers(0, len(text) + 1))
        token = JSON_TOKENS[int(rng.integers(0, len(JSON_TOKENS)))]
        return npy_bytes(np.frombuffer(text[:at] + token + text[at + int(rng.integers(0, 3)):], dtype=np.uint8))
    if choice < 0.15:
        with np.errstate(invalid="ignore", over="ignore"):
            return npy_bytes(array.astype(rng.choice(["<f4", "<i4", "<f8", "|u1", "<i8"])))
    if choice < 0.3 and array.size:
        return npy_bytes(array.reshape(-1) if array.ndim == 2 else array.reshape(1, -1))
    if choice < 0.5 and array.size:
        axis = int(rng.integers(0, array.ndim))
        return npy_bytes(np.delete(array, int(rng.integers(0, array.shape[axis])), axis=axis))
    array = array.copy()
    if array.size:
        flat = array.reshape(-1)
        at = int(rng.integers(0, flat.size))
        if name == "vocabulary.npy":
            flat[at] = int(rng.choice([0xD800, 0xDFFF, -1, 0x110000, int(flat[(at + 1) % flat.size]), 0x10FFFF, 65]))
        else:
            flat[at] = rng.choice([np.nan, np.inf, -np.inf, -0.0, 5e-324, 1e308])
    return npy_bytes(array)


def mutate_entry(archive: list[tuple[str, bytes]], rng: np.random.Generator) -> bytes:
    """One entry mutated, the archive rebuilt with true CRCs and sizes: reaches sections N, M, V, D."""
    index = int(rng.integers(0, len(archive)))
    name, content = archive[index]
    edited: bytes | None = mutate_array(name, content, rng) if rng.random() < 0.6 else mutate(content, rng)
    buffer = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if rng.random() < 0.3 else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression) as target:
        for i, (other, data) in enumerate(archive):
            if i != index:
                target.writestr(other, data)
            elif edited is not None:
                target.writestr(other, edited)
    return buffer.getvalue()


def run(files: int, seed: int, tmp: Path, numpy_load: Callable = modelfile.load) -> dict:
    """Mutate and write ``files`` files, load each with both readers (C# in one batch); the disagreements
    (at most 20) and the verdict counts. Accepted files are compared bit for bit through the bridge."""
    dotnet.load()
    from RnnPort.Bridge import ModelFileVerdicts  # after dotnet.load(); one crossing for all files

    rng = np.random.default_rng(seed)
    originals = seeds()
    unpacked = [entries(data) for data in originals]
    paths = []
    for i in range(files):
        which = int(rng.integers(0, len(originals)))
        if rng.random() < 0.5:   # the archive's bytes
            data = originals[which]
            for _ in range(int(rng.integers(1, 4))):
                data = mutate(data, rng) if data else data
        else:                    # an entry's bytes, in a well-formed archive
            data = mutate_entry(unpacked[which], rng)
        paths.append(tmp / f"mutant-{i:05d}.npz")
        paths[-1].write_bytes(data)
    csharp_all = list(ModelFileVerdicts.Load([str(p) for p in paths]))
    counts = {"accept": 0, "refuse": 0}
    rules: dict[str, int] = {}
    disagreements = []
    for i, (path, csharp) in enumerate(zip(paths, csharp_all)):
        numpy = model_file_corpus.verdict(numpy_load, path)
        counts[numpy[0]] += 1
        for rule in rule_of(numpy[1]) if numpy[0] == "refuse" else []:
            rules[rule] = rules.get(rule, 0) + 1
        if numpy[0] == "refuse":
            same = csharp.startswith("refuse: ") and rule_of(numpy[1]) == rule_of(csharp)
        else:
            same = csharp == "accept" and numpy[1] == model_file_corpus.verdict(dotnet.load_model, path)[1]
        if not same and len(disagreements) < 20:
            disagreements.append((i, numpy[0], str(numpy[1])[:200], csharp[:200]))
    return {"counts": counts, "rules": dict(sorted(rules.items())), "disagreements": disagreements}


def test_ten_thousand_mutations_agree(tmp_path):
    """Every mutated file: the same verdict (and rule, or contents) from both readers; nothing else escapes."""
    start = time.perf_counter()
    result = run(FILES, SEED, tmp_path)
    print(f"\nmodel-file fuzz: {FILES} files, seed {SEED}: {result['counts']}, "
          f"{len(result['disagreements'])} disagreements, {time.perf_counter() - start:.1f} s\nrefusals by rule: {result['rules']}")
    assert result["disagreements"] == []
    assert result["counts"]["accept"] > 0 and result["counts"]["refuse"] > 0
    assert len(result["rules"]) >= 20, "the mutations reach most rules"


def test_agreement_check_fails_when_one_reader_skips_a_rule(tmp_path, monkeypatch):
    """Negative control: a NumPy reader that skips the CRC check (Z9) disagrees with C# within 1,000 mutations."""
    class MatchesAnything(int):
        def __ne__(self, other: object) -> bool:
            return False

    lenient_zlib = types.SimpleNamespace(crc32=lambda data: MatchesAnything(0), decompressobj=zlib.decompressobj,
                                         error=zlib.error)
    monkeypatch.setattr(npz_archive, "zlib", lenient_zlib)
    result = run(1000, SEED, tmp_path)
    assert result["disagreements"], "a reader without the CRC rule must disagree somewhere"
    assert any(n == "accept" and c.startswith("refuse") for _, n, _, c in result["disagreements"])
