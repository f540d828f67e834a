"""Code excerpts in docs/ and the READMEs (the repository's and the NuGet packages') are real: each block
tagged with a path occurs verbatim in that file.

A block opens with e.g. ```python path=python/rnnport/cells/rnn_bptt.py or ```csharp path=dotnet/src/RnnPort/Cells/Bptt.cs;
its lines, stripped of indentation, must appear as one contiguous run of lines of the named file.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"^```(\w+) path=(\S+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md", *sorted((ROOT / "dotnet" / "src").glob("*/README.md"))]
GUIDE = ROOT / "dotnet" / "tests" / "Consumer" / "Guide"


def excerpts():
    for doc in DOCS:
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


def guide_quotes(text: str, name: str) -> set[str]:
    """The Guide/ files the C# blocks of ``text`` quote; fails on a C# block that quotes none."""
    blocks = re.findall(r"^```csharp(.*)$", text, re.MULTILINE)
    assert blocks, f"{name} has no C# snippet"
    paths = {info.strip().removeprefix("path=") for info in blocks}
    for path in paths:
        assert path.startswith("dotnet/tests/Consumer/Guide/"), f"{name}: C# block not from the guide: {path!r}"
    return paths


def test_every_csharp_snippet_of_the_guide_is_compiled_and_run():
    """docs/csharp.md and the package README show C# only as quotes of the consumer's Guide/ files, which
    make test-package compiles against the package and runs (package_tests/test_csharp_guide.py); and
    every Guide/ file is quoted, so a snippet cannot be run without being shown or shown without being run."""
    quoted = set()
    for doc in (ROOT / "docs" / "csharp.md", ROOT / "dotnet" / "src" / "RnnPort" / "README.md"):
        quoted |= guide_quotes(doc.read_text(encoding="utf-8"), doc.name)
    assert quoted == {f"dotnet/tests/Consumer/Guide/{f.name}" for f in GUIDE.glob("*.cs")}


@pytest.mark.parametrize("info", ["", " path=dotnet/tests/RnnPort.Tests/Cells/ReadmeExampleTests.cs"])
def test_negative_control_a_csharp_block_outside_the_guide_is_refused(info):
    with pytest.raises(AssertionError, match="not from the guide"):
        guide_quotes(f"```csharp{info}\nvar x = 1;\n```\n", "doc")
