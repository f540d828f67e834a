"""``torch.nn.RNN``, ``LSTM`` and ``GRU`` modules to ``RecurrentStack`` and back; imports torch inside each function."""
from __future__ import annotations

from typing import Any

from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.cells.stack import RecurrentStack
from rnnport.torch.common import StateDictError
from rnnport.torch.single_cell import cell_from_state_dict, cell_to_state_dict
from rnnport.torch.state_dict import from_state_dict, to_state_dict

_CELL_OF_MODE = {"RNN_TANH": ("rnn", "tanh"), "RNN_RELU": ("rnn", "relu"), "LSTM": ("lstm", "tanh"), "GRU": ("gru", "tanh")}


def _read(module: Any) -> tuple[str, str, dict[str, Any]]:
    import torch  # the only imports of torch in rnnport: here, in to_torch and in load_file

    if not isinstance(module, torch.nn.RNNBase) or module.mode not in _CELL_OF_MODE:
        raise TypeError(f"expected torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
    if getattr(module, "proj_size", 0) > 0:
        raise StateDictError(f"weight_hr_l0: proj_size > 0 (LSTM projections) is not supported (proj_size = {module.proj_size})")
    cell, nonlinearity = _CELL_OF_MODE[module.mode]
    return cell, nonlinearity, {key: value.detach().cpu().numpy() for key, value in module.state_dict().items()}


def from_torch(module: Any, **kwargs: Any) -> RecurrentStack:
    """The ``RecurrentStack`` with ``module``'s weights (``torch.nn.RNN``, ``LSTM`` or ``GRU``, any ``num_layers``,
    ``bidirectional``, ``bias``, ``batch_first``), bit for bit.

    ``nonlinearity`` is read from an ``nn.RNN``; ``batch_first`` changes no weight (the stack takes (T, I)
    sequences). ``dropout`` is accepted and not modelled: the stack computes what the module computes in eval
    mode. ``kwargs`` go to :func:`rnnport.torch.from_state_dict` (``W_hy``, ``b_y``, ``kernel``).

    Raises
    ------
    TypeError
        ``module`` is not one of the three.
    StateDictError
        ``proj_size > 0``, or a state_dict that :func:`rnnport.torch.from_state_dict` refuses.
    """
    cell, nonlinearity, state = _read(module)
    stack = from_state_dict(state, cell, nonlinearity=nonlinearity, **kwargs)
    if (stack.num_layers, stack.bidirectional) != (module.num_layers, module.bidirectional):  # a guard: keys decide
        raise StateDictError(f"weight_ih_l0: the keys say {stack.num_layers} layers, bidirectional={stack.bidirectional}; "
                             f"the module says {module.num_layers}, {module.bidirectional}")
    return stack


def cell_from_torch(module: Any, **kwargs: Any) -> RNN | LSTM | GRU:
    """A one-layer, one-direction module as a single cell (the first slice; ``RNN``'s b_h = bias_ih + bias_hh)."""
    cell, nonlinearity, state = _read(module)
    return cell_from_state_dict(state, cell, nonlinearity=nonlinearity, **kwargs)


def to_torch(model: RecurrentStack | RNN | LSTM | GRU) -> Any:
    """A float64 ``torch.nn.RNN``, ``LSTM`` or ``GRU`` (``batch_first=False``) holding the model's recurrent weights
    bit for bit: a stack's layers, directions and biases; a single cell as one layer (the RNN's b_h in bias_ih_l0,
    zeros in bias_hh_l0). The output layer and h0 are not carried (torch modules have none)."""
    import torch

    if isinstance(model, RecurrentStack):
        state = to_state_dict(model)
        cell, nonlinearity = model.cell, model.nonlinearity
        layers, bidirectional = model.num_layers, model.bidirectional
    elif isinstance(model, (RNN, LSTM, GRU)):
        state = cell_to_state_dict(model)
        cell = "rnn" if isinstance(model, RNN) else ("lstm" if isinstance(model, LSTM) else "gru")
        nonlinearity, layers, bidirectional = getattr(model, "activation", "tanh"), 1, False
    else:
        raise TypeError(f"expected a RecurrentStack, RNN, LSTM or GRU, got {type(model).__name__}")
    sizes = dict(input_size=model.input_size, hidden_size=model.hidden_size, num_layers=layers,
                 bias="bias_ih_l0" in state, batch_first=False, bidirectional=bidirectional, dtype=torch.float64)
    if cell == "rnn":
        module = torch.nn.RNN(nonlinearity=nonlinearity, **sizes)
    else:
        module = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(**sizes)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    return module
