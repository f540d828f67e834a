"""``python -m rnnport forward --model M.npz --inputs xs.npy --out ys.npy``: run a model file (any cell, or a
stack: version 3) over one sequence on the exact kernels, so that the result is the C# one bit for bit
(``rnnport-cli forward`` is the twin). xs: float64 (T, I); ys: float64 (T, O), written atomically.
Every path is checked before any work; errors are one line, exit status 2 (:func:`rnnport.cli.main.main`).
"""
from __future__ import annotations

import argparse
import io
from typing import Any

import numpy as np

from rnnport.cli import option_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--model``, ``--inputs`` and ``--out``, all required."""
    parser.add_argument("--model", required=True, help="a model file (.npz): a cell or a stack")
    parser.add_argument("--inputs", required=True, help="a float64 .npy file of shape (T, I)")
    parser.add_argument("--out", required=True, help="the .npy file to write: float64 (T, O)")


def exact_twin(model: Any) -> Any:
    """The same model on the exact kernels (docs/exact-mode.md): what C# computes, bit for bit."""
    from rnnport.cells.stack import RecurrentStack
    from rnnport.verify.cell_registry import spec_of

    if isinstance(model, RecurrentStack):
        layers = {name: value for name, value in model.parameters().items() if name not in ("W_hy", "b_y")}
        return RecurrentStack(model.cell, layers, num_layers=model.num_layers, bidirectional=model.bidirectional,
                              nonlinearity=model.nonlinearity, W_hy=model.W_hy, b_y=model.b_y, h0=model.h0, c0=model.c0,
                              kernel="exact")
    spec = spec_of(model)
    return spec.numpy_model(spec.arguments(model), "exact")


def run(args: argparse.Namespace) -> int:
    """Check the paths, load the model and the inputs, run forward, write ys atomically."""
    from rnnport.cli.verify import UsageError, _load_inputs
    from rnnport.io import model_file
    from rnnport.io.atomic import atomic_write

    option_rules.output_file(args.out, "--out")
    option_rules.input_file(args.model, "model file")
    model = exact_twin(model_file.load(args.model).model)
    try:
        xs = _load_inputs(args.inputs)
    except UsageError as error:  # verify's own error type: here the one-line ValueError of every command
        raise ValueError(str(error)) from None
    if xs.shape[1] != model.input_size:
        raise ValueError(f"inputs {args.inputs} must be float64 of shape (T, {model.input_size}), got shape {xs.shape}")
    ys = model.forward(xs)[0]
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(ys, dtype="<f8"), allow_pickle=False)
    with atomic_write(args.out) as stream:
        stream.write(buffer.getvalue())
    print(f"wrote {args.out}: outputs ({ys.shape[0]}, {ys.shape[1]})")
    return 0
