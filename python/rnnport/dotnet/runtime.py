"""Starting .NET and finding the RnnPort assemblies: the bridge's one bootstrap, :func:`load`.

Inside the .NET host (``dotnet/pyhost``), ``clr`` is already loaded and is used as it is. Elsewhere,
a user who installed pythonnet from PyPI gets ``pythonnet.load("coreclr")``. The assemblies are
looked up on ``sys.path``, then in ``$RNNPORT_DOTNET_DIR``, then in this source tree's Release build
of the host.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from types import SimpleNamespace

_ASSEMBLIES = ("RnnPort", "RnnPort.Bridge")
_net: SimpleNamespace | None = None


def _assembly_dirs() -> list[str]:
    repo = Path(__file__).resolve().parents[3]
    candidates = [os.environ.get("RNNPORT_DOTNET_DIR", ""),
                  str(repo / "dotnet/src/RnnPort.PythonHost/bin/Release/net10.0")]
    return [d for d in candidates if d and Path(d, "RnnPort.Bridge.dll").is_file()]


def load() -> SimpleNamespace:
    """Load .NET and the RnnPort assemblies once; return the .NET names the bridge uses.

    Raises
    ------
    ImportError
        pythonnet is neither loaded (the host) nor installed, or the assemblies are not built.
    """
    global _net  # a per-process cache of the loaded runtime, which is itself per-process
    if _net is not None:
        return _net
    if "clr" not in sys.modules:  # not inside the .NET host: start CoreCLR through PyPI's pythonnet
        try:
            import pythonnet
        except ImportError as error:
            raise ImportError("rnnport.dotnet needs pythonnet: run inside the .NET host (dotnet/pyhost) "
                              "or `pip install pythonnet`") from error
        pythonnet.load("coreclr")
    import clr

    for directory in _assembly_dirs():
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
    from RnnPort.Bridge import ArrayTransfer, Construct, StepBuffers, StepTiming

    _net = SimpleNamespace(System=System, JsonNode=JsonNode, ArrayTransfer=ArrayTransfer, StepTiming=StepTiming, StepBuffers=StepBuffers,
                           Construct=Construct,
                           **{name: getattr(RnnPort, name) for name in (
                               "RNN", "ActivationFunctions", "Bptt", "Sgd", "Adagrad", "Sampler",
                               "Vocabulary", "ModelFile", "ShapeMismatchException", "NonFiniteValueException",
                               "ModelFileException", "AtomicWriteException")})
    return _net
