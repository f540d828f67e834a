"""The bridge to the C# library: its models and functions behind the NumPy package's API and layout.

This package is the only part of rnnport that talks to .NET; its .NET half is the ``RnnPort.Bridge``
project. It mirrors the NumPy package, one module per twin:

=================  ===========================================  =====================================
module             what                                         NumPy twin
=================  ===========================================  =====================================
``runtime``        :func:`load`: start .NET, find the assemblies
``transfer``       arrays across (``to_net``/``from_net``, one
                   block copy each), argument checks C# cannot do
``errors``         .NET exceptions as typed one-line Python ones
``rnn``            :class:`DotNetRNN`                           :class:`rnnport.cells.rnn.RNN`
``rnn_bptt``       :func:`bptt`, :class:`DotNetGradients`       :mod:`rnnport.cells.rnn_bptt`
``gru``            :class:`DotNetGRU`                           :class:`rnnport.cells.gru.GRU`
``gru_bptt``       :func:`gru_bptt` and its gradients           :mod:`rnnport.cells.gru_bptt`
``stack``          :class:`DotNetRecurrentStack`,               :class:`rnnport.cells.stack.RecurrentStack`,
                   :func:`stack_bptt`                           :func:`rnnport.cells.stack_bptt.bptt`
``clipping``       ``clip_elementwise``, ``clip_global_norm``   :mod:`rnnport.training.clipping`
``optimizers``     :class:`SGD`, :class:`Adagrad`               :mod:`rnnport.training.optimizers`
``sampling``       :func:`sample`                               :mod:`rnnport.training.sampling`
``model_file``     :func:`save`, :func:`load_model`             :mod:`rnnport.io.model_file`
``training``       ``train`` (the C# ``CharTrainer``)            :mod:`rnnport.training.char_model`
=================  ===========================================  =====================================

Importing this package does not start .NET; the first call that needs it does (:func:`load`).
"""
from rnnport.dotnet.clipping import clip_elementwise, clip_global_norm
from rnnport.dotnet.gru import DotNetGRU
from rnnport.dotnet.gru_bptt import DotNetGruGradients, gru_bptt
from rnnport.dotnet.model_file import load_model, save
from rnnport.dotnet.optimizers import SGD, Adagrad
from rnnport.dotnet.rnn import DotNetRNN
from rnnport.dotnet.rnn_bptt import DotNetGradients, bptt
from rnnport.dotnet.runtime import load
from rnnport.dotnet.sampling import sample
from rnnport.dotnet.stack import DotNetRecurrentStack, DotNetStackGradients, stack_bptt
from rnnport.dotnet.transfer import fits_net, from_net, to_net

__all__ = ["Adagrad", "DotNetGRU", "DotNetGradients", "DotNetGruGradients", "DotNetRNN", "DotNetRecurrentStack",
           "DotNetStackGradients", "SGD", "bptt", "clip_elementwise", "clip_global_norm", "fits_net", "from_net",
           "gru_bptt", "load", "load_model", "sample", "save", "stack_bptt", "to_net"]
