"""The corpus cases of version 3 (stacks: section S, D8 and the version-3 parts of Z1, Z4, M, V, D of
``docs/model-file.md``), added by ``generate.py``. Verdicts written by hand from the specification.

``g`` is the generator's namespace (its ``npy``, ``archive``, ``savez``, ``build``, ``Entry`` …).
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Callable

import numpy as np

ACCEPT, REFUSE = "accept", "refuse"
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
KINDS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
HYPER = {"source": "torch state_dict"}


def names(L: int, D: int, kinds: tuple[str, ...] = KINDS) -> list[str]:
    """Torch's names in writer order (per layer, per direction)."""
    return [f"{kind}_l{k}{s}" for k in range(L) for s in ("", "_reverse")[:D] for kind in kinds]


def stack_arrays(cell: str, L: int, D: int, *, bias: bool = True, output: bool = True, I: int = 4, H: int = 3,
                 O: int = 4, seed: int = 0) -> dict[str, np.ndarray]:
    """A stack's float entries in writer order (section S's table), deterministic."""
    rng = np.random.default_rng(20261129 + seed)
    rows, arrays = GATES[cell] * H, {}
    for name in names(L, D, KINDS if bias else KINDS[:2]):
        layer = int(name.split("_l")[1].split("_")[0])
        if name.startswith("weight_ih"):
            arrays[name] = rng.normal(size=(rows, I if layer == 0 else D * H)) / 2
        elif name.startswith("weight_hh"):
            arrays[name] = rng.normal(size=(rows, H)) / 4
        else:
            arrays[name] = rng.normal(size=rows) / 10
    if output:
        arrays["W_hy"] = rng.normal(size=(O, D * H))
        arrays["b_y"] = rng.normal(size=O) / 10
    arrays["h0"] = rng.normal(size=(L * D, H)) / 10
    if cell == "lstm":
        arrays["c0"] = rng.normal(size=(L * D, H)) / 10
    return arrays


def stack_metadata(cell: str, L: object, bidirectional: object, activation: str = "tanh", /, **overrides: object) -> bytes:
    """Version-3 metadata as the writers write it (``DROP`` in ``overrides`` removes a key)."""
    value = {"activation": activation, "bidirectional": bidirectional, "cell": cell, "format": "rnnport-model",
             "hyperparameters": HYPER, "num_layers": L, "version": 3, **overrides}
    return json.dumps({k: v for k, v in value.items() if v is not DROP}, sort_keys=True).encode()


DROP = object()


def cases(add: Callable, g: SimpleNamespace) -> None:
    """Add every version-3 case."""

    def entries(arrays: dict, meta: bytes, vocab: str | list[int] = "") -> dict[str, bytes]:
        codes = np.array([ord(c) for c in vocab] if isinstance(vocab, str) else vocab, dtype="<i4")
        out = {f"{k}.npy": v if isinstance(v, bytes) else g.npy(np.asarray(v, dtype="<f8")) for k, v in arrays.items() if v is not None}
        out["vocabulary.npy"] = g.npy(codes)
        out["metadata.npy"] = g.npy(np.frombuffer(meta, dtype=np.uint8))
        return out

    def stack(cell: str = "gru", L: int = 2, D: int = 2, *, changes: dict | None = None, meta: bytes | None = None,
              vocab: str | list[int] = "abcd", activation: str = "tanh", **kw: object) -> bytes:
        """The archive (C# layout) of a stack, with entries replaced (None drops one) or added."""
        arrays = {**stack_arrays(cell, L, D, **kw), **(changes or {})}
        return g.archive(entries(arrays, stack_metadata(cell, L, D == 2, activation) if meta is None else meta, vocab))

    # Accepted: every cell × L 1…3 × D 1, 2; biases, output layer and vocabulary varied across them.
    for cell in GATES:
        for L in (1, 2, 3):
            for D in (1, 2):
                i = L + 3 * D + len(cell)
                bias, output = i % 2 == 0, i % 3 != 0
                O = 4 if output else D * 3
                vocab = "abcd" if O == 4 else ""
                add(f"valid-v3-{cell}-L{L}-D{D}", "M1", ACCEPT,
                    f"a {cell} stack, num_layers {L}, {'bi' if D == 2 else 'uni'}directional, biases {'on' if bias else 'off'}, "
                    f"W_hy {'on' if output else 'off'}, V = {len(vocab)}",
                    lambda cell=cell, L=L, D=D, bias=bias, output=output, vocab=vocab:
                    stack(cell, L, D, bias=bias, output=output, vocab=vocab))
    add("valid-v3-savez", "M1", ACCEPT, "np.savez of a bidirectional 2-layer LSTM stack (zip64 local extras)",
        lambda: g.savez({**stack_arrays("lstm", 2, 2), "vocabulary": np.array([ord(c) for c in "abcd"], dtype="<i4"),
                         "metadata": np.frombuffer(stack_metadata("lstm", 2, True), dtype=np.uint8)}))
    add("valid-v3-rnn-relu", "D7", ACCEPT, "an RNN stack whose nonlinearity is relu", lambda: stack("rnn", 2, 1, activation="relu"))
    add("valid-v3-W_hy-without-b_y", "M7", ACCEPT, "W_hy without b_y", lambda: stack("gru", 2, 2, changes={"b_y": None}))
    add("valid-v3-vocabulary-without-W_hy", "V1", ACCEPT, "no W_hy: O = D·H = 4 = I = V (H = 2, bidirectional)",
        lambda: stack("lstm", 2, 2, H=2, output=False, vocab="wxyz"))
    add("valid-v3-no-biases-no-output", "M6", ACCEPT, "no biases at all, no output layer, V = 0 (torch's bias=False)",
        lambda: stack("rnn", 3, 2, bias=False, output=False, vocab=""))
    add("valid-v3-64-layers", "D8", ACCEPT, "num_layers = MAX_LAYERS, a GRU with H = I = O = 1",
        lambda: stack("gru", 64, 1, I=1, H=1, O=1, vocab="z"))
    add("valid-v3-max-entries", "Z1", ACCEPT, "MAX_ENTRIES entries: a bidirectional 64-layer LSTM with every bias, W_hy, b_y",
        lambda: stack("lstm", 64, 2, I=1, H=1, O=1, vocab=""))
    add("Z1-too-many-entries", "Z1", REFUSE, "MAX_ENTRIES + 1 entries (the largest stack and one more)",
        lambda: g.archive({**entries(stack_arrays("lstm", 64, 2, I=1, H=1, O=1), stack_metadata("lstm", 64, True)),
                           "x.npy": g.npy(np.zeros(1))}))

    # Z4: torch names outside the pattern
    for bad, why in (("weight_ih_l64", "layer 64 (MAX_LAYERS − 1 is the last)"), ("weight_ih_l01", "a leading zero"),
                     ("weight_hr_l0", "an LSTM projection (proj_size > 0)"), ("weight_ih_l0_reversed", "'_reversed'"),
                     ("weight_ih_l-1", "a negative layer"), ("bias_l0", "no ih/hh")):
        add(f"Z4-stack-{bad}", "Z4", REFUSE, f"an entry '{bad}.npy': {why}",
            lambda bad=bad: stack(changes={bad: np.zeros((9, 4))}))

    # D5–D8: the version-3 metadata
    gru = lambda **kw: stack(meta=stack_metadata("gru", 2, True, **kw))  # noqa: E731
    add("D5-stack-missing-bidirectional", "D5", REFUSE, "version 3 without 'bidirectional'", lambda: gru(bidirectional=DROP))
    add("D5-stack-missing-cell", "D5", REFUSE, "num_layers and bidirectional without 'cell'", lambda: gru(cell=DROP))
    add("D5-stack-extra-key", "D5", REFUSE, "version 3 with an extra 'batch_first'", lambda: gru(batch_first=False))
    add("D6-version-4", "D6", REFUSE, "version 4", lambda: gru(version=4))
    add("D7-version-2-with-stack-keys", "D7", REFUSE, "version 2 with num_layers and bidirectional", lambda: gru(version=2))
    add("D7-version-3-without-stack-keys", "D7", REFUSE, "version 3 with cell but no num_layers, bidirectional",
        lambda: gru(num_layers=DROP, bidirectional=DROP))
    add("D7-version-1-with-stack-keys", "D7", REFUSE, "version 1 with cell, num_layers and bidirectional", lambda: gru(version=1))
    add("D7-stack-gru-relu", "D7", REFUSE, "a GRU stack whose activation is relu", lambda: gru(activation="relu"))
    add("D7-stack-cell-unknown", "D7", REFUSE, "a stack of cell 'transformer'", lambda: gru(cell="transformer"))
    raw = lambda key, token: stack(meta=stack_metadata("gru", 2, True, **{key: "X"}).replace(b'"X"', token))  # noqa: E731
    for slug, token, why in (("0", b"0", "0 layers"), ("65", b"65", "MAX_LAYERS + 1"), ("float", b"2.0", "2.0, not an integer token"),
                             ("exponent", b"2e0", "2e0, not an integer token"), ("true", b"true", "true"),
                             ("string", b'"2"', 'the string "2"'), ("negative", b"-1", "-1"), ("null", b"null", "null"),
                             ("array", b"[2]", "an array [2]"), ("huge", b"100000000000000000000", "an integer past 64 bits")):
        add(f"D8-num_layers-{slug}", "D8", REFUSE, f"num_layers {why}", lambda token=token: raw("num_layers", token))
    for token, why in ((b'"yes"', "yes"), (b"1", "1"), (b"null", "null"), (b'"true"', "the-string-true")):
        add(f"D8-bidirectional-{why}", "D8", REFUSE, f"bidirectional {token.decode()}", lambda token=token: raw("bidirectional", token))

    # M1: the entries of this stack, no other
    add("M1-stack-missing-layer-key", "M1", REFUSE, "a 2-layer stack without weight_hh_l1", lambda: stack(changes={"weight_hh_l1": None}))
    add("M1-stack-missing-reverse", "M1", REFUSE, "a bidirectional stack without weight_ih_l1_reverse",
        lambda: stack(changes={"weight_ih_l1_reverse": None}))
    add("M1-stack-extra-layer", "M1", REFUSE, "a 2-layer file with layer 2's weights as well",
        lambda: stack(L=2, D=1, changes={"weight_ih_l2": np.zeros((9, 3)), "weight_hh_l2": np.zeros((9, 3))}))
    add("M1-stack-reverse-in-unidirectional", "M1", REFUSE, "weight_ih_l0_reverse in a unidirectional file",
        lambda: stack(L=1, D=1, changes={"weight_ih_l0_reverse": np.zeros((9, 4))}))
    add("M1-stack-gap-in-layers", "M1", REFUSE, "num_layers 3 with layers 0, 1 and 3 (no layer 2)",
        lambda: stack(L=3, D=1, changes={"weight_ih_l2": None, "weight_hh_l2": None, "bias_ih_l2": None, "bias_hh_l2": None,
                                         "weight_ih_l3": np.zeros((9, 3)), "weight_hh_l3": np.zeros((9, 3))}))
    add("M1-stack-missing-h0", "M1", REFUSE, "a stack without h0", lambda: stack(changes={"h0": None}))
    add("M1-stack-lstm-missing-c0", "M1", REFUSE, "an LSTM stack without c0", lambda: stack("lstm", changes={"c0": None}))
    add("M1-stack-gru-with-c0", "M1", REFUSE, "a GRU stack with a c0", lambda: stack(changes={"c0": np.zeros((4, 3))}))
    add("M1-stack-with-W_xh", "M1", REFUSE, "a stack with a single cell's W_xh", lambda: stack(changes={"W_xh": np.zeros((3, 4))}))
    add("M1-stack-with-b_h", "M1", REFUSE, "an RNN stack with a single RNN's b_h", lambda: stack("rnn", changes={"b_h": np.zeros(3)}))
    add("M1-stack-as-v2", "M1", REFUSE, "stack arrays under version-2 metadata (cell 'gru')",
        lambda: stack(meta=g.cell_metadata("gru")))
    add("M1-v2-with-torch-name", "M1", REFUSE, "a version-2 GRU with a torch name weight_ih_l0 as well",
        lambda: g.archive(g.cell_entries("gru", arrays={"b_y": None, "weight_ih_l0": np.zeros((18, 4))})))
    add("M1-stack-more-layers-than-file", "M1", REFUSE, "a 2-layer file whose metadata says num_layers 3",
        lambda: stack(L=2, D=2, meta=stack_metadata("gru", 3, True)))
    add("M1-stack-unidirectional-metadata", "M1", REFUSE, "a bidirectional file whose metadata says bidirectional false",
        lambda: stack(L=2, D=2, meta=stack_metadata("gru", 2, False)))

    # M6: biases all or none; M7: b_y only with W_hy
    add("M6-stack-layer-1-biases-missing", "M6", REFUSE, "layer 0's biases without layer 1's",
        lambda: stack(L=2, D=1, changes={"bias_ih_l1": None, "bias_hh_l1": None}))
    add("M6-stack-bias-ih-only", "M6", REFUSE, "every bias_ih, no bias_hh (a dropped bias_hh)",
        lambda: stack(changes={n: None for n in names(2, 2, ("bias_hh",))}))
    add("M6-stack-reverse-bias-missing", "M6", REFUSE, "bias_hh_l1_reverse alone missing",
        lambda: stack(changes={"bias_hh_l1_reverse": None}))
    add("M6-stack-one-bias", "M6", REFUSE, "only bias_ih_l0 in a stack without biases",
        lambda: stack(bias=False, changes={"bias_ih_l0": np.zeros(9)}))
    add("M7-stack-b_y-without-W_hy", "M7", REFUSE, "b_y without W_hy", lambda: stack(changes={"W_hy": None}))

    # M3: dimensions
    add("M3-stack-h0-1d", "M3", REFUSE, "h0 of shape (12,), not (L·D, H)", lambda: stack(changes={"h0": np.zeros(12)}))
    add("M3-stack-c0-1d", "M3", REFUSE, "an LSTM stack's c0 of shape (3,)", lambda: stack("lstm", changes={"c0": np.zeros(3)}))
    add("M3-stack-bias-2d", "M3", REFUSE, "bias_ih_l1 of shape (1, 9)", lambda: stack(changes={"bias_ih_l1": np.zeros((1, 9))}))
    add("M3-stack-weight-1d", "M3", REFUSE, "weight_hh_l1_reverse of shape (27,)",
        lambda: stack(changes={"weight_hh_l1_reverse": np.zeros(27)}))

    # M4: shapes, layer ≥ 1 included
    add("M4-stack-weight_ih_l1-columns", "M4", REFUSE, "weight_ih_l1 (9, 3) in a bidirectional stack: I_1 = D·H = 6",
        lambda: stack(changes={"weight_ih_l1": np.zeros((9, 3))}))
    add("M4-stack-weight_ih_l1_reverse-columns", "M4", REFUSE, "weight_ih_l1_reverse (9, 4): the input size, not D·H",
        lambda: stack(changes={"weight_ih_l1_reverse": np.zeros((9, 4))}))
    add("M4-stack-weight_hh_l2-rows", "M4", REFUSE, "weight_hh_l2 (12, 3) in a GRU stack: G·H = 9",
        lambda: stack(L=3, D=1, changes={"weight_hh_l2": np.zeros((12, 3))}))
    add("M4-stack-bias-length-layer-1", "M4", REFUSE, "bias_hh_l1_reverse (8,)", lambda: stack(changes={"bias_hh_l1_reverse": np.zeros(8)}))
    add("M4-stack-h0-rows", "M4", REFUSE, "h0 (L, H) = (2, 3) in a bidirectional stack: L·D = 4 rows",
        lambda: stack(changes={"h0": np.zeros((2, 3))}))
    add("M4-stack-c0-columns", "M4", REFUSE, "c0 (4, 2): H = 3", lambda: stack("lstm", changes={"c0": np.zeros((4, 2))}))
    add("M4-stack-W_hy-columns", "M4", REFUSE, "W_hy (4, 3) in a bidirectional stack: D·H = 6 columns",
        lambda: stack(changes={"W_hy": np.zeros((4, 3))}))
    add("M4-stack-b_y-length", "M4", REFUSE, "b_y (5,) with W_hy (4, 6)", lambda: stack(changes={"b_y": np.zeros(5)}))
    add("M4-stack-rnn-as-gru", "M4", REFUSE, "an RNN stack's arrays (H rows) under cell 'gru' (3H rows)",
        lambda: stack("rnn", meta=stack_metadata("gru", 2, True)))
    add("M4-stack-H-zero", "M4", REFUSE, "a stack with H = 0 and no output layer",
        lambda: stack("rnn", L=1, D=1, H=0, output=False, vocab=""))

    # M5: finite, in every layer
    def poisoned(name: str, value: float, at: int) -> Callable[[], bytes]:
        def make() -> bytes:
            array = stack_arrays("gru", 3, 2)[name].copy()
            array.reshape(-1)[at] = value
            return stack(L=3, changes={name: array})
        return make

    add("M5-stack-nan-layer-2", "M5", REFUSE, "NaN in weight_hh_l2", poisoned("weight_hh_l2", np.nan, 5))
    add("M5-stack-inf-layer-2-reverse", "M5", REFUSE, "-Inf in bias_ih_l2_reverse", poisoned("bias_ih_l2_reverse", -np.inf, 8))
    add("M5-stack-nan-h0", "M5", REFUSE, "NaN in h0's last row", poisoned("h0", np.nan, 17))
    add("M5-stack-inf-W_hy", "M5", REFUSE, "+Inf in W_hy", poisoned("W_hy", np.inf, 0))

    # V1 with the stack's O
    add("V1-stack-without-W_hy", "V1", REFUSE, "no W_hy: O = D·H = 6, but V = I = 4",
        lambda: stack(output=False, vocab="abcd"))
    add("V1-stack-O-3", "V1", REFUSE, "W_hy with O = 3 and V = 4", lambda: stack(O=3, vocab="abcd"))
