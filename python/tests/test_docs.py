"""Code excerpts in docs/ and the README are real: each block tagged with a path occurs verbatim in that file.

A block opens with e.g. ```python path=python/rnnport/cells/rnn_bptt.py or ```csharp path=dotnet/src/RnnPort/Cells/Bptt.cs;
its lines, stripped of indentation, must appear as one contiguous run of lines of the named file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(\w+) path=(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def excerpts():
    for doc in [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]:
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            yield pytest.param(match.group(2), match.group(3), id=f"{doc.name}:{match.group(2)}:{match.start()}")


def stripped_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("path, block", list(excerpts()))
def test_excerpt_is_in_the_source(path, block):
    """The excerpt's lines occur, in order and contiguously, in the source file it names."""
    source = stripped_lines((ROOT / path).read_text(encoding="utf-8"))
    wanted = stripped_lines(block)
    assert wanted, "empty excerpt"
    starts = [i for i, line in enumerate(source) if line == wanted[0]]
    assert any(source[i:i + len(wanted)] == wanted for i in starts), f"excerpt not found in {path}:\n{block}"


def test_docs_have_excerpts():
    """The porting guide quotes both languages (guards against a silently empty parametrisation)."""
    languages = {p.values[0].split("/")[0] for p in excerpts()}
    assert {"python", "dotnet"} <= languages
    assert any(p.id.startswith("README.md:") for p in excerpts()), "the README's examples are not checked"
