"""The metadata JSON of a model file: section D of ``docs/model-file.md``. C# twin: ``RnnPort.ModelMetadata``.

:func:`parse` is the reader's check; :func:`encode` is the writer's, which builds the bytes and
then runs :func:`parse` on them, so a writer cannot produce metadata a reader refuses.
"""
from __future__ import annotations

import json
import math
from typing import Any

from rnnport.io.model_cells import CELL_NAMES
from rnnport.io.model_file_error import ModelFileError
from rnnport.io.npz_archive import refuse

FORMAT = "rnnport-model"
VERSION = 2          # what writers write for a cell; version 1 (no "cell": an RNN) is still read
STACK_VERSION = 3    # what writers write for a RecurrentStack (num_layers, bidirectional)
VERSIONS = (1, 2, 3)
MAX_LAYERS = 64
ACTIVATIONS = ("tanh", "relu")
GATED_ACTIVATION = "tanh"  # an LSTM's or GRU's activation: fixed, as torch's
MAX_METADATA_BYTES = 1 << 20
MAX_JSON_DEPTH = 32
KEYS = frozenset({"format", "version", "activation", "hyperparameters"})
KEYS_WITH_CELL = KEYS | {"cell"}
KEYS_OF_STACK = KEYS_WITH_CELL | {"num_layers", "bidirectional"}


def _refuse(rule: str, message: str) -> ModelFileError:
    return refuse(rule, f"metadata: {message}")


def _scan(text: str) -> None:
    """Depth and escaped-surrogate rules of D4, on the raw text (before the recursive parser sees it).

    Brackets are counted outside strings; inside strings, a ``\\uD800``–``\\uDBFF`` escape must be
    followed by a ``\\uDC00``–``\\uDFFF`` escape and a low one must follow a high one. The C# twin
    runs the same scan, so depth and surrogates mean the same on both sides.
    """
    depth, at, n = 0, 0, len(text)
    while at < n:
        c = text[at]
        if c in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise _refuse("D4", f"JSON nested deeper than {MAX_JSON_DEPTH}")
        elif c in "]}":
            depth -= 1
        elif c == '"':
            at += 1
            pending_high = False
            while at < n and text[at] != '"':
                if text[at] == "\\" and at + 1 < n:
                    unit = int(text[at + 2:at + 6], 16) if text[at + 1] == "u" and _is_hex(text[at + 2:at + 6]) else None
                    is_high = unit is not None and 0xD800 <= unit <= 0xDBFF
                    is_low = unit is not None and 0xDC00 <= unit <= 0xDFFF
                    if (pending_high and not is_low) or (is_low and not pending_high):
                        raise _refuse("D4", "a string holds an escaped lone surrogate")
                    pending_high = is_high
                    at += 6 if unit is not None else 2
                    continue
                if pending_high:
                    raise _refuse("D4", "a string holds an escaped lone surrogate")
                at += 1
            if pending_high:
                raise _refuse("D4", "a string holds an escaped lone surrogate")
        at += 1


def _is_hex(s: str) -> bool:
    return len(s) == 4 and all(c in "0123456789abcdefABCDEF" for c in s)


def _no_constant(name: str) -> Any:
    raise _refuse("D3", f"{name} is not JSON")


class _Findings:
    """What the JSON parser's hooks saw, reported only once the text has parsed: a syntax error (D3)
    is reported before a value's problem (D4), in the order the C# twin finds them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def number(self, text: str) -> float | int:
        if not math.isfinite(float(text)):  # float() of a long digit string is inf, never an error
            self.problems.append(f"the number {text[:40]} is not finite as a float64")
            return 0
        return float(text) if any(c in text for c in ".eE") else int(text)

    def unique_keys(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.problems.append(f"key {key!r} appears twice in one object")
            result[key] = value
        return result


def parse(raw: bytes) -> dict[str, Any]:
    """The metadata object of ``raw`` (the ``metadata`` entry's bytes), checked by D1–D7.

    The result always holds ``cell``: a version-1 object is given ``"rnn"``. A version-3 object also
    holds ``num_layers`` (int) and ``bidirectional`` (bool)."""
    if len(raw) > MAX_METADATA_BYTES:
        raise _refuse("D1", f"{len(raw)} bytes, more than the {MAX_METADATA_BYTES} accepted")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _refuse("D2", f"not UTF-8 ({error.reason} at byte {error.start})") from None
    _scan(text)
    findings = _Findings()
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=findings.number, parse_int=findings.number,
                           object_pairs_hook=findings.unique_keys)
    except json.JSONDecodeError as error:
        raise _refuse("D3", f"not JSON: {error}") from None
    if not isinstance(value, dict):
        raise _refuse("D3", f"the JSON is a {type(value).__name__}, not an object")
    if findings.problems:
        raise _refuse("D4", findings.problems[0])
    if value.keys() not in (KEYS, KEYS_WITH_CELL, KEYS_OF_STACK):
        raise _refuse("D5", f"keys {sorted(value)}, expected exactly {sorted(KEYS)}, or those and 'cell', "
                            "or those, 'cell', 'num_layers' and 'bidirectional'")
    if value["format"] != FORMAT or not isinstance(value["format"], str):
        raise _refuse("D6", f"format {value['format']!r}, expected {FORMAT!r}")
    if type(value["version"]) is not int or value["version"] not in VERSIONS:
        raise _refuse("D6", f"version {value['version']!r}, expected the integer 1, 2 or 3")
    if not isinstance(value["activation"], str) or value["activation"] not in ACTIVATIONS:
        raise _refuse("D6", f"activation {value['activation']!r}, expected 'tanh' or 'relu'")
    if not isinstance(value["hyperparameters"], dict):
        raise _refuse("D6", f"hyperparameters is {json.dumps(value['hyperparameters'])[:60]}, not an object")
    _check_cell(value)
    if value["version"] == STACK_VERSION:
        _check_stack(value)
    return value


def _check_cell(value: dict[str, Any]) -> None:
    """D7: version 1 has no ``cell`` (an RNN); version 2 names one of ``cells``; a gated cell's activation is tanh."""
    if value["version"] == 1:
        if "cell" in value:
            raise _refuse("D7", "version 1 has no 'cell' (it is an RNN); a cell needs version 2")
        value["cell"] = "rnn"
        return
    if "cell" not in value:
        raise _refuse("D7", f"version {value['version']} needs 'cell'")
    stack_keys = "num_layers" in value
    if stack_keys != (value["version"] == STACK_VERSION):
        raise _refuse("D7", "version 3 needs 'num_layers' and 'bidirectional'" if not stack_keys
                      else "'num_layers' and 'bidirectional' need version 3")
    cell = value["cell"]
    if not isinstance(cell, str) or cell not in CELL_NAMES:
        raise _refuse("D7", f"cell {json.dumps(cell)[:60]}, expected one of {', '.join(map(repr, CELL_NAMES))}")
    if cell != "rnn" and value["activation"] != GATED_ACTIVATION:
        raise _refuse("D7", f"activation {value['activation']!r} for cell {cell!r}, expected {GATED_ACTIVATION!r}")


def _check_stack(value: dict[str, Any]) -> None:
    """D8: ``num_layers`` a JSON integer 1 … MAX_LAYERS (the parser gives int only for a digits-only
    token), ``bidirectional`` true or false."""
    layers = value["num_layers"]
    if type(layers) is not int or not 1 <= layers <= MAX_LAYERS:
        raise _refuse("D8", f"num_layers {json.dumps(layers)[:60]}, expected an integer from 1 to {MAX_LAYERS}")
    if type(value["bidirectional"]) is not bool:
        raise _refuse("D8", f"bidirectional {json.dumps(value['bidirectional'])[:60]}, expected true or false")


def _check_json_value(value: Any, where: str, depth: int) -> None:
    """Writer side of D4 on Python values: JSON types only, finite numbers, str keys, no lone surrogates."""
    if isinstance(value, (dict, list, tuple)) and depth > MAX_JSON_DEPTH:  # containers nest; scalars do not
        raise ValueError(f"hyperparameters nest deeper than {MAX_JSON_DEPTH} levels (counting the metadata object)")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"hyperparameter keys must be str, got {key!r} in {where}")
            _check_string(key, f"key {key!r} in {where}")
            _check_json_value(item, f"{where}[{key!r}]", depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json_value(item, f"{where}[{i}]", depth + 1)
    elif isinstance(value, str):
        _check_string(value, where)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where} = {value} is not finite; JSON numbers must be finite")
    elif value is None or isinstance(value, (bool, int)):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2 ** 1024:
            raise ValueError(f"{where} is an integer too large for a float64")
    else:
        raise TypeError(f"{where} is a {type(value).__name__}; hyperparameters must be JSON values "
                        "(dict, list, str, int, float, bool, None)")


def _check_string(s: str, where: str) -> None:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{where} holds a lone surrogate") from None


def check_hyperparameters(hyperparameters: Any) -> None:
    """The writer's rule D4 on the hyper-parameters alone: a dict of JSON values, finite numbers, no
    lone surrogates, at most ``MAX_JSON_DEPTH`` deep. The bridge calls it too, before the JSON text
    crosses to C# (JSON text cannot carry NaN, so C# could not be asked).

    Raises
    ------
    TypeError
        Not a dict, a non-str key, or a value that is no JSON type.
    ValueError
        A non-finite number, a lone surrogate, too deep, an integer past float64.
    """
    if not isinstance(hyperparameters, dict):
        raise TypeError(f"hyperparameters must be a dict, got {type(hyperparameters).__name__}")
    _check_json_value(hyperparameters, "hyperparameters", 2)


def encode(cell: str, activation: str, hyperparameters: dict[str, Any], *, num_layers: int | None = None,
           bidirectional: bool = False) -> bytes:
    """The metadata bytes a writer stores, ``json.dumps(..., sort_keys=True)``, checked by :func:`parse`:
    version 2 for a cell, version 3 (with ``num_layers`` and ``bidirectional``) when ``num_layers`` is given.

    Raises
    ------
    TypeError
        ``hyperparameters`` is not a dict of JSON values.
    ValueError
        A rule of D would fail (a non-finite number, a lone surrogate, too deep, too large).
    """
    check_hyperparameters(hyperparameters)
    metadata = {"format": FORMAT, "version": VERSION, "cell": cell, "activation": activation,
                "hyperparameters": hyperparameters}
    if num_layers is not None:
        metadata.update(version=STACK_VERSION, num_layers=num_layers, bidirectional=bool(bidirectional))
    raw = json.dumps(metadata, sort_keys=True, allow_nan=False).encode("ascii")
    try:
        parse(raw)
    except ModelFileError as error:  # e.g. {1: 'a', '1': 'b'} would repeat a key
        raise ValueError(f"the hyperparameters would make invalid metadata: {error}") from None
    return raw
