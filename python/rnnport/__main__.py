"""``python -m rnnport COMMAND``: the project's command line.

Commands that need the C# model (``verify``) must run where .NET can be loaded: inside the host
(``dotnet/pyhost -m rnnport …``) or with pythonnet installed from PyPI.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

from rnnport import verify


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rnnport")
    commands = parser.add_subparsers(dest="command", required=True)
    verify.add_arguments(commands.add_parser("verify", help="compare the NumPy and C# models step by step"))
    args = parser.parse_args(argv)
    if args.command == "verify":
        return verify.run(args)
    raise AssertionError(args.command)  # argparse's `required=True` rules this out


if __name__ == "__main__":
    sys.exit(main())
