"""Both readers on every file of the conformance corpus (``parity_tests/model_files/``): the same
verdict, refused by the same rule of ``docs/model-file.md``, and for accepted files bit-identical
contents (weights as raw 64-bit patterns, vocabulary, activation, hyper-parameters)."""
from __future__ import annotations

import re

import pytest

from rnnport import dotnet, modelfile
from rnnport.verify import model_file_corpus

CASES = model_file_corpus.cases()


def rule_of(message: str) -> str | None:
    found = re.findall(r"\[([A-Z]\d+)\]", message)
    return found[-1] if found else None


def compare(path) -> tuple[tuple[str, object], tuple[str, object]]:
    return model_file_corpus.verdict(modelfile.load, path), model_file_corpus.verdict(dotnet.load_model, path)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_both_readers_agree(case, tmp_path):
    """Same verdict as the manifest on both sides; same rule; accepted contents identical bit for bit."""
    path = model_file_corpus.materialize(case, tmp_path)
    (numpy_verdict, numpy_detail), (csharp_verdict, csharp_detail) = compare(path)
    assert (numpy_verdict, csharp_verdict) == (case["verdict"], case["verdict"]), (numpy_detail, csharp_detail)
    if numpy_verdict == "accept":
        assert numpy_detail == csharp_detail
    else:
        assert rule_of(numpy_detail) == rule_of(csharp_detail) == case["rule"], (numpy_detail, csharp_detail)


def test_contents_comparison_can_fail(tmp_path):
    """Negative control: a file that differs from the corpus file in one weight bit gives another fingerprint."""
    from rnnport.training.vocabulary import Vocabulary

    path = model_file_corpus.materialize(next(c for c in CASES if c["name"] == "valid-savez"), tmp_path)
    loaded = modelfile.load(path)
    W_hh = loaded.model.W_hh.copy()
    W_hh[0, 0] = W_hh[0, 0] * (1 + 2 ** -52)
    loaded.model.apply_update({"W_hh": W_hh})
    other = tmp_path / "other.npz"
    modelfile.save(other, loaded.model, Vocabulary("abcd"), loaded.hyperparameters)
    assert model_file_corpus.verdict(dotnet.load_model, other) != model_file_corpus.verdict(dotnet.load_model, path)
