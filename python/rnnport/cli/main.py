"""``python -m rnnport COMMAND``: the project's command line (``rnnport/__main__.py`` calls :func:`main`).

- ``verify`` compares the NumPy and C# models step by step; it needs .NET, so run it inside the
  host (``dotnet/pyhost -m rnnport verify``) or with pythonnet from PyPI.
- ``corpus``, ``train`` and ``sample``: the character-model demo in NumPy; ``train`` and ``sample`` behave as
  ``rnnport-cli``'s do (the same options, defaults, checks, messages and text reading: docs/cli.md).
- ``import-torch`` writes a model file from a torch state_dict (``rnnport.cli.import_torch``; needs torch).
- ``forward`` runs a model file (a cell or a stack) over a ``.npy`` sequence (``rnnport.cli.forward``).

Every argument, input file and output path is checked before any work (docs/cli.md): the values
of the options ``train`` and ``sample`` share with ``rnnport-cli`` by the rules of
``option_rules.json``, which that command reads too. Bad arguments, unreadable inputs, unwritable
outputs, sizes over the limits and running out of memory give a one-line error and exit status 2;
outputs are replaced atomically, so a failed write leaves the previous file intact.
"""
from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any, NoReturn, Sequence

import numpy as np

from rnnport.cli import forward, import_torch, option_rules, verify
from rnnport.training.corpus import CORPUS_CHARACTERS, CORPUS_SEED

if TYPE_CHECKING:
    from rnnport.training.char_model import TrainResult


def _values(command: str, args: argparse.Namespace) -> dict[str, Any]:
    """The shared options' values, checked by option_rules.json's rules, by Python name (``seq_length``)."""
    return {name.replace("-", "_"): option_rules.parse(command, name, getattr(args, name.replace("-", "_")))
            for name in option_rules.options(command)}


def _train(args: argparse.Namespace) -> int:
    from rnnport.io import model_file
    from rnnport.io.plot_file import figure_format
    from rnnport.training.char_cells import CHAR_CELLS
    from rnnport.training.char_model import TrainConfig, train
    from rnnport.training.corpus_file import read_text

    values = _values("train", args)
    option_rules.output_file(args.out, "--out")
    if args.plot is not None:
        option_rules.output_file(args.plot, "--plot")
        figure_format(args.plot)
    option_rules.input_file(args.textfile, "text file", max_bytes=option_rules.max_elements())
    text = read_text(args.textfile)
    vocabulary_size = len(set(text))
    gates = CHAR_CELLS[values["cell"]].gates
    option_rules.check_product("W_xh (H, V)" if gates == 1 else f"W_ih ({gates}H, V)", gates * values["hidden"], vocabulary_size)
    if gates > 1:  # an RNN's W_hh (H, H) fits by --hidden's own limit; a gated cell's stacks `gates` blocks
        option_rules.check_product(f"W_hh ({gates}H, H)", gates * values["hidden"], values["hidden"])
    option_rules.check_product("a chunk's one-hot inputs (L, V)", values["seq_length"], vocabulary_size)
    config = TrainConfig(hidden_size=values["hidden"], seq_length=values["seq_length"],
                         learning_rate=values["learning_rate"], steps=values["steps"], clip=values["clip"],
                         clip_norm=values["clip_norm"], optimizer=values["optimizer"], seed=values["seed"],
                         sample_every=values["sample_every"], cell=values["cell"])
    result = train(text, config, progress=not args.quiet and sys.stderr.isatty(),
                   report=lambda line: print(line, flush=True))
    model_file.save(args.out, result.model, result.vocabulary, result.hyperparameters())
    first, last = np.mean(result.losses[:100]), np.mean(result.losses[-100:])
    print(f"loss per chunk: first 100 steps {first:.3f}, last 100 steps {last:.3f}; saved {args.out}")
    if args.plot:
        _plot_losses(result, args.plot)
        print(f"loss curve: {args.plot}")
    return 0


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """(len(values),) trailing means over ``window`` values (fewer at the start): no lag beyond the window."""
    sums = np.cumsum(np.concatenate([[0.0], np.asarray(values, dtype=np.float64)]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def _plot_losses(result: TrainResult, path: str) -> None:
    """The loss of every chunk and a short trailing moving average of it (matplotlib: Debian's python3-matplotlib).

    Not the 0.999-smoothed loss the progress lines print: its memory of ~1000 steps lags far behind
    the model (it starts at the uniform guess L·ln V and ends well above the last steps' mean)."""
    from rnnport.io.plot_file import figure_file

    window = max(1, min(50, len(result.losses) // 40))
    with figure_file(path, (7, 4)) as ax:
        ax.plot(np.arange(1, len(result.losses) + 1), result.losses, lw=0.5, alpha=0.35, label="loss per chunk")
        ax.plot(np.arange(1, len(result.losses) + 1), moving_average(result.losses, window), lw=1.5,
                label=f"mean of the last {window} steps")
        ax.set_xlabel("step")
        ax.set_ylabel(f"cross-entropy, summed over {result.config.seq_length} characters")
        ax.set_title(f"rnnport train --cell {result.config.cell}, H={result.config.hidden_size}, {result.config.optimizer}: "
                     f"mean loss of the last 100 steps {np.mean(result.losses[-100:]):.2f}", fontsize=10)
        ax.legend()


def _sample(args: argparse.Namespace) -> int:
    from rnnport.io import model_file
    from rnnport.training.sampling import sample

    values = _values("sample", args)
    option_rules.input_file(args.model, "model file")
    loaded = model_file.load(args.model)
    if loaded.cell and getattr(loaded.model, "num_layers", None) is not None:
        raise ValueError(f"{args.model} holds a stack (model file version 3); sample runs a single cell: use forward")
    if loaded.vocabulary is None:
        raise ValueError(f"{args.model} has no vocabulary: it is not a character model")
    vocabulary = loaded.vocabulary
    start = values["start"] if values["start"] is not None else vocabulary.chars[0]
    seed_index = int(vocabulary.encode(start)[0])
    uniforms = np.random.default_rng(values["seed"]).random(values["length"])
    print(start + vocabulary.decode(sample(loaded.model, seed_index, uniforms, values["temperature"])))
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from rnnport.io.atomic import atomic_write
    from rnnport.training.corpus import generate

    option_rules.output_file(args.out, "OUT")
    with atomic_write(args.out, "w") as stream:
        stream.write(generate(args.characters, args.seed))
    print(f"wrote {args.characters}+ characters of generated sentences to {args.out}")
    return 0


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit status 2, and no abbreviated options
    (``--hid`` for ``--hidden``): rnnport-cli accepts only full names."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


class _Once(argparse.Action):
    """Store the option's text; an option given twice is an error, as in rnnport-cli."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        given = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:
            parser.error(f"option {option_string} is given twice")
        given.add(self.dest)
        setattr(namespace, self.dest, values)


class _OnceFlag(_Once):
    """A flag (no value) that may be given once, as in rnnport-cli."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        super().__call__(parser, namespace, True, option_string)


def _add_shared(parser: argparse.ArgumentParser, command: str) -> None:
    """The options option_rules.json lists for ``command``, as text: parsed and checked by its rules."""
    for name, rule in option_rules.options(command).items():
        shown = {"int": f"integer in [{rule.get('min')}, {rule.get('max')}]",
                 "float": f"finite number > {rule.get('above')}",
                 "choice": " | ".join(rule.get("choices", ())),
                 "char": "one character"}[rule["kind"]]
        default = "none" if rule["default"] is None else rule["default"]
        never = "; 0: never" if name == "sample-every" else ""  # as rnnport-cli's usage says
        parser.add_argument(f"--{name}", action=_Once, default=None, help=f"{shown} (default {default}{never})")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m rnnport")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    verify.add_arguments(commands.add_parser("verify", help="compare the NumPy and C# models step by step"))

    train = commands.add_parser("train", help="train a character-level model on a text file")
    train.add_argument("textfile")
    _add_shared(train, "train")
    train.add_argument("--out", action=_Once, default=option_rules.output_default("train", "out"),
                       help="model file to write (default %(default)s)")
    train.add_argument("--plot", action=_Once, default=None, help="write the loss curve to this image (PNG, SVG, PDF…)")
    train.add_argument("--quiet", action=_OnceFlag, help="no progress bar (drawn only when stderr is a terminal)")

    sample = commands.add_parser("sample", help="generate text from a model file")
    sample.add_argument("model")
    _add_shared(sample, "sample")

    import_torch.add_arguments(commands.add_parser("import-torch", help="a torch state_dict (.pt) to a model file"))

    forward.add_arguments(commands.add_parser("forward", help="run a model file over a .npy sequence (T, I)"))

    corpus = commands.add_parser("corpus", help="write the generated demo corpus")
    corpus.add_argument("out")
    corpus.add_argument("--characters", type=option_rules.integer_in(1, option_rules.max_elements()),
                        default=CORPUS_CHARACTERS, help="at least this many characters (default %(default)s)")
    corpus.add_argument("--seed", type=option_rules.integer_in(0, 2**31 - 1), default=CORPUS_SEED,
                        help="seed of the grammar's choices (default %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run = {"verify": verify.run, "train": _train, "sample": _sample, "corpus": _corpus,
           "import-torch": import_torch.run, "forward": forward.run}[args.command]
    try:
        return run(args)
    except (OSError, ValueError, TypeError, FloatingPointError) as error:  # FloatingPointError: a result overflowed
        print(f"rnnport {args.command}: {error}", file=sys.stderr)
        return 2
    except MemoryError as error:  # a size within the limits that this machine still cannot hold
        print(f"rnnport {args.command}: out of memory{f' ({error})' if str(error) else ''}", file=sys.stderr)
        return 2

