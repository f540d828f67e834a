"""The bridge's save fails as NumPy's does: AtomicWriteError (python/tests/test_atomic.py, AtomicFileTests)."""
from __future__ import annotations

import pytest

from rnnport import dotnet, modelfile
from rnnport.io.atomic import AtomicWriteError
from rnnport.verify.cases import make_case


def test_the_bridge_save_fails_as_the_numpy_save_does(tmp_path):
    """Into a missing directory: AtomicWriteError from both, not the reader's ModelFileError, nothing written."""
    case = make_case(3, 4, 3, 1, seed=1)
    with pytest.raises(AtomicWriteError, match="no such directory") as numpy_error:
        modelfile.save(tmp_path / "missing" / "m.npz", case.numpy_model())
    with pytest.raises(AtomicWriteError, match="no such directory") as bridge_error:
        dotnet.save(tmp_path / "missing" / "m.npz", dotnet.DotNetRNN(*case.weights()))
    assert not isinstance(bridge_error.value, modelfile.ModelFileError) and numpy_error.type is bridge_error.type
    assert list(tmp_path.iterdir()) == []


def test_negative_control_without_the_translation_it_is_a_plain_os_error(tmp_path, monkeypatch):
    """With AtomicWriteException left to the IOException rule, the same save is a plain OSError."""
    net = dotnet.load()
    monkeypatch.setattr(net, "AtomicWriteException", net.System.ArgumentOutOfRangeException)  # matches nothing here
    with pytest.raises(OSError) as raised:
        dotnet.save(tmp_path / "missing" / "m.npz", dotnet.DotNetRNN(*make_case(3, 4, 3, 1, seed=1).weights()))
    assert not isinstance(raised.value, AtomicWriteError)
