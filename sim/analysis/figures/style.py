"""House style for the analysis figures: one look, fixed colours per commodity, full-colour PNG (or SVG).

Figures are built on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``, so no global
backend or figure registry is touched (nothing happens at import time, and figures are freed with their last
reference). Each plotting function runs inside :func:`styled`, which applies the house rcParams only for its
own duration.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

__all__ = [
    "NOT_SIGNIFICANT",
    "RC",
    "SIGNIFICANT",
    "colour_map",
    "commodity_colour",
    "metric_label",
    "new_figure",
    "note",
    "save_figure",
    "save_png",
    "station_label",
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
    "soybeans_other": "#999933",
    "lithium_carbonate": "#0072B2",
    "spodumene": "#D55E00",
    "spodumene_concentrate": "#D55E00",
    "general_containers": "#CC79A7",
    "panama_background": "#8C8C8C",
}
"""Fixed colour of each commodity of the seeds: a figure never recolours when a commodity is added."""
FALLBACK = ("#E69F00", "#56B4E9", "#332288", "#882255", "#117733", "#AA4499", "#44AA99", "#661100")
"""Colour-blind-safe colours (Okabe–Ito and Paul Tol's) for commodities outside :data:`KNOWN`, chosen by a
hash of the name: the same name always gets the same colour, whatever else is plotted."""
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


FORMATS = ("png", "svg")


def save_figure(figure: Any, path: str | Path, dpi: float = DPI, format: str | None = None) -> Path:
    """Write a figure in full colour (PNG, RGBA) or as SVG and return the path.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure (laid out by its constrained layout engine).
    path : str or Path
        Target file. Without ``format``, its suffix picks the format (``.png`` or ``.svg``).
    dpi : float
        Pixels per inch of a PNG; the default keeps a 12-inch figure 1200 px wide, legible in a report page.
    format : {"png", "svg"}, optional
        Output format; the file's suffix is replaced to match.
    """
    target = Path(path)
    chosen = (format or target.suffix.lstrip(".") or "png").lower()
    if chosen not in FORMATS:
        raise ValueError(f"{target}: figure format {chosen!r} is not one of {', '.join(FORMATS)}")
    target = target.with_suffix(f".{chosen}")
    metadata = {"Date": None} if chosen == "svg" else {"Software": None}
    figure.savefig(target, format=chosen, dpi=dpi, facecolor="white", metadata=metadata)
    return target


def save_png(figure: Any, path: str | Path, dpi: float = DPI) -> Path:
    """Write a figure as a full-colour PNG and return the path (see :func:`save_figure`)."""
    return save_figure(figure, path, dpi=dpi, format="png")


def commodity_colour(name: str) -> str:
    """The commodity's fixed colour: :data:`KNOWN`, else a :data:`FALLBACK` colour by name hash."""
    if name in KNOWN:
        return KNOWN[name]
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest()
    return FALLBACK[int.from_bytes(digest, "big") % len(FALLBACK)]


def colour_map(names: Iterable[str]) -> dict[str, str]:
    """Colours of several commodities, in sorted order; each depends on its own name only."""
    return {name: commodity_colour(name) for name in sorted(set(names))}


def tonnes_formatter(value: float, _position: int | None = None) -> str:
    """Tick label for tonnes: 1.2 Mt, 350 kt, 900 t."""
    magnitude = abs(value)
    if magnitude >= 1e6:
        return f"{value / 1e6:.3g} Mt"
    if magnitude >= 1e3:
        return f"{value / 1e3:.3g} kt"
    return f"{value:.3g} t"


def month_axis(ax: Any) -> None:
    """Calendar dates on ``ax``'s x-axis, at most ~6 ticks, labelled concisely.

    Months as ``Jul``, the year at January and under the axis, so that labels do not run into each other on
    narrow panels.
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]


def note(figure: Any, text: str, handles: Sequence[Any] = ()) -> None:
    """A small grey footnote at the bottom of a constrained-layout figure (definitions, units, sources).

    The layout is told to keep a strip free for it, so it never overlaps axis labels. ``handles`` (legend
    entries that explain the symbols, e.g. significant vs not) go in one row just above the text.
    """
    lines = text.count("\n") + 1
    text_strip = (0.08 + 0.14 * lines) / figure.get_figheight()
    strip = text_strip + (0.32 / figure.get_figheight() if handles else 0.0)
    engine = figure.get_layout_engine()
    if engine is not None and hasattr(engine, "set"):
        engine.set(rect=(0.0, strip, 1.0, 1.0 - strip))
    figure.text(0.01, 0.004, text, ha="left", va="bottom", fontsize=7.5, color="#666666")
    if handles:
        legend = figure.legend(
            handles=list(handles),
            loc="lower left",
            bbox_to_anchor=(0.005, text_strip),
            ncols=len(handles),
            borderpad=0.1,
            borderaxespad=0.0,
        )
        legend.set_in_layout(False)


def pretty(name: str) -> str:
    """Human label for an identifier: ``lithium_carbonate`` → ``Lithium carbonate``."""
    text = name.replace("_", " ")
    return text[:1].upper() + text[1:]


STATION_KINDS = {"svc": "service", "chk": "chokepoint", "leg": "leg"}
METRICS = {
    "tonnes_per_year": "throughput (t/yr)",
    "teu_per_year": "throughput (TEU/yr)",
    "transit_mean_h": "mean transit time (h)",
    "transit_p50_h": "median transit time (h)",
    "transit_p95_h": "95th percentile transit time (h)",
    "delay_mean_h": "mean delay over free-flow time (h)",
    "delay_p95_h": "95th percentile delay over free-flow time (h)",
    "wait_mean_h": "mean wait before service (h)",
    "wait_p95_h": "95th percentile wait (h)",
    "wait_max_h": "longest wait (h)",
    "waiting_at_horizon": "still waiting at horizon (visits)",
    "utilisation": "utilisation (share of capacity)",
    "queue_mean": "mean queue (shipments)",
    "in_system_mean": "mean present (shipments)",
    "arrivals_per_h": "arrivals (per hour)",
    "share": "share of the flow's shipments",
    "share_tonnes": "share of the flow's tonnes",
    "probability": "route probability (Plan)",
    "time_mean_h": "mean door-to-door time (h)",
    "cost_usd_per_t": "cost (US$ per t delivered)",
    "cost_usd_per_teu": "cost (US$ per TEU delivered)",
    "co2e_kg_per_t": "CO₂e WTW (kg per t delivered)",
    "co2e_kg_per_teu": "CO₂e WTW (kg per TEU delivered)",
}
"""Readable name and unit of each KPI metric of :mod:`sim.results.kpis`."""


def station_label(station: str) -> str:
    """Readable station name, e.g. ``svc:wcsa_chy_sha`` → ``service wcsa chy sha``.

    ``BRPNG/grain`` → ``BRPNG grain berths``, ``chk:PAPCN`` → ``PAPCN chokepoint``,
    ``dwell:CNQZH/container/transshipment`` → ``CNQZH container transshipment dwell``; anything else
    unchanged.
    """
    prefix, colon, rest = station.partition(":")
    if colon and prefix == "dwell":
        return f"{rest.replace('/', ' ').replace('_', ' ')} dwell"
    if colon and prefix in STATION_KINDS:
        words = rest.replace("_", " ").replace("-", " – ")
        return f"{words} {STATION_KINDS[prefix]}" if prefix == "chk" else f"{STATION_KINDS[prefix]} {words}"
    node, slash, cargo = station.partition("/")
    if slash:
        return f"{node} {cargo.replace('_', ' ')} berths"
    return station


def metric_label(metric: str) -> str:
    """Readable name with unit of a KPI metric (``delay_mean_h`` → ``mean delay over free-flow time (h)``)."""
    return METRICS.get(metric, metric.replace("_", " "))
