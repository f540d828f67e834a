"""rnnport: the seed article's vanilla RNN in NumPy, kept in step with its C# port.

``rnnport.RNN`` is the NumPy model (column vectors). ``rnnport.dotnet.DotNetRNN`` is the C# model
(``RnnPort.RNN`` on MathNet.Numerics, row vectors) behind the same API, reached through pythonnet;
importing ``rnnport`` alone never loads .NET.

The package is arranged by concern, as the C# library is (README, "Layout"): ``cells`` (the models
and their BPTT), ``training`` (loss, clipping, optimisers, sampling, the character-model demo),
``io`` (the model file, atomic writes), ``numerics`` (argument checks, the non-finite rule, the
fast and exact kernels), ``verify`` (the cross-language comparison and its bounds), ``cli`` (the
command line) and ``dotnet`` (the bridge). The names below were modules of the flat package and
stay attributes of it: ``from rnnport import modelfile, bptt, optim, sampling`` keeps working.
"""
from rnnport import source_tree
from rnnport.cells import rnn_bptt as bptt
from rnnport.cells.rnn import RNN
from rnnport.cells.stack import RecurrentStack
from rnnport.io import model_file as modelfile
from rnnport.training import optimizers as optim
from rnnport.training import sampling

__all__ = ["RNN", "RecurrentStack", "bptt", "modelfile", "optim", "sampling"]
__version__: str = source_tree.version()  # version.txt, in a checkout or through the wheel's metadata
