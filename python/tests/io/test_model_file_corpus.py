"""The NumPy reader on every file of the conformance corpus gives the verdict the specification implies.

The manifest's verdicts were written from ``docs/model-file.md`` by hand (``generate.py``), never by
running a reader; the C# reader runs the same manifest (``ModelFileCorpusTests``) and the parity test
compares the two readers file by file.
"""
from __future__ import annotations

import collections
import sys

import pytest

from rnnport import modelfile
from rnnport.verify import model_file_corpus

CASES = model_file_corpus.cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_reader_gives_the_manifest_verdict(case, tmp_path):
    """Accepted files load; refused files raise ModelFileError naming the manifest's rule, nothing else escapes."""
    path = model_file_corpus.materialize(case, tmp_path)
    verdict, detail = model_file_corpus.verdict(modelfile.load, path)
    assert verdict == case["verdict"], f"{case['name']} ({case['rule']}: {case['why']}): {detail}"
    if verdict == "refuse":
        assert "\n" not in detail, "a model-file error is one line"
        assert detail.endswith(f"[{case['rule']}]"), f"{case['name']} was refused by another rule: {detail}"


def test_every_reader_rule_of_the_spec_has_a_corpus_file():
    """Spec and corpus cannot drift: each rule id of docs/model-file.md (sections F Z N M V D) has a case, and
    each case names a rule the spec defines."""
    rules = model_file_corpus.spec_rules()
    covered = collections.Counter(c["rule"] for c in CASES)
    assert len(rules) >= 25
    assert [r for r in rules if not covered[r]] == []
    assert sorted(set(covered) - set(rules)) == []


def test_corpus_is_large_and_mixed():
    """At least 150 cases, both verdicts, each file small enough to commit."""
    verdicts = collections.Counter(c["verdict"] for c in CASES)
    assert len(CASES) >= 150 and verdicts["accept"] >= 20 and verdicts["refuse"] >= 130
    sizes = [(model_file_corpus.CORPUS / "files" / c["file"]).stat().st_size for c in CASES if "file" in c]
    assert max(sizes) < 200_000


def test_the_rule_check_can_fail(monkeypatch):
    """Negative control: a spec with a rule no case exercises is caught."""
    real = model_file_corpus.spec_rules
    monkeypatch.setattr(model_file_corpus, "spec_rules", lambda: real() + ["Z99"])
    with pytest.raises(AssertionError):
        test_every_reader_rule_of_the_spec_has_a_corpus_file()


def test_a_lenient_reader_fails_the_corpus(monkeypatch, tmp_path):
    """Negative control: a reader that skips the depth rule (D4) no longer gives the manifest's verdicts."""
    from rnnport.io import model_metadata

    monkeypatch.setattr(model_metadata, "MAX_JSON_DEPTH", 10 ** 6)
    wrong = set()
    for case in CASES:
        try:
            verdict, _ = model_file_corpus.verdict(modelfile.load, model_file_corpus.materialize(case, tmp_path))
        except RecursionError:  # what Python's json does with 100,000 brackets
            verdict = "crashed"
        if verdict != case["verdict"]:
            wrong.add(case["name"])
    assert {"D4-depth-33", "D4-depth-100000"} <= wrong


def test_a_reader_without_the_stack_bias_rule_fails_the_corpus(monkeypatch, tmp_path):
    """Negative control for version 3: a reader that forgets M6 (biases all or none) gives other verdicts or rules."""
    from rnnport.io import model_stack

    monkeypatch.setattr(model_stack.StackLayout, "biases", property(lambda self: ()))
    wrong = set()
    for case in CASES:
        if case["rule"] == "M6":
            try:
                verdict, detail = model_file_corpus.verdict(modelfile.load, model_file_corpus.materialize(case, tmp_path))
            except ValueError as error:  # the stack's own refusal escapes: not the model-file error
                verdict, detail = "escaped", str(error)
            if verdict != case["verdict"] or (verdict == "refuse" and not detail.endswith("[M6]")):
                wrong.add(case["name"])
    assert {"M6-stack-layer-1-biases-missing", "M6-stack-bias-ih-only"} <= wrong


def test_corpus_files_are_what_the_generator_writes(capsys, monkeypatch):
    """The committed files and manifest are exactly what generate.py produces (no hand edits, no drift)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("model_files_generate", model_file_corpus.CORPUS / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "model_files_generate", generate)  # dataclasses look their module up
    spec.loader.exec_module(generate)
    assert generate.main([]) == 0, capsys.readouterr().err


def test_spec_limits_are_the_readers_constants():
    """The limits table of docs/model-file.md holds the values the NumPy reader uses (the C# reader is
    held to them by the corpus's boundary cases: depth 32/33, metadata 1 MiB/+1, header 10,000/10,001…)."""
    import re

    from rnnport.io import model_metadata
    from rnnport.io import npz_archive

    table = dict(re.findall(r"^\| `([A-Z_]+)` \| ([\d,]+) \|", model_file_corpus.SPEC.read_text(), re.M))
    actual = {name: getattr(npz_archive, name, None) or getattr(model_metadata, name) for name in table}
    assert {k: int(v.replace(",", "")) for k, v in table.items()} == actual and len(table) == 9
