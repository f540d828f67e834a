"""Writing a matplotlib figure the way every other output is written: atomically, format from the suffix."""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Any, Iterator

from rnnport.io.atomic import atomic_write


def figure_format(path: str) -> str:
    """The image format ``path``'s suffix names (``png`` when it has none); ValueError if matplotlib cannot write it."""
    from matplotlib.backend_bases import FigureCanvasBase

    suffix = os.path.splitext(path)[1][1:].lower() or "png"
    supported = FigureCanvasBase.get_supported_filetypes()
    if suffix not in supported:
        raise ValueError(f"cannot write a plot as '.{suffix}': expected one of {', '.join(sorted(supported))}")
    return suffix


def save_figure(figure: Any, path: str) -> None:
    """``figure.savefig(path)`` through :func:`rnnport.io.atomic.atomic_write`: a failure leaves any old file intact."""
    image_format = figure_format(path)
    with atomic_write(path) as stream:
        figure.savefig(stream, format=image_format)


@contextmanager
def figure_file(path: str, size: tuple[float, float], rows: int = 1) -> Iterator[Any]:
    """Matplotlib axes of ``size`` inches to draw on (``rows`` > 1: an array of ``rows`` panels sharing
    the x axis); on leaving the block the figure is laid out, written to ``path`` by :func:`save_figure`
    and closed (closed also when drawing or writing fails)."""
    import matplotlib

    matplotlib.use("Agg")  # no display: files only
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(rows, 1, figsize=size, dpi=100, sharex=True)
    try:
        yield axes
        figure.tight_layout()
        save_figure(figure, path)
    finally:
        plt.close(figure)
