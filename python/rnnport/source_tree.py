"""Where this package runs from: the repository's ``python/`` folder (a source checkout) or an install.

Two things depend on it: the version (:func:`version`) and where the bridge looks for the .NET
assemblies (:mod:`rnnport.dotnet.runtime`). A source checkout is recognised by its layout, never by
the current directory, so an installed wheel imported from anywhere is never taken for one.
"""
from __future__ import annotations

from importlib import metadata
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def root() -> Path | None:
    """The repository holding this package, or None for an installed package.

    It is the repository when the package is ``<root>/python/rnnport`` and ``<root>`` has the files
    that build it (``pyproject.toml``, ``version.txt``).
    """
    candidate = _PACKAGE.parent.parent
    if _PACKAGE.parent.name != "python" or not (candidate / "pyproject.toml").is_file() \
            or not (candidate / "version.txt").is_file():
        return None
    return candidate


def version() -> str:
    """The one version of both languages: ``version.txt`` in a source checkout, else the installed
    distribution's metadata, which the build took from the same file (pyproject.toml, ``dynamic``).

    The checkout comes first so that an older rnnport installed elsewhere cannot mislabel the source.
    """
    repository = root()
    if repository is not None:
        return (repository / "version.txt").read_text(encoding="utf-8").strip()
    return metadata.version("rnnport")
