"""Background traffic: a port's or canal's other traffic, kept apart from the flows a scenario studies.

A flow marked ``background: true`` is the rest of a port's (or canal's) published traffic — its total minus
the modelled flows — simulated only so that the modelled flows queue behind it at the berths or slots they
share. The engines treat it as any flow. The KPIs keep the two classes apart (``throughput_by_traffic`` in
:mod:`sim.results.kpis`, ``waits_by_traffic`` in :mod:`sim.results.kpis_by_group`), and analyses can leave
the background out of their tables (:func:`without_background`): its tonnes would otherwise dwarf the
corridor's own (the Panama Canal's other transits carry ~40 times the US Gulf soybeans that use it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.network import Network
    from sim.scenario.model import Scenario

__all__ = ["Background", "without_background"]

COMMODITY_TABLES = ("throughput_by_month",)
"""KPI tables keyed by commodity whose name does not end in ``_by_commodity``."""


@dataclass(frozen=True)
class Background:
    """What is background in one scenario.

    Attributes
    ----------
    flows : frozenset of str
        Flows marked ``background``.
    commodities : frozenset of str
        Commodities that only background flows carry.
    destinations : frozenset of str
        Nodes that only background flows deliver to.
    routes : frozenset of str
        Route keys (``A>B``) that only background flows take.
    """

    flows: frozenset[str]
    commodities: frozenset[str]
    destinations: frozenset[str]
    routes: frozenset[str]

    @classmethod
    def of(cls, scenario: Scenario, network: Network | None = None) -> Background:
        """The background of ``scenario`` (empty when no flow is marked ``background``).

        Route keys need the ``network`` (derived routes); without it ``routes`` is empty.
        """
        flows = {name for name, flow in scenario.flows.items() if flow.background}
        modelled = [flow for name, flow in scenario.flows.items() if name not in flows]
        background = [scenario.flows[name] for name in flows]
        paths = {f.name: ">".join(f.nodes) for f in network.flows} if network is not None else {}

        def only(values: Iterable[str], others: Iterable[str]) -> frozenset[str]:
            return frozenset(values) - frozenset(others)

        return cls(
            flows=frozenset(flows),
            commodities=only((f.commodity for f in background), (f.commodity for f in modelled)),
            destinations=only((f.destination for f in background), (f.destination for f in modelled)),
            routes=only(
                (paths[n] for n in flows if n in paths), (p for n, p in paths.items() if n not in flows)
            ),
        )

    def as_json(self) -> dict[str, list[str]]:
        """The sets as sorted lists (``kpis.json``'s ``background`` entry)."""
        return {
            "flows": sorted(self.flows),
            "commodities": sorted(self.commodities),
            "destinations": sorted(self.destinations),
            "routes": sorted(self.routes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Background:
        """The inverse of :meth:`as_json` (missing entries are empty: runs written before background)."""
        return cls(*(frozenset(str(v) for v in data.get(name, [])) for name in _FIELDS))


_FIELDS = ("flows", "commodities", "destinations", "routes")


def without_background(kpis: pd.DataFrame, background: Background) -> pd.DataFrame:
    """The rows of a long KPI table (per replication or summarised) that describe the modelled flows only.

    Left out: rows of background flows (tables ``*_by_flow``), of commodities only background flows carry
    (``*_by_commodity``, ``throughput_by_month``), of destinations and routes only they reach, and the
    ``background`` class of the traffic tables. Station tables stay (a station's queue is all its traffic);
    the modelled flows' own waits at shared stations are the ``modelled`` rows of ``waits_by_traffic``.
    """
    table = kpis["table"].astype(str)
    key = kpis["key"].astype(str)
    by_commodity = table.str.endswith("_by_commodity") | table.isin(COMMODITY_TABLES)
    drop = (
        (table.str.endswith("_by_flow") & key.isin(background.flows))
        | (by_commodity & key.isin(background.commodities))
        | ((table == "throughput_by_destination") & key.isin(background.destinations))
        | (table.str.endswith("_by_route") & key.isin(background.routes))
        | ((table == "throughput_by_traffic") & (key == "background"))
        | ((table == "waits_by_traffic") & (kpis["period"].astype(str) == "background"))
    )
    return kpis.loc[~drop].reset_index(drop=True)
