"""Starting .NET and finding the RnnPort assemblies: the bridge's one bootstrap, :func:`load`.

Inside the .NET host (``dotnet/pyhost``), ``clr`` is already loaded and is used as it is. Elsewhere,
a user who installed pythonnet from PyPI gets ``pythonnet.load("coreclr")``. The assemblies
(``RnnPort.dll``, ``RnnPort.Bridge.dll`` and MathNet.Numerics beside them) are looked up, in order:

1. on ``sys.path`` (the host appends its own folder there);
2. in ``$RNNPORT_DOTNET_DIR``, e.g. the folder ``dotnet publish dotnet/src/RnnPort.Bridge -c Release -p:PublishDir=DIR/`` fills;
3. in a source checkout only (this package imported from the repository's ``python/`` folder): the
   Release build of the host, ``dotnet/src/RnnPort.PythonHost/bin/Release/net10.0``.

An installed wheel ships no assemblies, so outside the host it needs step 2; when none of these
holds them, :func:`load` raises one ``ImportError`` line saying so.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

from rnnport import source_tree

_ASSEMBLIES = ("RnnPort", "RnnPort.Bridge")
_net: SimpleNamespace | None = None


_MISSING = ("cannot find RnnPort.Bridge.dll on sys.path, in $RNNPORT_DOTNET_DIR or in a source checkout's build: "
            "set RNNPORT_DOTNET_DIR to the folder `dotnet publish dotnet/src/RnnPort.Bridge -c Release -p:PublishDir=DIR/` fills, "
            "or run inside the .NET host (dotnet/pyhost)")


def _source_tree_build() -> Path | None:
    """The host's Release folder in a source checkout, else None (an installed package)."""
    repo = source_tree.root()
    return None if repo is None else repo / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0"


def _assembly_dirs() -> list[str]:
    """The folders holding ``RnnPort.Bridge.dll``, in the module docstring's search order."""
    source = _source_tree_build()
    candidates = [*sys.path, os.environ.get("RNNPORT_DOTNET_DIR", ""), str(source) if source else ""]
    found: list[str] = []
    for directory in candidates:
        if directory and directory not in found and Path(directory, "RnnPort.Bridge.dll").is_file():
            found.append(directory)
    return found


def load() -> SimpleNamespace:
    """Load .NET and the RnnPort assemblies once; return the .NET names the bridge uses.

    Raises
    ------
    ImportError
        The assemblies are not found (one line naming the search order), or pythonnet is neither
        loaded (the host) nor installed.
    """
    global _net  # a per-process cache of the loaded runtime, which is itself per-process
    if _net is not None:
        return _net
    directories = _assembly_dirs()
    if not directories:
        raise ImportError(_MISSING)
    if "clr" not in sys.modules:  # not inside the .NET host: start CoreCLR through PyPI's pythonnet
        try:
            import pythonnet
        except ImportError as error:
            raise ImportError("rnnport.dotnet needs pythonnet: run inside the .NET host (dotnet/pyhost) "
                              "or `pip install pythonnet`") from error
        pythonnet.load("coreclr")
    import clr

    for directory in directories:
        if directory not in sys.path:
            sys.path.append(directory)
    try:
        for name in _ASSEMBLIES:
            clr.AddReference(name)
        clr.AddReference("System.Text.Json")  # JsonNode, for the model file's hyper-parameters
    except Exception as error:  # System.IO.FileNotFoundException
        raise ImportError(f"cannot load {name}.dll: build it with `make build` or set RNNPORT_DOTNET_DIR "
                          f"({error})") from None

    import System
    import System.IO
    from System.Text.Json.Nodes import JsonNode
    import RnnPort
    from RnnPort.Bridge import ArrayTransfer, BatchTransfer, Construct, StepBuffers, StepTiming

    _net = SimpleNamespace(System=System, JsonNode=JsonNode, ArrayTransfer=ArrayTransfer, BatchTransfer=BatchTransfer, StepTiming=StepTiming,
                           StepBuffers=StepBuffers,
                           Construct=Construct,
                           **{name: getattr(RnnPort, name) for name in (
                               "RNN", "ActivationFunctions", "Bptt", "Sgd", "Adagrad", "Sampler",
                               "Vocabulary", "ModelFile", "ShapeMismatchException", "NonFiniteValueException",
                               "ModelFileException", "AtomicWriteException")})
    return _net
