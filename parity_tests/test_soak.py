"""A short soak (10,000 calls) in every `make test`; the 10⁶-call run is `make soak`."""
from __future__ import annotations

import numpy as np
import pytest

from soak import EXPECTED, KINDS, LIMIT_MB, calls_by_kind, growth_per_call, soak

from rnnport import dotnet

# A leak of the size pythonnet's constructor path had (about 3.5 KB per rejected call) against the
# noise of RSS after a warm-up (well under 0.5 KB per call over 10⁴ calls here).
LEAKING, CLEAN = 2000.0, 1000.0


def test_ten_thousand_calls_do_not_grow_memory():
    """Every kind of call, accepted and rejected, 10⁴ in all: RSS and managed heap grow < 10 MB after warm-up."""
    report = soak(10_000, max_seconds=120)
    cycles, rest = divmod(10_000, len(KINDS))  # the calls cycle through KINDS in order
    rejected = cycles * len(EXPECTED) + sum(kind in EXPECTED for kind in KINDS[:rest])
    assert report["calls"] == 10_000 and report["errors_raised"] == rejected
    assert report["rss_growth_mb"] < LIMIT_MB, report
    assert report["managed_growth_mb"] < LIMIT_MB, report


@pytest.mark.parametrize("kind", ["reject-rnn-nan", "reject-rnn-shape", "reject-sgd", "reject-adagrad",
                                  "reject-save-vocabulary", "reject-lstm-nan", "reject-gru-shape",
                                  "reject-stack-shape"])
def test_rejected_constructors_do_not_leak(tmp_path, kind):
    """Each rejected .NET constructor, 10⁴ times through the bridge: under 1 KB of RSS per call."""
    call = calls_by_kind(tmp_path)[kind]
    per_call = growth_per_call(call, 10_000, EXPECTED[kind])
    assert per_call < CLEAN, f"{kind}: {per_call:.0f} B of RSS per call"


def test_the_measure_sees_a_throwing_constructor_leak():
    """Negative control: the .NET constructor called directly, throwing into Python, is seen leaking."""
    net = dotnet.load()
    bridged = growth_per_call(lambda: dotnet.SGD(-0.1), 10_000, ValueError)  # first: the leak below stays
    raw = growth_per_call(lambda: net.Sgd(-0.1), 10_000, net.System.ArgumentOutOfRangeException)
    assert bridged < CLEAN < LEAKING < raw, f"bridge {bridged:.0f} B, raw constructor {raw:.0f} B of RSS per call"


def test_every_rejection_arrives_as_its_python_error(tmp_path):
    """The soak's rejected kinds raise exactly their documented Python type (not a .NET one)."""
    calls = calls_by_kind(tmp_path)
    for kind, error in EXPECTED.items():
        with pytest.raises(error) as caught:
            calls[kind]()
        assert type(caught.value).__module__ in ("builtins", "rnnport.io.model_file_error", "rnnport.io.atomic"), \
            (kind, type(caught.value))
        assert "\n" not in str(caught.value)
    assert np.isfinite(calls["forward"]()[0]).all()
