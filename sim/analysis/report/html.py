"""HTML building blocks of the reports: the page shell with inline CSS and script, tables, number formatting.

Everything is escaped with :func:`html.escape`; the page links to nothing outside itself, and says so to the
browser: its Content-Security-Policy allows no source at all but ``data:`` images and the page's own style and
script, by hash (:func:`content_policy`). The script (:data:`SCRIPT`, a few lines, no library) makes the
tables marked ``sortable`` sortable by a click on a column heading and filterable by the words typed in the
box above them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import math
from collections.abc import Mapping, Sequence
from typing import NamedTuple

__all__ = ["CSS", "GENERATOR", "SCRIPT", "Cell", "content_policy", "data_table", "fmt", "page"]

CSS = """
:root { --ink: #1d2329; --muted: #5f6b76; --line: #dfe3e8; --accent: #0b5394; --bad: #c0392b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
       background: #f6f7f9; }
header { background: #14324f; color: #fff; padding: 22px 40px 18px; }
header h1 { margin: 0; font-size: 24px; font-weight: 600; }
header p { margin: 4px 0 0; color: #c9d6e3; font-size: 13px; }
main { max-width: 1240px; margin: 0 auto; padding: 10px 40px 40px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 26px 20px;
          margin: 22px 0; overflow-x: auto; }
h2 { font-size: 19px; color: var(--accent); border-bottom: 2px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 15px; margin: 22px 0 6px; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
th, td { padding: 4px 12px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th { background: #eef2f6; font-weight: 600; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
td:first-child { white-space: normal; min-width: 14em; }
table.meta td { text-align: left; border: none; padding: 2px 14px 2px 0; white-space: normal; }
table.meta td:first-child { color: var(--muted); }
tr.significant td { color: var(--bad); font-weight: 600; }
figure { margin: 22px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px;
             background: #fff; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.note { color: var(--muted); font-size: 12.5px; }
details { margin: 12px 0; }
summary { cursor: pointer; font-weight: 600; color: var(--accent); }
section > details > summary h2 { display: inline; border: none; }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 10px 0 30px; }
nav { font-size: 13px; color: var(--muted); }
.summary p, .summary li { font-size: 15px; }
.summary ul { padding-left: 20px; }
.warning { color: #8a5300; }
.id { color: var(--muted); font-size: 12px; }
.tools { margin: 8px 0 2px; font-size: 12.5px; color: var(--muted); }
.tools input { font: inherit; padding: 3px 8px; width: 22em; border: 1px solid var(--line);
               border-radius: 4px; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #a9b4bf; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; color: var(--accent); }
table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; color: var(--accent); }
"""

SCRIPT = """
(function () {
  "use strict";
  var each = function (list, f) { Array.prototype.forEach.call(list, f); };
  function key(cell) {
    var given = cell.getAttribute("data-sort");
    if (given !== null) { return given === "" ? null : parseFloat(given); }
    return cell.textContent.trim().toLowerCase();
  }
  function compare(x, y) {
    if (x === y) { return 0; }
    if (x === null) { return 1; }
    if (y === null) { return -1; }
    if (typeof x !== typeof y) { return typeof x === "number" ? -1 : 1; }
    return x < y ? -1 : 1;
  }
  function sort(table, column, heading) {
    var down = heading.getAttribute("aria-sort") === "ascending";
    each(heading.parentNode.cells, function (th) { th.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", down ? "descending" : "ascending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      if (x === null || y === null) { return compare(x, y); }
      return down ? compare(y, x) : compare(x, y);
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  function filter(table, box, count) {
    var words = box.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var rows = table.tBodies[0].rows, shown = 0;
    each(rows, function (row) {
      var text = row.textContent.toLowerCase();
      row.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
      shown += row.hidden ? 0 : 1;
    });
    count.textContent = shown + " of " + rows.length + " rows";
  }
  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.tHead.rows[0].cells, function (th, column) {
      th.tabIndex = 0;
      th.title = "Sort by this column (again: reverse)";
      th.addEventListener("click", function () { sort(table, column, th); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { sort(table, column, th); }
      });
    });
    var tools = table.previousElementSibling;
    if (tools && tools.classList.contains("tools")) {
      var box = tools.querySelector("input"), count = tools.querySelector("span");
      box.addEventListener("input", function () { filter(table, box, count); });
      filter(table, box, count);
    }
  });
})();
"""
"""Sorting and filtering of the ``sortable`` tables: cells sort by their ``data-sort`` number when they have
one (empty: no value, always last), else by their text; the box above a table keeps the rows that contain
every word typed."""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def content_policy(css: str, script: str) -> str:
    """The page's Content-Security-Policy: nothing but ``data:`` images and this style and script."""
    return (
        f"default-src 'none'; img-src data:; style-src {_digest(css)}; script-src {_digest(script)}; "
        "base-uri 'none'; form-action 'none'"
    )


GENERATOR = "corridor-sim"
"""The ``<meta name="generator">`` of every report: how a later report knows the file is its own."""


def page(
    title: str,
    body: str,
    footer: str,
    css: str = CSS,
    subtitle: str = "",
    meta: Mapping[str, str] | None = None,
) -> str:
    """A complete HTML5 document with the CSS inline, marked as written by corridor-sim.

    ``meta`` adds ``<meta name=… content=…>`` entries (a report lists the figure files it wrote).
    """
    policy = html.escape(content_policy(css, SCRIPT))
    sub = f"<p>{html.escape(subtitle)}</p>" if subtitle else ""
    extra = "".join(
        f'<meta name="{html.escape(name)}" content="{html.escape(value)}">\n'
        for name, value in (meta or {}).items()
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="generator" content="{GENERATOR}">\n{extra}'
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>{sub}</header>\n<main>\n{body}\n</main>\n"
        f"<footer>{html.escape(footer)}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


class Cell(NamedTuple):
    """A table cell: its text and the number it sorts by (NaN: no value, sorted last)."""

    text: str
    sort: float


def _sort_key(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ""


def data_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    header: bool = True,
    css: str = "",
    highlight: Sequence[bool] | None = None,
    text: set[int] | None = None,
    sortable: bool = False,
    key: str = "",
) -> str:
    """An HTML table of already formatted cells (escaped here).

    Parameters
    ----------
    columns : sequence of str
        Header cells.
    rows : sequence of sequences
        Cell values: a :class:`Cell` (text and sort key) or anything else, converted with ``str``.
    header : bool
        Emit the header row.
    css : str
        Class of the table.
    highlight : sequence of bool, optional
        Rows to mark with the ``significant`` class.
    text : set of int, optional
        Columns of text, aligned left (numbers are aligned right; the first column is always left).
    sortable : bool
        Sortable by a click on a heading, with a filter box above (:data:`SCRIPT`).
    key : str
        The table's ``id`` (none when empty).
    """
    left = text or set()
    classes = " ".join(c for c in (css, "sortable" if sortable else "") if c)
    parts = []
    if sortable:
        parts.append(
            '<div class="tools"><input type="search" placeholder="Filter rows: type words" '
            'aria-label="Filter rows"> <span></span></div>'
        )
    attributes = (f' id="{html.escape(key)}"' if key else "") + (
        f' class="{html.escape(classes)}"' if classes else ""
    )
    parts.append(f"<table{attributes}>")

    def cell(tag: str, j: int, value: object) -> str:
        align = ' class="text"' if j in left else ""
        if isinstance(value, Cell):
            return f'<{tag}{align} data-sort="{_sort_key(value.sort)}">{html.escape(value.text)}</{tag}>'
        return f"<{tag}{align}>{html.escape(str(value))}</{tag}>"

    if header:
        parts.append(
            "<thead><tr>" + "".join(cell("th", j, c) for j, c in enumerate(columns)) + "</tr></thead>"
        )
    parts.append("<tbody>")
    for i, row in enumerate(rows):
        mark = ' class="significant"' if highlight is not None and highlight[i] else ""
        parts.append(f"<tr{mark}>" + "".join(cell("td", j, v) for j, v in enumerate(row)) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


class fmt:  # noqa: N801 - a namespace of formatters, used as fmt.number(...)
    """Number formatting for report tables: thousands separators, dashes for missing values."""

    @staticmethod
    def number(value: float, digits: int = 1) -> str:
        """``12,345.6``; an en dash for NaN."""
        return "–" if value is None or not math.isfinite(value) else f"{value:,.{digits}f}"

    @staticmethod
    def percent(value: float, low: float | None = None, high: float | None = None, digits: int = 1) -> str:
        """A relative change as ``+5.2 % [+1.0, +9.4]``."""
        if value is None or not math.isfinite(value):
            return "–"
        text = f"{100 * value:+.{digits}f} %"
        if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
            text += f" [{100 * low:+.{digits}f}, {100 * high:+.{digits}f}]"
        return text
