"""A short soak (10,000 calls) in every `make test`; the 10⁶-call run is `make soak`."""
from __future__ import annotations

from soak import LIMIT_MB, soak


def test_ten_thousand_calls_do_not_grow_memory():
    """Steps, sequences, raising calls and BPTT chunks: RSS and managed heap grow < 10 MB after warm-up."""
    report = soak(10_000, max_seconds=120)
    assert report["calls"] == 10_000 and report["errors_raised"] == 2_500
    assert report["rss_growth_mb"] < LIMIT_MB, report
    assert report["managed_growth_mb"] < LIMIT_MB, report
