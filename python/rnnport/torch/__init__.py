"""PyTorch weights in and out: the only package of rnnport that imports torch (lazily, inside functions).

:mod:`rnnport.torch.state_dict` converts a plain mapping of arrays named as torch names them
(``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``) and needs no torch;
:mod:`rnnport.torch.modules` reads and builds ``torch.nn.RNN``, ``LSTM`` and ``GRU`` modules;
:mod:`rnnport.torch.load_file` reads a ``.pt`` state_dict with ``weights_only=True``.
A first slice: one layer, one direction (docs/porting.md, "From PyTorch, a first slice").
"""
from rnnport.torch.state_dict import StateDictError, from_state_dict, infer_cell, to_state_dict
from rnnport.torch.load_file import load_state_dict
from rnnport.torch.modules import from_torch, to_torch

__all__ = ["StateDictError", "from_state_dict", "from_torch", "infer_cell", "load_state_dict", "to_state_dict", "to_torch"]
