"""rnnport: the seed article's vanilla RNN in NumPy, kept in step with its C# port.

``rnnport.RNN`` is the NumPy model (column vectors). ``rnnport.dotnet.DotNetRNN`` is the C# model
(``RnnPort.RNN`` on MathNet.Numerics, row vectors) behind the same API, reached through pythonnet;
importing ``rnnport`` alone never loads .NET.
"""
from rnnport.rnn import RNN

__all__ = ["RNN"]
__version__ = "0.1.0"
