"""``python -m rnnport {corpus,train,sample,verify}``: parsing, checks before work, one-line errors."""
from rnnport.cli.main import main

__all__ = ["main"]
