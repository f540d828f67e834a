"""Where rnnport.dotnet looks for the assemblies (rnnport.dotnet.runtime's docstring), without .NET:
sys.path, then $RNNPORT_DOTNET_DIR, then a source checkout's build; none found is one ImportError line."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rnnport.dotnet import runtime


def folder_with_bridge(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "RnnPort.Bridge.dll").write_bytes(b"")
    return path


@pytest.fixture
def nowhere(monkeypatch):
    """No assemblies anywhere: an empty sys.path, no variable, no checkout build; a fresh load."""
    monkeypatch.setattr(sys, "path", [])
    monkeypatch.delenv("RNNPORT_DOTNET_DIR", raising=False)
    monkeypatch.setattr(runtime, "_source_tree_build", lambda: None)
    monkeypatch.setattr(runtime, "_net", None)


def test_the_search_order(tmp_path, monkeypatch, nowhere):
    on_path = folder_with_bridge(tmp_path / "on_path")
    variable = folder_with_bridge(tmp_path / "variable")
    build = folder_with_bridge(tmp_path / "build")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "empty"), str(on_path)])
    monkeypatch.setenv("RNNPORT_DOTNET_DIR", str(variable))
    monkeypatch.setattr(runtime, "_source_tree_build", lambda: build)
    assert runtime._assembly_dirs() == [str(on_path), str(variable), str(build)]


def test_a_folder_without_the_bridge_is_skipped(tmp_path, monkeypatch, nowhere):
    (tmp_path / "RnnPort.dll").write_bytes(b"")  # the library alone is not enough
    monkeypatch.setenv("RNNPORT_DOTNET_DIR", str(tmp_path))
    assert runtime._assembly_dirs() == []


def test_nothing_found_is_one_line_naming_the_fix(nowhere):
    with pytest.raises(ImportError) as error:
        runtime.load()
    message = str(error.value)
    assert "\n" not in message
    assert "RNNPORT_DOTNET_DIR" in message and "dotnet publish dotnet/src/RnnPort.Bridge" in message


def test_the_checkout_build_is_the_hosts_release_folder():
    build = runtime._source_tree_build()
    assert build is not None
    assert build.relative_to(Path(__file__).resolve().parents[3]) == Path("dotnet/src/RnnPort.PythonHost/bin/Release/net10.0")
