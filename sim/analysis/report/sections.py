"""A report is a list of sections: each a function of what is reported that returns a :class:`Section`.

The run report's sections are :data:`sim.analysis.report.run.RUN_SECTIONS`, the comparison report's
:data:`sim.analysis.report.comparison.COMPARISON_SECTIONS`. To add a section, write a function of the
context (:class:`~sim.analysis.report.run.RunContext` or
:class:`~sim.analysis.report.comparison.ComparisonContext`) that returns a :class:`Section`, a list of them
(one per variant, say) or None when there is nothing to show, and put it in the list where it should
appear. Figures are drawn through the context's :class:`Figures`, which saves each as ``figures/<name>.png``
and embeds it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sim.analysis.report.embedded_figures import Figure, render

__all__ = ["Built", "Figures", "Section", "render_sections"]

C = TypeVar("C")


@dataclass(frozen=True)
class Section:
    """One section of a report.

    Attributes
    ----------
    key : str
        Its anchor (``id``) in the page.
    title : str
        Its heading (plain text).
    body : str
        Its HTML.
    folded : bool
        Start closed (``<details>``): what most readers skip, such as panels identical to the base.
    """

    key: str
    title: str
    body: str
    folded: bool = False

    def html(self) -> str:
        """The ``<section>`` element."""
        key, title = html.escape(self.key), html.escape(self.title)
        if self.folded:
            return (
                f'<section id="{key}"><details><summary><h2>{title}</h2></summary>{self.body}</details>'
                "</section>"
            )
        return f'<section id="{key}"><h2>{title}</h2>{self.body}</section>'


@dataclass(frozen=True)
class Figures:
    """Draws a report's figures into its scratch directory, whose PNGs become ``figures/``."""

    scratch: Path

    def draw(self, name: str, title: str, caption: str, make: Callable[[], Any]) -> Figure:
        """Render ``make()`` as ``<name>.png`` and return the figure to embed."""
        return render(name, title, caption, make, self.scratch)


Built = Section | list[Section] | None
"""What a section function returns."""


def render_sections(builders: list[Callable[[C], Built]], context: C) -> str:
    """The HTML of every section the builders return for ``context``, in order."""
    parts = []
    for build in builders:
        made = build(context)
        parts += [] if made is None else [made] if isinstance(made, Section) else made
    return "".join(section.html() for section in parts)
