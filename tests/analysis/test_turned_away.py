"""The report's section on ships turned away at chokepoints, from kpis.json's diversion and leaving tables."""

from __future__ import annotations

from typing import Any

from sim.analysis.report.turned_away import turned_away_section


def _records(table: str, key: str, values: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"key": key, "period": "", "metric": metric, "mean": v, "std": 0.0, "n": 2, "ci_low": v, "ci_high": v}
        for metric, v in values.items()
    ]


def test_no_section_without_diversions_or_ships_that_left() -> None:
    assert turned_away_section({"tables": {"stations": []}}, str) is None


def test_ships_that_left_and_diverted_are_listed_by_flow() -> None:
    kpis = {
        "tables": {
            "left_by_flow": _records(
                "left_by_flow",
                "panama_background",
                {"arrivals": 21359.0, "left": 4374.0, "left_share": 0.205, "left_tonnes": 1.666e8},
            ),
            "diversions_by_flow": _records(
                "diversions_by_flow",
                "soy",
                {
                    "arrivals": 100.0,
                    "diversions": 20.0,
                    "diverted_share": 0.2,
                    "extra_sailing_days": 374.0,
                    "extra_sailing_days_mean": 18.7,
                },
            ),
        }
    }
    section = turned_away_section(kpis, lambda flow: {"soy": "US Gulf soybeans"}.get(flow, flow))
    assert section is not None
    body = section.body
    assert "US Gulf soybeans" in body
    assert "panama_background" in body
    assert "4,374" in body
    assert "166.6 Mt" in body
    assert "18.7 d" in body
    assert body.index("diverted") < body.index("left")  # diversions first
