"""House style for the analysis figures: one look, fixed colours per commodity, PNG output.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``, so no global
backend or figure registry is touched (nothing happens at import time, and figures are freed with their last
reference). Each plotting function runs inside :func:`styled`, which applies the house rcParams only for its
own duration.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

__all__ = [
    "NOT_SIGNIFICANT",
    "RC",
    "SIGNIFICANT",
    "colour_map",
    "new_figure",
    "note",
    "save_png",
    "styled",
    "tonnes_formatter",
]

P = ParamSpec("P")
R = TypeVar("R")

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "axes.titlesize": 10.5,
    "axes.titleweight": "bold",
    "axes.labelsize": 9.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#e3e3e3",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "axes.edgecolor": "#666666",
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "figure.titlesize": 13,
    "figure.titleweight": "bold",
}

# Okabe–Ito: distinguishable under the common colour-vision deficiencies.
# Okabe–Ito yellow is left out: it vanishes on the light land colour of the maps.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999933", "#000000")
KNOWN = {
    "soybeans": "#009E73",
    "lithium_carbonate": "#0072B2",
    "spodumene": "#D55E00",
    "spodumene_concentrate": "#D55E00",
    "general_containers": "#CC79A7",
}
SIGNIFICANT = "#C0392B"
NOT_SIGNIFICANT = "#8C8C8C"
WARMUP_SHADE = "#efefef"


def styled(function: Callable[P, R]) -> Callable[P, R]:
    """Run a plotting function with the house rcParams in force (restored afterwards)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        import matplotlib as mpl

        with mpl.rc_context(cast(Any, RC)):
            return function(*args, **kwargs)

    return wrapper


def new_figure(width_in: float, height_in: float, **kwargs: Any) -> Any:
    """A new Agg-backed :class:`~matplotlib.figure.Figure` (no pyplot state), size in inches."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in), **kwargs)
    FigureCanvasAgg(figure)
    return figure


DPI = 100


def save_png(figure: Any, path: str | Path, dpi: float = DPI, colours: int | None = None) -> Path:
    """Write a figure as PNG and return the path.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure (laid out by its constrained layout engine).
    path : str or Path
        Target file.
    dpi : float
        Pixels per inch; the default keeps a 12-inch figure 1200 px wide, legible in a report page.
    colours : int, optional
        Quantise to a palette of this many colours (a third of the size; for files committed to git).
    """
    target = Path(path)
    if colours is None:
        figure.savefig(target, format="png", dpi=dpi, facecolor="white")
        return target
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    buffer.seek(0)
    with Image.open(buffer) as image:
        image.convert("RGB").quantize(colors=colours).save(target, format="PNG", optimize=True)
    return target


def colour_map(names: Iterable[str]) -> dict[str, str]:
    """Stable colours: known commodities keep theirs, other names take the palette in sorted order."""
    colours: dict[str, str] = {}
    spare = [c for c in PALETTE if c not in KNOWN.values()] + list(PALETTE)
    for name in sorted(set(names)):
        colours[name] = KNOWN.get(name) or spare[len([n for n in colours if n not in KNOWN]) % len(spare)]
    return colours


def tonnes_formatter(value: float, _position: int | None = None) -> str:
    """Tick label for tonnes: 1.2 Mt, 350 kt, 900 t."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g} Mt"
    if magnitude >= 1e3:
        return f"{value / 1e3:.3g} kt"
    return f"{value:.3g} t"


def note(figure: Any, text: str) -> None:
    """A small grey footnote at the bottom of a constrained-layout figure (definitions, units, sources).

    The layout is told to keep a strip free for it, so it never overlaps axis labels.
    """
    lines = text.count("\n") + 1
    strip = (0.08 + 0.14 * lines) / figure.get_figheight()
    engine = figure.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0.0, strip, 1.0, 1.0 - strip))
    figure.text(0.01, 0.004, text, ha="left", va="bottom", fontsize=7.5, color="#666666")


def pretty(name: str) -> str:
    """Human label for an identifier: ``lithium_carbonate`` → ``Lithium carbonate``."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]
