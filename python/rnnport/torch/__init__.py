"""PyTorch weights in and out: the only package of rnnport that imports torch (lazily, inside functions).

:mod:`rnnport.torch.state_dict` converts a plain mapping of arrays named as torch names them
(``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, ``…_l1``, ``…_reverse``) to a
``RecurrentStack`` and back, and needs no torch; :mod:`rnnport.torch.modules` reads and builds
``torch.nn.RNN``, ``LSTM`` and ``GRU`` modules (any ``num_layers``, ``bidirectional``, ``bias``);
:mod:`rnnport.torch.load_file` reads a ``.pt`` state_dict with ``weights_only=True``.
:mod:`rnnport.torch.single_cell` keeps the first slice's one-layer conversion to a single cell
(``cell_from_state_dict``, ``cell_from_torch``), which the model file version 2 stores.
"""
from rnnport.torch.common import StateDictError
from rnnport.torch.load_file import load_state_dict
from rnnport.torch.modules import cell_from_torch, from_torch, to_torch
from rnnport.torch.single_cell import cell_from_state_dict, cell_to_state_dict
from rnnport.torch.state_dict import StackShape, from_state_dict, infer_cell, infer_stack, to_state_dict

__all__ = ["StackShape", "StateDictError", "cell_from_state_dict", "cell_from_torch", "cell_to_state_dict",
           "from_state_dict", "from_torch", "infer_cell", "infer_stack", "load_state_dict", "to_state_dict", "to_torch"]
