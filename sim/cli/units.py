"""The terminal's tables, and the units of every quantity re-exported for the commands.

The units live in :mod:`sim.analysis.units`: one home for the terminal and the HTML report.
"""

from __future__ import annotations

from rich import box
from rich.table import Table

from sim.analysis.units import (
    SIGNIFICANT,
    Unit,
    interval,
    kind_of,
    number,
    pick_unit,
    plain,
    quantity,
    with_half_width,
)

__all__ = [
    "SIGNIFICANT",
    "Unit",
    "interval",
    "kind_of",
    "narrow_table",
    "number",
    "pick_unit",
    "plain",
    "quantity",
    "with_half_width",
]


def narrow_table(title: str, caption: str | None = None) -> Table:
    """A table without side borders or wide padding: two spaces between columns, so 80 columns go far."""
    return Table(
        title=title,
        title_justify="left",
        caption=caption,
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 0, 0, 1),
    )
