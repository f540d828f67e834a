"""``python -m rnnport import-torch FILE.pt --out model.npz``: a torch state_dict (one layer, one direction)
to a model file that both languages load. torch is needed to read the ``.pt`` file (``weights_only=True``);
the conversion is :mod:`rnnport.torch`. Errors: one line, exit status 2 (:func:`rnnport.cli.main.main`)."""
from __future__ import annotations

import argparse

from rnnport.cli import option_rules


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """FILE, ``--out`` (default model.npz), ``--cell`` (a check: the shapes decide), ``--nonlinearity`` (RNN)."""
    parser.add_argument("file", help="a .pt file holding a state_dict (torch.save(module.state_dict(), FILE))")
    parser.add_argument("--out", default="model.npz", help="model file to write (default model.npz)")
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], default=None,
                        help="the expected cell; refused if the shapes say otherwise")
    parser.add_argument("--nonlinearity", choices=["tanh", "relu"], default="tanh",
                        help="an RNN's nonlinearity, which a state_dict does not hold (default tanh)")


def run(args: argparse.Namespace) -> int:
    """Check the paths, read the state_dict, convert, say what was found, write the model file atomically."""
    from rnnport.io import model_file
    from rnnport.torch import cell_from_state_dict, infer_cell, load_state_dict

    option_rules.input_file(args.file, "torch file")
    option_rules.output_file(args.out, "--out")
    state = load_state_dict(args.file)
    cell, inputs, hidden = infer_cell(state)
    # one layer, one direction: a single cell, model file v2 (stacks: version 3, docs/stacks.md)
    model = cell_from_state_dict(state, args.cell, nonlinearity=args.nonlinearity)
    biases = "bias_ih_l0 + bias_hh_l0 → b_h" if cell == "rnn" else "bias_ih_l0, bias_hh_l0"
    found = f"{cell}{f' ({args.nonlinearity})' if cell == 'rnn' else ''}, I = {inputs}, H = {hidden}, " \
            f"biases: {biases if 'bias_ih_l0' in state else 'none'}, output layer: identity (O = H)"
    print(f"found in {args.file}: {found}")
    model_file.save(args.out, model, hyperparameters={"source": "torch state_dict"})
    print(f"wrote {args.out}")
    return 0
