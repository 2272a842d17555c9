"""The run report's section on ships turned away at a chokepoint: those that diverted and those that left.

From ``kpis.json``: ``diversions_by_flow`` (ships that took their flow's way round) and ``left_by_flow``
(ships that left — went elsewhere, never delivered: ``diversion: {leaves: true}``), per flow with a
diversion. No section for a run without either table.
"""

from __future__ import annotations

from typing import Any

from sim.analysis.report.html import Cell, data_table
from sim.analysis.report.sections import Section
from sim.analysis.units import quantity, with_half_width

__all__ = ["turned_away_section"]

KINDS = (
    ("diversions_by_flow", "diversions", "diverted_share", "diverted"),
    ("left_by_flow", "left", "left_share", "left"),
)
"""(table, count metric, share metric, what the ships did)."""


def turned_away_section(kpis: dict[str, Any], flow_name: Any) -> Section | None:
    """The section from ``kpis.json``'s content, flows named by ``flow_name(id)``; None without the tables."""
    tables = kpis.get("tables", {})
    rows = []
    for table, count, share, did in KINDS:
        records = tables.get(table, [])
        by_key: dict[str, dict[str, dict[str, float]]] = {}
        for record in records:
            by_key.setdefault(str(record["key"]), {})[str(record["metric"])] = record
        for key, metrics in by_key.items():
            turned, arrivals, part = metrics[count], metrics["arrivals"], metrics[share]
            extra = metrics.get("extra_sailing_days_mean", metrics.get("left_tonnes"))
            rows.append(
                [
                    flow_name(key),
                    did,
                    Cell(quantity(arrivals["mean"], "count"), arrivals["mean"]),
                    Cell(_with_interval(turned, "count"), turned["mean"]),
                    Cell(quantity(part["mean"], "share"), part["mean"]),
                    _extra(did, extra),
                    Cell(key, float("nan")),  # the id, as the command line prints it
                ]
            )
    if not rows:
        return None
    columns = [
        "flow",
        "turned away",
        "arrivals per replication",
        "ships per replication",
        "share",
        "extra sailing (diverted) / tonnes not delivered (left)",
        "id",
    ]
    note = (
        '<p class="note">Ships of flows with a diversion that reached its chokepoint after the warm-up. '
        "A ship turns away when the ships waiting ahead of it (with priority classes: of its class or a "
        "higher one) exceed its threshold in days of the chokepoint's current slots: it diverts (sails its "
        "flow's way round; extra sailing days per diverted ship, mean) or leaves (goes elsewhere: never "
        "delivered; tonnes per replication). Mean ± the half-width of its 95 % confidence interval across "
        "replications.</p>"
    )
    table = data_table(columns, rows, text={1, 6}, sortable=True, key="turned-away")
    return Section("turned-away", "Ships turned away at chokepoints", table + note)


def _with_interval(record: dict[str, float], kind: str) -> str:
    return with_half_width(float(record["mean"]), float(record["ci_low"]), float(record["ci_high"]), kind)


def _extra(did: str, record: dict[str, float] | None) -> Cell:
    if record is None:
        return Cell("–", float("nan"))
    mean = float(record["mean"])
    text = quantity(mean * 24.0, "duration") if did == "diverted" else quantity(mean, "mass")
    return Cell(text, mean)
