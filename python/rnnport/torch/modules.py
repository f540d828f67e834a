"""``torch.nn.RNN``, ``LSTM`` and ``GRU`` modules to rnnport models and back; imports torch inside each function."""
from __future__ import annotations

from typing import Any

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.torch.state_dict import StateDictError, from_state_dict, to_state_dict

_CELL_OF_MODE = {"RNN_TANH": ("rnn", "tanh"), "RNN_RELU": ("rnn", "relu"), "LSTM": ("lstm", "tanh"), "GRU": ("gru", "tanh")}


def from_torch(module: Any, **kwargs: Any) -> RNN | LSTM | GRU:
    """The rnnport model with ``module``'s weights (``torch.nn.RNN``, ``LSTM`` or ``GRU``, one layer, one direction).

    ``nonlinearity`` is read from an ``nn.RNN``; ``batch_first`` changes no weight. ``kwargs`` go to
    :func:`rnnport.torch.from_state_dict` (``W_hy``, ``b_y``, ``kernel``).

    Raises
    ------
    TypeError
        ``module`` is not one of the three.
    StateDictError
        ``num_layers > 1``, ``bidirectional``, ``proj_size > 0``: the message names the first refused key.
    """
    import torch  # the only imports of torch in rnnport: here and in to_torch

    if not isinstance(module, torch.nn.RNNBase) or module.mode not in _CELL_OF_MODE:
        raise TypeError(f"expected torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
    cell, nonlinearity = _CELL_OF_MODE[module.mode]
    state = {key: value.detach().cpu().numpy() for key, value in module.state_dict().items()}
    return from_state_dict(state, cell, nonlinearity=nonlinearity, **kwargs)


def to_torch(model: RNN | LSTM | GRU) -> Any:
    """A float64 ``torch.nn.RNN``, ``LSTM`` or ``GRU`` (one layer) holding ``model``'s recurrent weights bit for bit.

    The output layer and h0 are not carried (torch modules have none). For the RNN, ``bias_ih_l0`` is
    ``b_h`` and ``bias_hh_l0`` zeros.
    """
    import torch

    state = to_state_dict(model)
    H, I = model.hidden_size, model.input_size
    bias = "bias_ih_l0" in state
    if isinstance(model, RNN):
        module = torch.nn.RNN(I, H, nonlinearity=model.activation, bias=bias, dtype=torch.float64)
    elif isinstance(model, LSTM):
        module = torch.nn.LSTM(I, H, bias=bias, dtype=torch.float64)
    else:
        module = torch.nn.GRU(I, H, bias=bias, dtype=torch.float64)
    missing, unexpected = module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    if missing or unexpected:  # strict=True raises first; kept as a guard
        raise StateDictError(f"{(missing or unexpected)[0]}: does not fit torch's module")
    return module
