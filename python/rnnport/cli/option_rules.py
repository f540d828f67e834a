"""The value rules of the options both command lines share, read from ``option_rules.json``.

``python -m rnnport train | sample`` and ``rnnport-cli train | sample`` (``RnnPort.Cli.OptionRules``,
which embeds the same file) both check every value against that one file, before any work, with
the same one-line messages. docs/cli.md explains the rules; a value is

- ``int``: decimal digits with an optional sign, in [min, max];
- ``float``: a decimal number (no ``inf``, ``nan`` or ``_``), finite and > ``above``;
- ``choice``: one of ``choices``;
- ``char``: exactly one Unicode code point.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import stat
from functools import cache
from pathlib import Path
from typing import Any, Callable

SPEC_FILE = Path(__file__).with_name("option_rules.json")


class UsageError(ValueError):
    """A bad command-line value or file: one line on stderr, exit status 2."""


@cache
def spec() -> dict[str, Any]:
    """The parsed ``option_rules.json`` (read once; the dict is shared, do not modify it)."""
    return json.loads(SPEC_FILE.read_text(encoding="utf-8"))


def max_elements() -> int:
    """The largest array a command may allocate (2^28, the model file's limit per array)."""
    return int(spec()["max_elements"])


def options(command: str) -> dict[str, dict[str, Any]]:
    """The rules of ``command``'s options, by option name (without ``--``)."""
    return spec()["commands"][command]


def output_default(command: str, name: str) -> str:
    """The default path of ``command``'s output option ``--name`` (``train --out``: ``model.npz``)."""
    return spec()["outputs"][command][name]


def default(command: str, name: str) -> Any:
    """The default of ``command --name`` (None when it has none): the one place a default is written."""
    return options(command)[name]["default"]


def parse(command: str, name: str, text: str | None) -> Any:
    """The value of ``--name text`` for ``command`` (the default when ``text`` is None), or UsageError."""
    rule = options(command)[name]
    if text is None:
        return default(command, name)
    kind = rule["kind"]
    if kind == "int":
        value = int(text) if re.fullmatch(spec()["syntax"]["int"], text) else None
        if value is None or not rule["min"] <= value <= rule["max"]:
            raise UsageError(f"--{name} expects an integer in [{rule['min']}, {rule['max']}], got '{text}'")
        return value
    if kind == "float":
        number = float(text) if re.fullmatch(spec()["syntax"]["float"], text) else math.nan
        if not (math.isfinite(number) and number > rule["above"]):
            raise UsageError(f"--{name} expects a finite number > {rule['above']}, got '{text}'")
        return number
    if kind == "choice":
        if text not in rule["choices"]:
            raise UsageError(f"--{name} expects one of {', '.join(rule['choices'])}, got '{text}'")
        return text
    if kind == "char":
        if len(text) != 1:
            raise UsageError(f"--{name} expects one character, got '{text}'")
        return text
    raise AssertionError(f"unknown kind {kind!r} in {SPEC_FILE.name}")


def integer_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse ``type`` for the options that are not in option_rules.json (``verify``'s sizes, ``corpus``'s):
    decimal text of an integer in [low, high], or ``ArgumentTypeError`` (a usage error, exit status 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected an integer in [{low}, {high}], got '{text}'")
        return value
    return parse


def check_product(what: str, *sizes: int) -> None:
    """Raise UsageError when an array of ``sizes`` would exceed :func:`max_elements` (Python ints: no overflow)."""
    if math.prod(sizes) > max_elements():
        shape = " × ".join(str(size) for size in sizes)
        raise UsageError(f"{what} would hold {shape} = {math.prod(sizes)} numbers, more than the {max_elements()} allowed")


def input_file(path: str, what: str, max_bytes: int | None = None) -> None:
    """Raise UsageError unless ``path`` is an existing regular file (not a directory, device or FIFO)
    of at most ``max_bytes`` bytes: checked before it is opened, so nothing can hang or grow unbounded."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{what} '{path}' does not exist") from None
    except OSError as error:
        raise UsageError(f"cannot read {what} '{path}': {error.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{what} '{path}' is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{what} '{path}' is not a regular file (a device, FIFO or socket)")
    if max_bytes is not None and info.st_size > max_bytes:
        raise UsageError(f"{what} '{path}' has {info.st_size} bytes, more than the {max_bytes} accepted")


def output_file(path: str, option: str) -> None:
    """Raise UsageError unless ``path`` can be written (:func:`rnnport.io.atomic.check_writable`); '-' is refused."""
    from rnnport.io.atomic import AtomicWriteError, check_writable

    if path == "-":
        raise UsageError(f"{option} writes a file; '-' (standard output) is accepted only by verify --json")
    try:
        check_writable(path)
    except AtomicWriteError as error:
        raise UsageError(f"{option}: {error}") from None
