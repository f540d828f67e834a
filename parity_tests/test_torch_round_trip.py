"""torch → model file → C# → model file → torch, bit for bit (issue 11; docs/model-file.md, section S).

For every cell × num_layers {1, 2, 3} × bidirectional × bias, in float64 and float32: a torch module's
state_dict saved with ``torch.save`` → ``python -m rnnport import-torch`` (version 3 file) → C#
``ModelFile.Load`` → C# ``ModelFile.Save`` to a new file → NumPy ``model_file.load`` → ``rnnport.torch.to_torch``:
every tensor equal to the original bit for bit (a float32 original widened to float64, which is exact).
The C# stack read from the file also runs one input and must equal the NumPy exact stack at 0 ULP.
Negative controls: a swapped ``_reverse`` pair and a dropped ``bias_hh`` (folded into ``bias_ih``, as the
single-cell RNN does) in the pipeline are caught by the same comparison.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import torch

from rnnport.cells.stack import RecurrentStack
from rnnport.cli.forward import exact_twin
from rnnport.cli.main import main
from rnnport.dotnet import model_file as dotnet_model_file
from rnnport.io import model_file
from rnnport.torch import to_torch

torch.set_num_threads(1)
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
CASES = [(cell, layers, bidirectional, bias, dtype) for cell in MODULES for layers in (1, 2, 3)
         for bidirectional in (False, True) for bias in (True, False) for dtype in ("float64", "float32")]


def module_of(cell: str, layers: int, bidirectional: bool, bias: bool, dtype: str) -> torch.nn.Module:
    torch.manual_seed(layers * 8 + bidirectional * 4 + bias * 2 + (dtype == "float32"))
    extra = {"nonlinearity": "relu" if layers == 2 else "tanh"} if cell == "rnn" else {}
    module = MODULES[cell](3, 4, num_layers=layers, bidirectional=bidirectional, bias=bias, **extra)
    return module.double() if dtype == "float64" else module.float()


def round_trip(module: torch.nn.Module, tmp: Path, tamper_state: Callable[[dict], dict] = lambda s: s,
               tamper_stack: Callable[[RecurrentStack], RecurrentStack] = lambda s: s) -> tuple[Any, RecurrentStack, Any]:
    """(the torch module at the end, the NumPy stack of the C#-written file, the C# stack of the first file)."""
    torch.save(tamper_state(dict(module.state_dict())), tmp / "m.pt")
    extra = ["--nonlinearity", module.nonlinearity] if isinstance(module, torch.nn.RNN) else []
    assert main(["import-torch", str(tmp / "m.pt"), "--out", str(tmp / "first.npz"), *extra]) == 0
    from_csharp = dotnet_model_file.load_model(tmp / "first.npz")
    dotnet_model_file.save(tmp / "second.npz", from_csharp.model, from_csharp.vocabulary, from_csharp.hyperparameters)
    stack = tamper_stack(model_file.load(tmp / "second.npz").model)
    return to_torch(stack), stack, from_csharp.model


def differences(original: torch.nn.Module, final: torch.nn.Module) -> list[str]:
    """The names whose tensors differ in any bit (the original widened to float64), or are missing either side."""
    before = {k: v.detach().numpy().astype(np.float64) for k, v in original.state_dict().items()}
    after = {k: v.detach().numpy() for k, v in final.state_dict().items()}
    wrong = sorted(set(before) ^ set(after))
    for name in sorted(set(before) & set(after)):
        a, b = before[name], after[name]
        if a.shape != b.shape or b.dtype != np.float64 or not np.array_equal(a.view(np.uint64), b.view(np.uint64)):
            wrong.append(name)
    return wrong


@pytest.mark.parametrize("cell,layers,bidirectional,bias,dtype", CASES,
                         ids=[f"{c}-L{L}-{'bi' if b else 'uni'}-{'bias' if s else 'nobias'}-{d}" for c, L, b, s, d in CASES])
def test_torch_weights_come_back_bit_for_bit(cell, layers, bidirectional, bias, dtype, tmp_path):
    module = module_of(cell, layers, bidirectional, bias, dtype)
    final, stack, csharp = round_trip(module, tmp_path)
    assert differences(module, final) == []
    assert (csharp.num_layers, csharp.bidirectional, csharp.cell) == (layers, bidirectional, cell)
    xs = np.random.default_rng(layers).normal(size=(6, 3))
    numpy_ys, numpy_h, numpy_c = exact_twin(stack).forward(xs)
    csharp_ys, csharp_h, csharp_c = csharp.forward(xs)
    assert np.array_equal(numpy_ys.view(np.uint64), csharp_ys.view(np.uint64))
    assert np.array_equal(numpy_h.view(np.uint64), csharp_h.view(np.uint64))
    assert (numpy_c is None) == (csharp_c is None) and (numpy_c is None or np.array_equal(numpy_c, csharp_c))


def test_negative_control_a_swapped_reverse_pair_is_caught(tmp_path):
    module = module_of("lstm", 2, True, True, "float64")

    def swap(state: dict) -> dict:
        return {**state, "weight_hh_l1": state["weight_hh_l1_reverse"], "weight_hh_l1_reverse": state["weight_hh_l1"]}
    final, _, _ = round_trip(module, tmp_path, tamper_state=swap)
    assert differences(module, final) == ["weight_hh_l1", "weight_hh_l1_reverse"]


def test_negative_control_a_dropped_bias_hh_is_caught(tmp_path):
    """bias_hh folded into bias_ih (one bias, as the single-cell RNN keeps): close in value, not the same bits."""
    module = module_of("rnn", 1, False, True, "float64")

    def fold(stack: RecurrentStack) -> RecurrentStack:
        parameters = dict(stack.parameters())
        parameters["bias_ih_l0"] = parameters["bias_ih_l0"] + parameters["bias_hh_l0"]
        parameters["bias_hh_l0"] = np.zeros_like(parameters["bias_hh_l0"])
        return RecurrentStack("rnn", parameters, num_layers=1, nonlinearity=stack.nonlinearity)
    final, _, _ = round_trip(module, tmp_path, tamper_stack=fold)
    assert differences(module, final) == ["bias_hh_l0", "bias_ih_l0"]
