"""A ``.pt`` file holding a state_dict, read with ``torch.load(..., weights_only=True)``: tensors and plain
containers only, never an arbitrary pickle (torch ≥ 1.13 refuses anything else before running it)."""
from __future__ import annotations

import os
from typing import Any

import numpy as np

from rnnport.torch.common import StateDictError


def _is_state(value: Any, tensor_type: type) -> bool:
    return isinstance(value, dict) and bool(value) and all(isinstance(v, tensor_type) for v in value.values())


def load_state_dict(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """The state_dict in ``path`` as NumPy arrays (copies, dtype as stored).

    Accepts a state_dict (a dict of tensors, e.g. ``torch.save(module.state_dict(), path)``) or a dict
    holding exactly one such dict (``{"state_dict": ...}``, ``{"model": ...}``).

    Raises
    ------
    StateDictError
        The file is not a torch file, holds a pickled object that ``weights_only`` refuses, or holds
        no state_dict; one line.
    """
    import torch  # lazily: rnnport.torch is the only package that imports torch

    try:
        loaded = torch.load(os.fspath(path), map_location="cpu", weights_only=True)
    except Exception as error:  # UnpicklingError, RuntimeError (not a zip/pickle), EOFError: all one refusal
        text = " ".join(str(error).split())
        # torch's message advises weights_only=False; keep only its reason (e.g. "Unsupported class …")
        first = text.rsplit("WeightsUnpickler error:", 1)[-1].strip() or type(error).__name__
        raise StateDictError(f"{os.fspath(path)}: not a state_dict that torch.load(weights_only=True) accepts "
                             f"({type(error).__name__}: {first})") from None
    if not _is_state(loaded, torch.Tensor) and isinstance(loaded, dict):
        inner = [v for v in loaded.values() if _is_state(v, torch.Tensor)]
        if len(inner) == 1:
            loaded = inner[0]
    if not _is_state(loaded, torch.Tensor):
        raise StateDictError(f"{os.fspath(path)}: holds a {type(loaded).__name__}, not a state_dict "
                             f"(a dict of tensors, or a dict holding one)")
    return {str(k): v.detach().cpu().numpy().copy() for k, v in loaded.items()}
