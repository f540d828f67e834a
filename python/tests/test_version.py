"""``rnnport.__version__`` is version.txt, the one version of both languages (rnnport.source_tree).

The wheel's side (the installed package reading its metadata) is checked on a real install by
package_tests/test_wheel.py; here the two branches are driven through fake layouts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import rnnport
from rnnport import source_tree

ROOT = Path(__file__).resolve().parents[2]


def test_the_checkout_reports_version_txt():
    assert source_tree.root() == ROOT
    assert rnnport.__version__ == (ROOT / "version.txt").read_text(encoding="utf-8").strip()


def fake_checkout(base: Path, version: str) -> Path:
    (base / "python" / "rnnport").mkdir(parents=True)
    (base / "pyproject.toml").write_text("")
    (base / "version.txt").write_text(version + "\n")
    return base / "python" / "rnnport"


def test_a_checkout_reads_its_own_version_txt(tmp_path, monkeypatch):
    """Negative control for a hard-coded version: another checkout's version.txt is what is read."""
    monkeypatch.setattr(source_tree, "_PACKAGE", fake_checkout(tmp_path, "9.8.7"))
    monkeypatch.setattr(source_tree.metadata, "version", lambda name: pytest.fail("metadata read in a checkout"))
    assert source_tree.root() == tmp_path
    assert source_tree.version() == "9.8.7"


@pytest.mark.parametrize("missing", ["pyproject.toml", "version.txt"])
def test_an_install_reads_the_metadata(tmp_path, monkeypatch, missing):
    """Outside a checkout (site-packages, or a tree without the build files) the metadata is the version."""
    package = fake_checkout(tmp_path, "9.8.7")
    (tmp_path / missing).unlink()
    monkeypatch.setattr(source_tree, "_PACKAGE", package)
    monkeypatch.setattr(source_tree.metadata, "version", lambda name: {"rnnport": "1.2.3"}[name])
    assert source_tree.root() is None
    assert source_tree.version() == "1.2.3"


def test_site_packages_is_not_a_checkout(tmp_path, monkeypatch):
    """A package whose parent folder is not python/ is installed, whatever lies around it."""
    (tmp_path / "site-packages" / "rnnport").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "version.txt").write_text("9.8.7")
    monkeypatch.setattr(source_tree, "_PACKAGE", tmp_path / "site-packages" / "rnnport")
    assert source_tree.root() is None
