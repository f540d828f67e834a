"""Write or check the golden vectors: ``dotnet/pyhost parity_tests/vectors/generate.py [--write]``.

For every behaviour in ``rnnport.verify.golden_vectors.BEHAVIOURS`` and every seeded case, compute the expected
values twice, with the NumPy model in exact mode and with the C# model through the bridge, and
require them to be bit-identical. With ``--write`` the files are (re)written; without it, the
stored files are compared with the fresh values and nothing is written. Exit status 1 when the two
sides disagree or (without ``--write``) a file is stale.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from rnnport import dotnet
from rnnport.verify import golden_vectors as golden
from rnnport.verify.ulp import bit_identical

HERE = Path(__file__).resolve().parent


def dotnet_side() -> SimpleNamespace:
    """The C# implementation of every behaviour, through the bridge."""
    return SimpleNamespace(RNN=dotnet.DotNetRNN, bptt=dotnet.bptt, clip_elementwise=dotnet.clip_elementwise,
                           clip_global_norm=dotnet.clip_global_norm, SGD=dotnet.SGD, Adagrad=dotnet.Adagrad,
                           sample=dotnet.sample)


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
    numpy, csharp = golden.numpy_side("exact"), dotnet_side()
    status = 0
    for behaviour in golden.BEHAVIOURS:
        content = {"behaviour": behaviour, "cases": []}
        for case in golden.cases(behaviour):
            expected = golden.RUNNERS[behaviour](numpy, case["inputs"])
            from_csharp = golden.RUNNERS[behaviour](csharp, case["inputs"])
            if not same(expected, from_csharp):
                print(f"{behaviour}/{case['name']}: NumPy (exact) and C# disagree; not written", file=sys.stderr)
                status = 1
            content["cases"].append({**case, "expected": expected})
        path = HERE / f"{behaviour}.json"
        if args.write:
            golden.write(path, content)
            print(f"wrote {path.name}")
        elif not path.exists() or json.loads(path.read_text()) != json.loads(json.dumps(golden.encode(content))):
            print(f"{path.name} is stale: rerun with --write", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
