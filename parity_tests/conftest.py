"""Parity suite: pythonnet drives the C# model next to the NumPy one.

CI runs this inside the .NET host (``dotnet/pyhost -m pytest parity_tests``), where ``clr`` is
already loaded. With pythonnet from PyPI, plain ``pytest parity_tests`` works too: the bridge then
calls ``pythonnet.load("coreclr")`` (see ``rnnport.dotnet.load``). Either way, a .NET that cannot be
loaded is an *error* here, never a skip: a parity test that did not run must not count as a pass.
"""
from __future__ import annotations

import sys

import pytest


def pytest_report_header(config):
    from rnnport import dotnet

    net = dotnet.load()
    host = "inside the .NET host" if "rnnport_pyhost_driver" in sys.modules else "pythonnet.load('coreclr')"
    return [f"rnnport.dotnet: .NET {net.System.Environment.Version} via {host}"]


@pytest.fixture(scope="session")
def DotNetRNN():
    """The bridge class; loading .NET fails the test rather than skipping it."""
    from rnnport.dotnet import DotNetRNN

    return DotNetRNN

