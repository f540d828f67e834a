"""``python -m rnnport import-torch FILE.pt --out model.npz``: a torch RNN/LSTM/GRU state_dict (any
``num_layers``, ``bidirectional``, ``bias``) to a model file of version 3 (docs/model-file.md, section S) that
both languages load, every weight bit for bit (float32 widens exactly). torch is needed to read the ``.pt``
file (``weights_only=True``); the conversion is :func:`rnnport.torch.from_state_dict`. Errors: one line,
exit status 2 (:func:`rnnport.cli.main.main`); nothing is written on an error."""
from __future__ import annotations

import argparse

from rnnport.cli import option_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, ``--out`` (default model.npz), ``--cell`` (a check: the shapes decide), ``--nonlinearity`` (RNN)."""
    parser.add_argument("file", help="a .pt file holding a state_dict (torch.save(module.state_dict(), FILE))")
    parser.add_argument("--out", default="model.npz", help="model file to write (default model.npz)")
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], default=None,
                        help="the expected cell; refused if the shapes say otherwise")
    parser.add_argument("--nonlinearity", choices=["tanh", "relu"], default=None,
                        help="an RNN's nonlinearity, which a state_dict does not hold (default tanh; RNN only)")


def found(shape: object, nonlinearity: str) -> str:
    """The one line saying what the state_dict holds: cell, layers, directions, I, H, biases, output."""
    from rnnport.torch import StackShape

    assert isinstance(shape, StackShape)
    D = 2 if shape.bidirectional else 1
    cell = f"{shape.cell} ({nonlinearity})" if shape.cell == "rnn" else shape.cell
    return (f"{cell}, num_layers = {shape.num_layers}, {'bidirectional' if D == 2 else 'unidirectional'}, "
            f"I = {shape.input_size}, H = {shape.hidden_size}, "
            f"biases: {'bias_ih, bias_hh (every layer and direction)' if shape.bias else 'none'}, "
            f"output layer: none (O = D·H = {D * shape.hidden_size})")


def run(args: argparse.Namespace) -> int:
    """Check the paths, read the state_dict, convert, say what was found, write the version 3 file atomically."""
    from rnnport.io import model_file
    from rnnport.torch import from_state_dict, infer_stack, load_state_dict

    option_rules.input_file(args.file, "torch file")
    option_rules.output_file(args.out, "--out")
    state = load_state_dict(args.file)
    shape = infer_stack(state)
    if args.nonlinearity is not None and shape.cell != "rnn":
        raise ValueError(f"--nonlinearity is an RNN's; {args.file} holds a {shape.cell}, whose nonlinearities are fixed")
    nonlinearity = args.nonlinearity or "tanh"
    stack = from_state_dict(state, args.cell, nonlinearity=nonlinearity)
    print(f"found in {args.file}: {found(shape, nonlinearity)}")
    model_file.save(args.out, stack, hyperparameters={"source": "torch state_dict"})
    print(f"wrote {args.out} (model file version 3)")
    return 0
