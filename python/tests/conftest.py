"""Fixtures for the NumPy-only tests: these never load .NET."""
from __future__ import annotations

import numpy as np
import pytest

from rnnport import RNN
from rnnport.verify.cases import make_case


@pytest.fixture
def rnn() -> RNN:
    """I=3, H=4, O=2, seeded, after three steps so that its state is not h0."""
    case = make_case(3, 4, 2, T=3, seed=0)
    model = case.numpy_model()
    model.forward(case.xs)
    return model
