"""Training a character-level language model, min-char-rnn style. C# twin: ``RnnPort.CharTrainer``
(the library trainer ``rnnport-cli train`` runs), with the same hyper-parameters, smoothed loss and
data-pointer rule:

- Any cell of :data:`rnnport.training.char_cells.CHAR_CELLS` (``rnn``, ``lstm``, ``gru``; ``config.cell``).
- Step k trains on the chunk of L = ``seq_length`` characters at the data pointer p against the L
  characters after it; p starts at 0 and advances by L; when fewer than L + 1 characters are left at
  p (and at step 0), p returns to 0 and the state to the model's initial state (``reset()``: h0, an
  LSTM's c0; zero for fresh weights).
- Truncated BPTT: the state carries from chunk to chunk, the gradient does not. Gradients are
  clipped element-wise (and, optionally, by global norm), then Adagrad (or SGD) updates the weights.
- The smoothed loss starts at L·ln V (a uniform guess) and follows s ← 0.999·s + 0.001·loss.

Every default of :class:`TrainConfig` is read from ``rnnport/cli/option_rules.json``, the file both
command lines and the C# ``TrainingSettings`` read, so no default is written twice.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from rnnport.cells.rnn import RNN
from rnnport.cli.option_rules import default
from rnnport.training.char_cells import CHAR_CELLS
from rnnport.training.clipping import clip_elementwise, clip_global_norm
from rnnport.training.optimizers import SGD, Adagrad
from rnnport.training.sampling import sample
from rnnport.training.vocabulary import Vocabulary, one_hot


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; stored in the model file. C# twin: ``RnnPort.TrainingSettings``.

    The defaults are ``train``'s in option_rules.json (``sample_length``: ``sample --length``'s).
    """

    hidden_size: int = default("train", "hidden")
    seq_length: int = default("train", "seq-length")
    learning_rate: float = default("train", "learning-rate")
    steps: int = default("train", "steps")
    clip: float = default("train", "clip")
    clip_norm: float | None = default("train", "clip-norm")
    optimizer: str = default("train", "optimizer")
    seed: int = default("train", "seed")
    sample_every: int = default("train", "sample-every")  # 0: never
    sample_length: int = default("sample", "length")
    cell: str = default("train", "cell")

    def __post_init__(self) -> None:
        for name in ("hidden_size", "seq_length", "steps", "sample_length"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be ≥ 1, got {getattr(self, name)}")
        if self.sample_every < 0:
            raise ValueError(f"sample_every must be ≥ 0 (0: never), got {self.sample_every}")
        if self.cell not in CHAR_CELLS:
            raise ValueError(f"cell must be one of {', '.join(map(repr, CHAR_CELLS))}, got {self.cell!r}")
        if self.optimizer not in ("adagrad", "sgd"):
            raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {self.optimizer!r}")
        for name in ("learning_rate", "clip", "clip_norm"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be finite and > 0, got {value}")


@dataclass
class TrainResult:
    """The trained model, its vocabulary, and the loss of every step (summed over its chunk)."""

    model: Any  # the config's cell: RNN, LSTM or GRU
    vocabulary: Vocabulary
    losses: list[float]
    smooth_losses: list[float]
    config: TrainConfig

    def hyperparameters(self) -> dict:
        """The config as the model file stores it."""
        return asdict(self.config)


def initial_model(vocab_size: int, hidden_size: int, seed: int) -> RNN:
    """min-char-rnn's initialisation of the RNN: N(0, 0.01²) weights, zero biases."""
    return CHAR_CELLS["rnn"].make(vocab_size, hidden_size, np.random.default_rng(seed))


def train(text: str, config: TrainConfig, progress: bool = False,
          report: Callable[[str], None] | None = None, model: Any = None) -> TrainResult:
    """Train a character model on ``text``. C# twin: ``CharTrainer.Train``.

    Parameters
    ----------
    text : str
        The corpus (:func:`rnnport.training.corpus_file.read_text` reads a file by the shared rule).
    config : TrainConfig
        The hyper-parameters.
    progress : bool
        Draw a tqdm bar on stderr (when tqdm is installed); ``report``'s lines are written around it.
    report : callable, optional
        Gets one multi-line string every ``config.sample_every`` steps: the step, the smoothed loss
        and a sample continuing the text, between ``----`` lines.
    model : RNN, LSTM or GRU, optional
        The model to train in place instead of fresh weights: ``config.cell``'s class, with
        I = O = V (the text's vocabulary size) and H = ``config.hidden_size``.

    Returns
    -------
    TrainResult
        The model (in the last chunk's state), the vocabulary, and the (steps,) losses and smoothed losses.
    """
    L = config.seq_length
    if len(text) < L + 1:
        raise ValueError(f"the text has {len(text)} characters; chunks of {L} need at least {L + 1}")
    vocabulary = Vocabulary.of(text)
    data = vocabulary.encode(text)
    V = len(vocabulary)
    cell = CHAR_CELLS[config.cell]
    if model is None:
        model = cell.make(V, config.hidden_size, np.random.default_rng(config.seed))
    else:
        _check_initial(model, cell.cls, V, config.hidden_size, config.cell)
    optimizer = Adagrad(config.learning_rate) if config.optimizer == "adagrad" else SGD(config.learning_rate)
    rng = np.random.default_rng(config.seed + 1)
    smooth = -math.log(1.0 / V) * L  # a uniform guess, where training starts (the C library log, as C#'s Math.Log)
    losses: list[float] = []
    smooth_losses: list[float] = []
    position = 0
    bar = _progress_bar(config.steps) if progress else None
    for step in range(config.steps):
        if step == 0 or position + L + 1 > len(data):
            model.reset()  # back to h0 (and c0) at the start of each pass over the text
            position = 0
        chunk = data[position:position + L + 1]
        result = cell.bptt(model, one_hot(chunk[:-1], V), chunk[1:])
        clip_elementwise(result.gradients, config.clip)
        if config.clip_norm is not None:
            clip_global_norm(result.gradients, config.clip_norm)
        optimizer.step(model, result.gradients)
        cell.carry(model, result)  # truncated BPTT: the state (an LSTM's h and c) carries over, the gradient does not
        position += L
        smooth = 0.999 * smooth + 0.001 * result.loss
        losses.append(result.loss)
        smooth_losses.append(smooth)
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{smooth:.3f}", refresh=False)
        if report is not None and config.sample_every and (step + 1) % config.sample_every == 0:
            text_sample = vocabulary.decode(sample(model, int(chunk[-1]), rng.random(config.sample_length)))
            line = f"step {step + 1}, smooth loss {smooth:.4f}\n----\n{text_sample}\n----"
            if bar is not None:
                with bar.external_write_mode():  # the bar is cleared, the lines written, the bar redrawn below them
                    report(line)
            else:
                report(line)
    if bar is not None:
        bar.close()
    return TrainResult(model, vocabulary, losses, smooth_losses, config)


def _progress_bar(total: int) -> Any:
    """A tqdm bar on stderr, or None without tqdm (optional: Debian's python3-tqdm)."""
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="step", dynamic_ncols=True)


def _check_initial(model: Any, cls: type, V: int, H: int, name: str) -> None:
    """ValueError unless ``model`` is a ``cls`` with I = O = V and H hidden units (C#: the same rule)."""
    if not isinstance(model, cls):
        raise ValueError(f"the initial model is a {type(model).__name__}, not the config's cell {name!r}")
    if (model.input_size, model.hidden_size, model.output_size) != (V, H, V):
        raise ValueError(f"the initial model has I={model.input_size}, H={model.hidden_size}, O={model.output_size}; "
                         f"the text needs I=O={V} and the config H={H}")
