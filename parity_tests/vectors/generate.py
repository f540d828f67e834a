"""Write or check the golden vectors: ``dotnet/pyhost parity_tests/vectors/generate.py [--write]``.

For every cell and every behaviour in ``rnnport.verify.golden_vectors.CELL_BEHAVIOURS`` and every seeded
case, compute the expected values twice, with the NumPy model in exact mode and with the C# model
through the bridge, and require them to be bit-identical. With ``--write`` the files are (re)written,
but only when the two sides agree; without it, the stored files are compared with the fresh values and
nothing is written. Exit status 1 when the two sides disagree or (without ``--write``) a file is stale.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from rnnport import dotnet
from rnnport.dotnet import lstm as dotnet_lstm
from rnnport.verify import golden_vectors as golden
from rnnport.verify.ulp import bit_identical

HERE = Path(__file__).resolve().parent


def dotnet_side(cell: str = "rnn") -> SimpleNamespace:
    """The C# implementation of every behaviour of ``cell``, through the bridge."""
    model, bptt, clip = {
        "rnn": (dotnet.DotNetRNN, dotnet.bptt, dotnet),
        "lstm": (dotnet_lstm.DotNetLSTM, dotnet_lstm.bptt, dotnet_lstm),
        "gru": (dotnet.DotNetGRU, dotnet.gru_bptt, dotnet),
    }[cell]
    return SimpleNamespace(model=model, arguments=golden.ARGUMENTS[cell], states=golden.STATES[cell], bptt=bptt,
                           clip_elementwise=clip.clip_elementwise, clip_global_norm=clip.clip_global_norm,
                           SGD=dotnet.SGD, Adagrad=dotnet.Adagrad, sample=dotnet.sample)


def same(a, b) -> bool:
    """Bit-identical, recursively over dicts, lists, arrays and numbers."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bit_identical(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the vector files")
    args = parser.parse_args(argv)
    status = 0
    for cell, behaviours in golden.CELL_BEHAVIOURS.items():
        numpy, csharp = golden.numpy_side("exact", cell), dotnet_side(cell)
        for behaviour in behaviours:
            content = {"behaviour": behaviour, "cases": []}
            if cell != "rnn":
                content["cell"] = cell
            agree = True
            for case in golden.cases(behaviour, cell=cell):
                expected = golden.RUNNERS[behaviour](numpy, case["inputs"])
                from_csharp = golden.RUNNERS[behaviour](csharp, case["inputs"])
                if not same(expected, from_csharp):
                    print(f"{cell} {behaviour}/{case['name']}: NumPy (exact) and C# disagree; not written",
                          file=sys.stderr)
                    status, agree = 1, False
                content["cases"].append({**case, "expected": expected})
            path = HERE / golden.file_name(cell, behaviour)
            if args.write and agree:
                golden.write(path, content)
                print(f"wrote {path.name}")
            elif not args.write and (not path.exists()
                                     or json.loads(path.read_text()) != json.loads(json.dumps(golden.encode(content)))):
                print(f"{path.name} is stale: rerun with --write", file=sys.stderr)
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
