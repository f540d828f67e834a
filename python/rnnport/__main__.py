"""``python -m rnnport COMMAND``: the project's command line.

- ``verify`` compares the NumPy and C# models step by step; it needs .NET, so run it inside the
  host (``dotnet/pyhost -m rnnport verify``) or with pythonnet from PyPI.
- ``corpus``, ``train`` and ``sample`` are NumPy-only: the character-model demo.

Bad arguments and unreadable files give a one-line error and exit status 2.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn, Sequence

import numpy as np

from rnnport import verify


def _train(args: argparse.Namespace) -> int:
    from rnnport import modelfile
    from rnnport.train import TrainConfig, plot_losses, train

    text = Path(args.textfile).read_text(encoding="utf-8")
    config = TrainConfig(hidden_size=args.hidden, seq_length=args.seq_length, learning_rate=args.learning_rate,
                         steps=args.steps, clip=args.clip, clip_norm=args.clip_norm, optimizer=args.optimizer,
                         seed=args.seed, sample_every=args.sample_every)
    result = train(text, config, progress=not args.quiet, report=lambda line: print(line, flush=True))
    modelfile.save(args.out, result.model, result.vocabulary, result.hyperparameters())
    first, last = np.mean(result.losses[:100]), np.mean(result.losses[-100:])
    print(f"loss per chunk: first 100 steps {first:.3f}, last 100 steps {last:.3f}; saved {args.out}")
    if args.plot:
        plot_losses(result, args.plot)
        print(f"loss curve: {args.plot}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from rnnport import modelfile
    from rnnport.sampling import sample

    loaded = modelfile.load(args.model)
    if loaded.vocabulary is None:
        raise ValueError(f"{args.model} has no vocabulary: it is not a character model")
    vocabulary = loaded.vocabulary
    start = args.start if args.start is not None else vocabulary.chars[0]
    if len(start) != 1:
        raise ValueError(f"--start takes one character, got {start!r}")
    seed_index = int(vocabulary.encode(start)[0])
    uniforms = np.random.default_rng(args.seed).random(args.length)
    print(start + vocabulary.decode(sample(loaded.model, seed_index, uniforms, args.temperature)))
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from rnnport.corpus import generate

    Path(args.out).write_text(generate(args.characters, args.seed), encoding="utf-8")
    print(f"wrote {args.characters}+ characters of generated sentences to {args.out}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m rnnport")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    verify.add_arguments(commands.add_parser("verify", help="compare the NumPy and C# models step by step"))

    train = commands.add_parser("train", help="train a character-level model on a text file")
    train.add_argument("textfile")
    train.add_argument("--steps", type=int, default=2000)
    train.add_argument("--hidden", type=int, default=64)
    train.add_argument("--seq-length", type=int, default=25)
    train.add_argument("--learning-rate", type=float, default=0.1)
    train.add_argument("--optimizer", choices=("adagrad", "sgd"), default="adagrad")
    train.add_argument("--clip", type=float, default=5.0, help="element-wise gradient clip (default 5)")
    train.add_argument("--clip-norm", type=float, default=None, help="also clip the global gradient norm")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--sample-every", type=int, default=500)
    train.add_argument("--out", default="model.npz", help="checkpoint to write (default model.npz)")
    train.add_argument("--plot", default=None, help="write the loss curve to this PNG")
    train.add_argument("--quiet", action="store_true", help="no progress bar")

    sample = commands.add_parser("sample", help="generate text from a model file")
    sample.add_argument("model")
    sample.add_argument("--length", type=int, default=200)
    sample.add_argument("--temperature", type=float, default=1.0)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--start", default=None, help="first character (default: the vocabulary's first)")

    corpus = commands.add_parser("corpus", help="write the generated demo corpus")
    corpus.add_argument("out")
    corpus.add_argument("--characters", type=int, default=20_000)
    corpus.add_argument("--seed", type=int, default=0)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"verify": verify.run, "train": _train, "sample": _sample, "corpus": _corpus}[args.command]
    try:
        return run(args)
    except (OSError, ValueError, TypeError, FloatingPointError) as error:  # FloatingPointError: a result overflowed
        print(f"rnnport {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
