"""Greedy placement of point labels without overlap (names on the network map).

Points are labelled in the order given (most important first). Each label tries positions around its point
— eight directions, first close to the marker, then farther out with a thin leader line — and takes the
first whose box, measured by the renderer, stays inside the axes and overlaps neither a label already placed
nor any marker. When no position is free, the one with the least overlap is used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["LABEL_GID", "place_labels"]

LABEL_GID = "point-label"
DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
RINGS_PT = (2.0, 9.0, 18.0, 30.0, 44.0)
PAD_PX = 1.5


def _overlap(a: Any, b: Any) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0) + 2 * PAD_PX
    height = min(a.y1, b.y1) - max(a.y0, b.y0) + 2 * PAD_PX
    return float(max(width, 0.0) * max(height, 0.0))


def _inside(box: Any, frame: Any) -> bool:
    return bool(box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1)


def _leader(radius_pt: float) -> dict[str, Any]:
    return {"arrowstyle": "-", "color": "#555555", "linewidth": 0.5, "shrinkA": 0, "shrinkB": radius_pt}


def place_labels(
    ax: Any, points: Sequence[tuple[float, float, str]], radii_pt: Sequence[float], fontsize: float = 7.0
) -> list[Any]:
    """Annotate ``points`` (x, y in data units, text) on ``ax`` without overlaps where possible.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes whose limits and layout are final (the figure is drawn once here to fix the layout).
    points : sequence of (float, float, str)
        Where and what, most important first.
    radii_pt : sequence of float
        Radius (points) of the marker drawn at each point: labels keep clear of every marker.
    fontsize : float
        Label size (points).

    Returns
    -------
    list of matplotlib.text.Annotation
        The labels, each with gid :data:`LABEL_GID` and left out of the layout.
    """
    from matplotlib.transforms import Bbox

    figure = ax.get_figure()
    figure.draw_without_rendering()  # runs the layout engine: transforms are final from here on
    renderer = figure.canvas.get_renderer()
    scale = figure.dpi / 72.0
    frame = ax.get_window_extent(renderer)
    centres = [ax.transData.transform((x, y)) for x, y, _ in points]
    markers = [
        Bbox.from_extents(cx - r * scale, cy - r * scale, cx + r * scale, cy + r * scale)
        for (cx, cy), r in zip(centres, radii_pt, strict=True)
    ]
    placed: list[Any] = []
    labels = []
    for index, ((x, y, text), radius) in enumerate(zip(points, radii_pt, strict=True)):
        best: tuple[float, Any] | None = None
        for ring, extra in enumerate(RINGS_PT):
            for dx, dy in DIRECTIONS:
                distance = radius + extra
                norm = 0.7071 if dx and dy else 1.0
                offset = (dx * distance * norm, dy * distance * norm)
                label = ax.annotate(
                    text,
                    (x, y),
                    xytext=offset,
                    textcoords="offset points",
                    ha={1: "left", -1: "right", 0: "center"}[dx],
                    va={1: "bottom", -1: "top", 0: "center"}[dy],
                    fontsize=fontsize,
                    color="#1a1a1a",
                    zorder=6,
                    gid=LABEL_GID,
                    bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7},
                    arrowprops=_leader(radius) if ring >= 2 else None,
                )
                label.set_in_layout(False)
                box = label.get_window_extent(renderer)
                others = [m for j, m in enumerate(markers) if j != index]
                clash = sum(_overlap(box, other) for other in [*placed, *others])
                clash += 0.0 if _inside(box, frame) else 1e9
                if clash == 0.0:
                    if best is not None:
                        best[1].remove()
                    best = (0.0, label)
                    break
                if best is None or clash < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (clash, label)
                else:
                    label.remove()
            if best is not None and best[0] == 0.0:
                break
        assert best is not None
        labels.append(best[1])
        placed.append(best[1].get_window_extent(renderer))
    return labels
