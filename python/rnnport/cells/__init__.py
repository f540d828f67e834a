"""The recurrent cells, one module per cell with its BPTT beside it (``rnn.py``, ``rnn_bptt.py``;
``lstm.py``, ``lstm_bptt.py``; ``gru.py``, ``gru_bptt.py``), and the stacked/bidirectional
``RecurrentStack`` built of their per-step functions (``stack.py``, ``stack_layers.py``, ``stack_bptt.py``;
docs/stacks.md).

Every cell keeps the article's column convention and lists its parameters once, in order
(``rnn.PARAMETERS``); its C# twin lives in ``dotnet/src/RnnPort/Cells/`` and its bridge twin in
``rnnport.dotnet``.

What the cells share lives beside them, one concern per module: ``parameter_store.ParameterStore``
(``parameters()``, ``apply_update``, the sizes), ``state.HiddenState`` (``h`` and the argument checks),
``gradients.GradientArrays`` (the gradients' ``parameters()``, ``arrays()`` and finiteness check) and
``sigmoid.logistic``. A new cell is its module (``PARAMETERS``, the class on those mixins, its step and
sequence), its BPTT module (a gradients dataclass on ``GradientArrays``), and the same in C#
(``NamedParameters``, ``BpttArguments``) and in the bridge (``rnnport.dotnet.twin``).
"""
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN
from rnnport.cells.stack import RecurrentStack

__all__ = ["GRU", "LSTM", "RNN", "RecurrentStack"]
