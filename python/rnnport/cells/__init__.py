"""The recurrent cells, one module per cell with its BPTT beside it (``rnn.py``, ``rnn_bptt.py``;
``lstm.py``, ``lstm_bptt.py``; ``gru.py``, ``gru_bptt.py``).

Every cell keeps the article's column convention and lists its parameters once, in order
(``rnn.PARAMETERS``); its C# twin lives in ``dotnet/src/RnnPort/Cells/`` and its bridge twin in
``rnnport.dotnet``.
"""
from rnnport.cells.gru import GRU
from rnnport.cells.lstm import LSTM
from rnnport.cells.rnn import RNN

__all__ = ["GRU", "LSTM", "RNN"]
