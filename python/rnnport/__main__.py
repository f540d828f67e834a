"""``python -m rnnport COMMAND``: see :mod:`rnnport.cli`."""
import sys

from rnnport.cli import main

if __name__ == "__main__":
    sys.exit(main())
