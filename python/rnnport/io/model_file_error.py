"""The one error a model-file reader raises. C# twin: ``RnnPort.ModelFileException``."""
from __future__ import annotations


class ModelFileError(ValueError):
    """The file is not a valid rnnport model file (``docs/model-file.md``); the message says which rule failed."""
