"""The cells ``verify`` and the golden vectors know, one entry each: how to build both twins, run them, and bound them.

A cell is a :class:`CellSpec`: its state names (``("h",)``, or ``("h", "c")`` for the LSTM), a seeded
case, the NumPy model and its C# twin (through the bridge) built from one dict of keyword arguments,
and its derived fast-mode bound. Everything else (``rnnport.verify.compare``, ``rnnport verify``)
is written once over this record, so that adding a cell is one entry in :data:`CELLS`.

Quantities are named after the state they come from: ``"state"`` (h), ``"cell"`` (c, LSTM only) and
``"output"`` (y).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

Arrays = dict[str, np.ndarray]
QUANTITY = {"h": "state", "c": "cell", "y": "output"}


@dataclass(frozen=True)
class CellSpec:
    """One recurrent cell, as the comparisons need it.

    Attributes
    ----------
    name : "rnn", "lstm" or "gru"
    states : the state attributes, in order ("h",) or ("h", "c"); each (H,)
    numpy_model : (arguments, kernel) → the NumPy model
    dotnet_model : arguments → the C# twin (loads .NET)
    forward : (model, xs (T, I)) → {"y": (T, O), "h": (T, H)[, "c": (T, H)]}
    bounds : (arguments, xs, previous states of A, of B, new states and outputs of A, of B)
        → {"h": (T, H)[, "c": (T, H)], "y": (T, O)}, absolute per-element bounds
    case : (I, H, O, T, seed, nonzero_state) → (arguments, xs (T, I))
    arguments : model → the keyword arguments that rebuild it (NumPy layout, ``kernel`` excluded)
    numpy_class : () → the NumPy class (imported on demand)
    gates : stacked gate blocks in the input and recurrent weights: 1, 4 (LSTM) or 3 (GRU)
    """

    name: str
    states: tuple[str, ...]
    numpy_model: Callable[[Mapping[str, Any], str], Any]
    dotnet_model: Callable[[Mapping[str, Any]], Any]
    forward: Callable[[Any, np.ndarray], Arrays]
    bounds: Callable[[Mapping[str, Any], np.ndarray, Arrays, Arrays, Arrays, Arrays], Arrays]
    case: Callable[[int, int, int, int, int, bool], tuple[dict[str, Any], np.ndarray]]
    arguments: Callable[[Any], dict[str, Any]]
    numpy_class: Callable[[], type]
    gates: int

    @property
    def quantities(self) -> tuple[str, ...]:
        """The compared quantities, states first: ("h", "y") or ("h", "c", "y")."""
        return (*self.states, "y")


# ---- the vanilla RNN -------------------------------------------------------------------------------

def _rnn_numpy(arguments: Mapping[str, Any], kernel: str) -> Any:
    from rnnport.cells.rnn import RNN

    return RNN(**arguments, kernel=kernel)


def _rnn_dotnet(arguments: Mapping[str, Any]) -> Any:
    from rnnport.dotnet.rnn import DotNetRNN

    return DotNetRNN(**arguments)


def _rnn_forward(model: Any, xs: np.ndarray) -> Arrays:
    ys, hs = model.forward(xs)
    return {"y": ys, "h": hs}


def _rnn_bounds(arguments: Mapping[str, Any], xs: np.ndarray, prev_a: Arrays, prev_b: Arrays,
                a: Arrays, b: Arrays) -> Arrays:
    from rnnport.verify.bounds import output_bound, state_bound

    return {"h": state_bound(arguments["W_xh"], arguments["W_hh"], xs, prev_a["h"], prev_b["h"], a["h"], b["h"],
                             arguments.get("activation", "tanh")),
            "y": output_bound(arguments["W_hy"], a["h"], b["h"])}


def _rnn_case(I: int, H: int, O: int, T: int, seed: int, nonzero_state: bool,
              activation: str = "tanh") -> tuple[dict[str, Any], np.ndarray]:
    from rnnport.verify.cases import make_case

    case = make_case(I, H, O, T, seed, activation, nonzero_state)  # type: ignore[arg-type]
    return dict(W_xh=case.W_xh, W_hh=case.W_hh, W_hy=case.W_hy, h0=case.h0, activation=activation), case.xs


def _rnn_arguments(model: Any) -> dict[str, Any]:
    return dict(W_xh=model.W_xh, W_hh=model.W_hh, W_hy=model.W_hy, h0=model.h0, activation=model.activation,
                b_h=model.b_h, b_y=model.b_y)


# ---- gated cells (LSTM, GRU): torch's stacked layout -----------------------------------------------

def gated_case(gates: int, states: tuple[str, ...]) -> Callable[..., tuple[dict[str, Any], np.ndarray]]:
    """A seeded case for a cell with ``gates`` stacked blocks: weights of variance 1/fan-in, biases of
    scale 0.5 (both bias vectors on, so that dropping one is seen), states uniform in (−0.9, 0.9)."""
    def case(I: int, H: int, O: int, T: int, seed: int, nonzero_state: bool) -> tuple[dict[str, Any], np.ndarray]:
        rng = np.random.default_rng(seed)
        arguments: dict[str, Any] = dict(
            W_ih=rng.normal(size=(gates * H, I)) / np.sqrt(I), W_hh=rng.normal(size=(gates * H, H)) / np.sqrt(H),
            W_hy=rng.normal(size=(O, H)) / np.sqrt(H), b_ih=rng.normal(size=gates * H) * 0.5,
            b_hh=rng.normal(size=gates * H) * 0.5, b_y=rng.normal(size=O) * 0.5)
        for name in states:
            arguments[f"{name}0"] = rng.uniform(-0.9, 0.9, size=H) if nonzero_state else None
        return arguments, rng.normal(size=(T, I))
    return case


def _gated_arguments(states: tuple[str, ...]) -> Callable[[Any], dict[str, Any]]:
    def arguments(model: Any) -> dict[str, Any]:
        out = {name: getattr(model, name) for name in ("W_ih", "W_hh", "W_hy", "b_ih", "b_hh", "b_y")}
        out.update({f"{name}0": getattr(model, f"{name}0") for name in states})
        return out
    return arguments


def _lstm_numpy(arguments: Mapping[str, Any], kernel: str) -> Any:
    from rnnport.cells.lstm import LSTM

    return LSTM(**arguments, kernel=kernel)


def _lstm_dotnet(arguments: Mapping[str, Any]) -> Any:
    from rnnport.dotnet.lstm import DotNetLSTM

    return DotNetLSTM(**arguments)


def _lstm_forward(model: Any, xs: np.ndarray) -> Arrays:
    ys, hs, cs = model.forward(xs)
    return {"y": ys, "h": hs, "c": cs}


def _lstm_bounds(arguments: Mapping[str, Any], xs: np.ndarray, prev_a: Arrays, prev_b: Arrays,
                 a: Arrays, b: Arrays) -> Arrays:
    from rnnport.cells.lstm_bounds import step_bounds

    d_h, d_c, d_y = step_bounds(arguments, xs, (prev_a["h"], prev_b["h"]), (prev_a["c"], prev_b["c"]),
                                (a["h"], b["h"]), (a["c"], b["c"]))
    return {"h": d_h, "c": d_c, "y": d_y}


def _gru_numpy(arguments: Mapping[str, Any], kernel: str) -> Any:
    from rnnport.cells.gru import GRU

    return GRU(**arguments, kernel=kernel)


def _gru_dotnet(arguments: Mapping[str, Any]) -> Any:
    from rnnport.dotnet.gru import DotNetGRU

    return DotNetGRU(**arguments)


def _gru_bounds(arguments: Mapping[str, Any], xs: np.ndarray, prev_a: Arrays, prev_b: Arrays,
                a: Arrays, b: Arrays) -> Arrays:
    from rnnport.verify.gru_bounds import gru_output_bound, gru_state_bound

    return {"h": gru_state_bound(arguments["W_ih"], arguments["W_hh"], arguments.get("b_ih"), arguments.get("b_hh"),
                                 xs, prev_a["h"], prev_b["h"]),
            "y": gru_output_bound(arguments["W_hy"], arguments.get("b_y"), a["h"], b["h"])}


def _rnn_class() -> type:
    from rnnport.cells.rnn import RNN

    return RNN


def _lstm_class() -> type:
    from rnnport.cells.lstm import LSTM

    return LSTM


def _gru_class() -> type:
    from rnnport.cells.gru import GRU

    return GRU


RNN_SPEC = CellSpec("rnn", ("h",), _rnn_numpy, _rnn_dotnet, _rnn_forward, _rnn_bounds, _rnn_case, _rnn_arguments,
                    _rnn_class, 1)
LSTM_SPEC = CellSpec("lstm", ("h", "c"), _lstm_numpy, _lstm_dotnet, _lstm_forward, _lstm_bounds,
                     gated_case(4, ("h", "c")), _gated_arguments(("h", "c")), _lstm_class, 4)

GRU_SPEC = CellSpec("gru", ("h",), _gru_numpy, _gru_dotnet, _rnn_forward, _gru_bounds, gated_case(3, ("h",)),
                    _gated_arguments(("h",)), _gru_class, 3)

CELLS: dict[str, CellSpec] = {spec.name: spec for spec in (RNN_SPEC, LSTM_SPEC, GRU_SPEC)}


def spec_of(model: Any) -> CellSpec:
    """The entry whose NumPy class ``model`` is an instance of (for a model read from a file).

    Raises
    ------
    TypeError
        No cell is registered for the model's class.
    """
    for spec in CELLS.values():
        if isinstance(model, spec.numpy_class()):
            return spec
    raise TypeError(f"no cell is registered for {type(model).__name__}")
