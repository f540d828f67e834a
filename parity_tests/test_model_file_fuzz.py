"""Mutation fuzz of the model file: 10,000 deterministic mutations (byte flips, truncations,
insertions, deletions, header edits) of the accepted corpus files; both readers must give the same
verdict on every one: accept with bit-identical contents, or both refuse with the model-file error
by the same rule. ``RNNPORT_FUZZ_FILES=N RNNPORT_FUZZ_SEED=S`` explores more or other mutations.
"""
from __future__ import annotations

import os
import re
import time
import types
import zlib
from pathlib import Path
from typing import Callable

import numpy as np

from rnnport import dotnet, model_file_corpus, modelfile, npz_archive

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


def run(files: int, seed: int, tmp: Path, numpy_load: Callable = modelfile.load) -> dict:
    """Mutate and write ``files`` files, load each with both readers (C# in one batch); the disagreements
    (at most 20) and the verdict counts. Accepted files are compared bit for bit through the bridge."""
    dotnet.load()
    from RnnPort.Bridge import ModelFileVerdicts  # after dotnet.load(); one crossing for all files

    rng = np.random.default_rng(seed)
    originals = seeds()
    paths = []
    for i in range(files):
        data = originals[int(rng.integers(0, len(originals)))]
        for _ in range(int(rng.integers(1, 4))):
            data = mutate(data, rng) if data else data
        paths.append(tmp / f"mutant-{i:05d}.npz")
        paths[-1].write_bytes(data)
    csharp_all = list(ModelFileVerdicts.Load([str(p) for p in paths]))
    counts = {"accept": 0, "refuse": 0}
    disagreements = []
    for i, (path, csharp) in enumerate(zip(paths, csharp_all)):
        numpy = model_file_corpus.verdict(numpy_load, path)
        counts[numpy[0]] += 1
        if numpy[0] == "refuse":
            same = csharp.startswith("refuse: ") and rule_of(numpy[1]) == rule_of(csharp)
        else:
            same = csharp == "accept" and numpy[1] == model_file_corpus.verdict(dotnet.load_model, path)[1]
        if not same and len(disagreements) < 20:
            disagreements.append((i, numpy[0], str(numpy[1])[:200], csharp[:200]))
    return {"counts": counts, "disagreements": disagreements}


def test_ten_thousand_mutations_agree(tmp_path):
    """Every mutated file: the same verdict (and rule, or contents) from both readers; nothing else escapes."""
    start = time.perf_counter()
    result = run(FILES, SEED, tmp_path)
    print(f"\nmodel-file fuzz: {FILES} files, seed {SEED}: {result['counts']}, "
          f"{len(result['disagreements'])} disagreements, {time.perf_counter() - start:.1f} s")
    assert result["disagreements"] == []
    assert result["counts"]["accept"] > 0 and result["counts"]["refuse"] > 0


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
