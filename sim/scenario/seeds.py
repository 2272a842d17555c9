"""Read the reference network tables in ``seeds/`` into scenario data.

A scenario that says ``seeds: ../seeds`` starts from these tables; its own fields are layered on top. Each
table is a CSV file with a header; every row carries ``source`` and ``year``. Empty cells are left out, cells
that start with ``{`` are JSON objects (distributions, shares by class), and the columns ``route``,
``seasonality``, ``departures_h`` and ``classes`` hold space-separated lists.

========================  =========================================================================
table                     columns (besides source, year, notes)
========================  =========================================================================
``nodes.csv``             id, name, kind, country, lat, lon
``berths.csv``            node, cargo_class, count, rate, rate_unit, overhead_h, variability, dwell_h
``berth_classes.csv``     cargo_class, classes, default_share (JSON): priority classes of every pool of
                          that cargo class in ``berths.csv`` (berth windows at container terminals)
``chokepoints.csv``       node, slots_per_day, transit_h, variability, classes, reserved_share (JSON),
                          default_share (JSON), booking_slots
``commodities.csv``       id, kind, cargo_class, tonnes_per_teu
``legs.csv``              id, from, to, mode, distance_nm, speed_kn, distance_km, speed_kmh, transit_h,
                          variability
``services.csv``          id, from, to, mode, headway_h, offset_h, cycle_h, departures_h, capacity,
                          capacity_unit, transit_h, variability
``flows.csv``             id, commodity, origin, destination, route, annual_volume, volume_unit, parcel,
                          parcel_unit, seasonality, seasonality_basis, arrivals, background (true/false)
``disruptions.csv``       id, kind, target, set, scale, start, end, start_h, end_h, random (JSON)
``costs_*.csv``,          id and the fields of the ``costs:`` and ``emissions:`` tables
``emissions_*.csv``,      (see ``SECTION_TABLES`` and :mod:`sim.scenario.ledger`)
``commodity_values.csv``,
``link_distances.csv``
========================  =========================================================================
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.errors import InputError, Problem, show_value
from sim.scenario.documents import FieldPath, read_text

__all__ = ["SEED_TABLES", "read_seeds"]

SECTION_TABLES = {
    "costs_freight": ("costs", "freight"),
    "costs_ports": ("costs", "ports"),
    "costs_canals": ("costs", "canals"),
    "commodity_values": ("costs", "cargo_values"),
    "emissions_transport": ("emissions", "transport"),
    "emissions_hubs": ("emissions", "hubs"),
    "link_distances": ("emissions", "distances"),
}
"""Tables of the optional ``costs:`` and ``emissions:`` sections (:mod:`sim.scenario.ledger`), by ``id``."""
SEED_TABLES = (
    "nodes",
    "berths",
    "berth_classes",
    "chokepoints",
    "commodities",
    "legs",
    "services",
    "flows",
    "disruptions",
    *SECTION_TABLES,
)
LIST_COLUMNS = {"route": str, "seasonality": float, "departures_h": float, "classes": str}
INTEGER_COLUMNS = {"count", "booking_slots"}
BOOLEAN_COLUMNS = {"background"}
TEXT_COLUMNS = {
    "id",
    "name",
    "node",
    "country",
    "source",
    "notes",
    "year",
    "from",
    "to",
    "origin",
    "destination",
    "target",
    "kind",
    "start",
    "end",
    "link",
    "commodity",
    "cargo_class",
}
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

Located = dict[FieldPath, tuple[str, int | None]]


def read_seeds(directory: Path) -> tuple[dict[str, Any], Located]:
    """Read every seed table present in ``directory``.

    Returns
    -------
    data : dict
        Scenario fields (``nodes``, ``legs``, ``services``, ``commodities``, ``flows``, and
        ``disruptions`` when the table exists).
    located : dict
        For each field path, the CSV file and line it came from.
    """
    if not directory.is_dir():
        raise InputError(
            [Problem(str(directory), None, (), "no such directory", "a seeds/ directory of CSV tables")]
        )
    data: dict[str, Any] = {table: {} for table in ("nodes", "legs", "services", "commodities", "flows")}
    if (directory / "disruptions.csv").exists():
        data["disruptions"] = {}
    located: Located = {}
    problems: list[Problem] = []
    for table in SEED_TABLES:
        path = directory / f"{table}.csv"
        if not path.exists():
            continue
        for line, row in _rows(path, problems):
            if table == "berth_classes":
                problem = _spread_classes(row, data, located, (str(path), line))
                problems += [problem] if problem is not None else []
                continue
            target = _place(table, row, data)
            if target is None:
                problems.append(
                    Problem(
                        str(path), line, (table,), show_value(row), "a row with its id/node column filled"
                    )
                )
                continue
            if target in located:
                problems.append(
                    Problem(
                        str(path),
                        line,
                        target,
                        f"a second row for {'/'.join(str(p) for p in target[1:])}",
                        f"one row per entry (the first is on line {located[target][1]})",
                    )
                )
                continue
            located[target] = (str(path), line)
    if problems:
        raise InputError(problems)
    return data, located


def _rows(path: Path, problems: list[Problem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The rows of one table with their line numbers; what cannot be read is added to ``problems``."""
    reader = csv.DictReader(io.StringIO(read_text(path, "a seed table"), newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(Problem(str(path), reader.line_num, (), f"a malformed row ({error})", "CSV rows"))
            return
        extra = row.get(None)
        if extra:
            problems.append(
                Problem(
                    str(path), reader.line_num, (), f"{len(extra)} cells more than the header", "CSV rows"
                )
            )
            continue
        cells = {key: value.strip() for key, value in row.items() if key and value and value.strip()}
        try:
            yield reader.line_num, {key: _cell(key, value) for key, value in cells.items()}
        except (ValueError, RecursionError) as error:
            problems.append(
                Problem(str(path), reader.line_num, (), str(error)[:200], "cells of the documented types")
            )


def _cell(column: str, text: str) -> Any:
    if column in LIST_COLUMNS:
        convert = LIST_COLUMNS[column]
        try:
            items = [convert(item) for item in text.replace(";", " ").split()]
        except ValueError:
            raise ValueError(f"column {column}: {text!r} is not a list of numbers") from None
        return [_finite(column, item) for item in items]
    if column in BOOLEAN_COLUMNS:
        if text.lower() not in ("true", "false"):
            raise ValueError(f"column {column}: {text!r} is not true or false")
        return text.lower() == "true"
    if text.startswith("{"):
        try:
            return json.loads(text, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise ValueError(f"column {column}: bad JSON {text!r} ({error.msg})") from None
    if column in TEXT_COLUMNS or not _NUMBER.match(text):
        return text
    return int(text) if column in INTEGER_COLUMNS else _finite(column, float(text))


def _finite(column: str, value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(
            f"column {column}: {value!r}, which is not a finite number (too large to represent?)"
        )
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name}, which is not a finite number")


CLASS_FIELDS = ("classes", "default_share")
"""The fields a ``berth_classes.csv`` row sets on every berth pool of its cargo class."""


def _spread_classes(
    row: dict[str, Any], data: dict[str, Any], located: Located, where: tuple[str, int]
) -> Problem | None:
    """Give every berth pool of the row's cargo class (``berths.csv``) the row's classes and default share.

    Each pool's ``classes`` and ``default_share`` are located at the row, so a problem with them names the
    row's line. Returns what is wrong with the row itself: no pool of its cargo class, or a second row for it.
    """
    file, line = where
    cargo_class = row.pop("cargo_class", None)
    nodes = [node for node, entry in data["nodes"].items() if cargo_class in entry.get("berths", {})]
    if not nodes:
        expected = "a cargo class that has berth pools in berths.csv"
        return Problem(file, line, ("cargo_class",), show_value(cargo_class), expected)
    first = located.get(("nodes", nodes[0], "berths", cargo_class, "classes"))
    if first is not None:
        expected = f"one row per cargo class (the first is on line {first[1]})"
        return Problem(file, line, ("cargo_class",), f"a second row for {cargo_class}", expected)
    for node in nodes:
        pool = data["nodes"][node]["berths"][cargo_class]
        for field in CLASS_FIELDS:
            pool[field] = row.get(field)
            located[("nodes", node, "berths", cargo_class, field)] = (file, line)
    return None


def _place(table: str, row: dict[str, Any], data: dict[str, Any]) -> FieldPath | None:
    """Put one row where it belongs in the scenario data; return its field path."""
    if table == "berths":
        node, cargo_class = row.pop("node", None), row.pop("cargo_class", None)
        if node is None or cargo_class is None:
            return None
        data["nodes"].setdefault(node, {}).setdefault("berths", {})[cargo_class] = row
        return ("nodes", node, "berths", cargo_class)
    if table == "chokepoints":
        node = row.pop("node", None)
        if node is None:
            return None
        data["nodes"].setdefault(node, {})["chokepoint"] = row
        return ("nodes", node, "chokepoint")
    if table in SECTION_TABLES:
        section, group = SECTION_TABLES[table]
        key = row.pop("id", None)
        if key is None:
            return None
        data.setdefault(section, {}).setdefault(group, {})[key] = row
        return (section, group, key)
    if table == "services" and ("cycle_h" in row or "departures_h" in row):
        row["timetable"] = {key: row.pop(key) for key in ("cycle_h", "departures_h") if key in row}
    identifier = row.pop("id", None)
    if identifier is None:
        return None
    data[table].setdefault(identifier, {}).update(row)
    return (table, identifier)
