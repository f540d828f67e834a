"""Training a character-level language model, min-char-rnn style. C# twin: ``rnnport-cli train``.

Any cell of :data:`rnnport.training.char_cells.CHAR_CELLS` (``rnn``, ``lstm``, ``gru``; ``config.cell``).
The text is cut into chunks of ``seq_length`` characters; each chunk is one truncated-BPTT step:
the state carries over from the previous chunk, the gradient does not. Gradients are clipped
element-wise (and, optionally, by global norm), then Adagrad (or SGD) updates the weights.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

import numpy as np

from rnnport.cells.rnn import RNN
from rnnport.training.char_cells import CHAR_CELLS
from rnnport.training.clipping import clip_elementwise, clip_global_norm
from rnnport.training.optimizers import SGD, Adagrad
from rnnport.training.sampling import sample
from rnnport.training.vocabulary import Vocabulary, one_hot


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; stored in the model file."""

    hidden_size: int = 64
    seq_length: int = 25
    learning_rate: float = 0.1
    steps: int = 2000
    clip: float = 5.0
    clip_norm: float | None = None
    optimizer: str = "adagrad"
    seed: int = 0
    sample_every: int = 500  # 0: never
    sample_length: int = 200
    cell: str = "rnn"

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
          report: Callable[[str], None] | None = None) -> TrainResult:
    """Train a character model on ``text``; ``report`` gets a line (loss and a sample) every
    ``config.sample_every`` steps."""
    vocabulary = Vocabulary.of(text)
    if len(text) < config.seq_length + 1:
        raise ValueError(f"the text has {len(text)} characters; training needs at least seq_length + 1 = "
                         f"{config.seq_length + 1}")
    data = vocabulary.encode(text)
    V, L = len(vocabulary), config.seq_length
    cell = CHAR_CELLS[config.cell]
    model = cell.make(V, config.hidden_size, np.random.default_rng(config.seed))
    optimizer = Adagrad(config.learning_rate) if config.optimizer == "adagrad" else SGD(config.learning_rate)
    rng = np.random.default_rng(config.seed + 1)
    smooth = -np.log(1.0 / V) * L  # the loss of a uniform guess: where training starts
    losses: list[float] = []
    smooth_losses: list[float] = []
    position = 0
    steps = range(config.steps)
    bar = None
    if progress:
        try:
            from tqdm import tqdm
            bar = tqdm(total=config.steps, unit="step", dynamic_ncols=True)
        except ImportError:  # tqdm is optional: Debian's python3-tqdm
            bar = None
    for step in steps:
        if step == 0 or position + L + 1 > len(data):
            model.reset()  # back to h0 = 0 (and c0 = 0) at the start of each pass over the text
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
            report(f"step {step + 1}, smooth loss {smooth:.4f}\n{text_sample}\n----")
    if bar is not None:
        bar.close()
    return TrainResult(model, vocabulary, losses, smooth_losses, config)
