"""Character-level language model plumbing: vocabulary, encoding, one-hot chunks. C# twin: ``RnnPort.Vocabulary``."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Vocabulary:
    """The sorted distinct characters of a text; index i ↔ ``chars[i]``."""

    chars: str

    @staticmethod
    def of(text: str) -> Vocabulary:
        """The vocabulary of ``text``: its distinct characters in code-point order."""
        if not text:
            raise ValueError("cannot build a vocabulary from an empty text")
        return Vocabulary("".join(sorted(set(text))))

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """(len(text),) int64 indices; a character outside the vocabulary raises ValueError."""
        lookup = {c: i for i, c in enumerate(self.chars)}
        try:
            return np.array([lookup[c] for c in text], dtype=np.int64)
        except KeyError as error:
            raise ValueError(f"character {error.args[0]!r} is not in the vocabulary") from None

    def decode(self, indices: list[int] | np.ndarray) -> str:
        """The characters of ``indices``."""
        return "".join(self.chars[i] for i in indices)


def one_hot(indices: np.ndarray, size: int) -> np.ndarray:
    """(T, size) float64 rows with a 1.0 at each index."""
    out = np.zeros((indices.shape[0], size))
    out[np.arange(indices.shape[0]), indices] = 1.0
    return out
