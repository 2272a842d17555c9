"""Readable names of a run's flows, stations and nodes, for figure labels and report tables.

Ids are what the files and the command line use (``soy_br_santos``, ``BRPNG/grain``, ``svc:wcsa_chy_sha``);
a reader wants place names. :class:`Names` maps ids to names built from what a run directory stores:

* a node: its name in ``stations.parquet`` (``node_name``) shortened to the place (:func:`short_name`:
  ``Qingdao (stands for …)`` → ``Qingdao``); its id when the run stores no name;
* a flow: ``Soybeans: Santos → Qingdao`` (commodity, origin and destination node); a flow that starts and
  ends at one node reads ``Panama background at Panama Canal``; two flows that would read alike keep their
  id in brackets;
* a station: ``Paranagua grain berths``, ``Panama Canal chokepoint``, ``service Chancay → Shanghai``,
  ``leg Santos – Qingdao``, ``Qinzhou container transshipment dwell``. The far end of a service is the
  node its shipments visit next (the shipment's destination after its last visit); a leg, which shipments
  may travel either way, by the nodes visited before and after it, in alphabetical order.

:func:`names_of_scenario` gives the same names from a scenario alone (for figures drawn before any run
directory exists, such as the bottleneck ranking). An empty :class:`Names` (the default of every figure)
falls back to the id-based labels of :func:`sim.analysis.figures.style.station_label` and
:func:`sim.analysis.figures.style.pretty`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from sim.analysis.figures.style import pretty, station_label

if TYPE_CHECKING:
    from sim.analysis.tables.run_data import RunData
    from sim.scenario.model import Scenario

__all__ = ["Names", "names_of_runs", "names_of_scenario", "short_name"]

ARROW = " → "


def short_name(name: str) -> str:
    """A label from a node's name: ``Qingdao (stands for …)`` → ``Qingdao``, ``A - B`` → ``A``."""
    text = re.split(r" \(| - | / ", str(name))[0].strip()
    return text or str(name)


@dataclass(frozen=True)
class Names:
    """Names by id; every lookup falls back to a label made from the id itself.

    Attributes
    ----------
    nodes : Mapping of str to str
        Node id → short place name.
    flows : Mapping of str to str
        Flow id → ``Commodity: origin → destination``.
    stations : Mapping of str to str
        Station id → readable station name.
    """

    nodes: Mapping[str, str] = field(default_factory=dict)
    flows: Mapping[str, str] = field(default_factory=dict)
    stations: Mapping[str, str] = field(default_factory=dict)

    def node(self, node: str) -> str:
        """The node's place name (its id when unknown)."""
        return self.nodes.get(node, node)

    def flow(self, flow: str) -> str:
        """The flow's name (its id when unknown)."""
        return self.flows.get(flow, flow)

    def station(self, station: str) -> str:
        """The station's name (:func:`~sim.analysis.figures.style.station_label` of the id when unknown)."""
        return self.stations.get(station) or station_label(station)

    def commodity(self, commodity: str) -> str:
        """``lithium_carbonate`` → ``Lithium carbonate``."""
        return pretty(commodity)

    def merged(self, other: Names) -> Names:
        """These names completed by ``other``'s (for ids that only ``other`` knows)."""
        return Names(
            {**other.nodes, **self.nodes}, {**other.flows, **self.flows}, {**other.stations, **self.stations}
        )

    @classmethod
    def from_tables(cls, stations: pd.DataFrame, shipments: pd.DataFrame, visits: pd.DataFrame) -> Names:
        """Names of one run's ids, from its result tables (the contract columns of a run directory).

        Parameters
        ----------
        stations : pandas.DataFrame
            ``station``, ``kind``, ``node`` and, when the run stored it, ``node_name``.
        shipments : pandas.DataFrame
            ``replication``, ``shipment``, ``flow``, ``commodity``, ``origin``, ``destination``.
        visits : pandas.DataFrame
            ``replication``, ``shipment``, ``seq``, ``station``.
        """
        nodes = _node_names(stations)
        return cls(nodes, _flow_names(shipments, nodes), _station_names(stations, shipments, visits, nodes))


def names_of_runs(runs: Iterable[RunData]) -> Names:
    """The names of every id in several runs (the first run's name wins where two differ)."""
    names = Names()
    for run in runs:
        names = names.merged(Names.from_tables(run.stations, run.shipments, run.visits))
    return names


def _node_names(stations: pd.DataFrame) -> dict[str, str]:
    if "node_name" not in stations:
        return {}
    first = stations.dropna(subset=["node_name"]).drop_duplicates("node")
    return {str(n): short_name(str(name)) for n, name in zip(first["node"], first["node_name"], strict=True)}


def _flow_label(commodity: str, origin: str, destination: str, here: str, there: str) -> str:
    what = pretty(commodity)
    return f"{what} at {here}" if origin == destination else f"{what}: {here}{ARROW}{there}"


def _unique(named: dict[str, str]) -> dict[str, str]:
    """Names that two ids share get their id in brackets."""
    counts = pd.Series(list(named.values()), dtype=object).value_counts()
    return {key: f"{name} ({key})" if counts[name] > 1 else name for key, name in named.items()}


def _flow_names(shipments: pd.DataFrame, nodes: Mapping[str, str]) -> dict[str, str]:
    first = shipments.drop_duplicates("flow")[["flow", "commodity", "origin", "destination"]]
    named: dict[str, str] = {}
    for flow, commodity, origin, destination in first.itertuples(index=False):
        here, there = nodes.get(str(origin), str(origin)), nodes.get(str(destination), str(destination))
        named[str(flow)] = _flow_label(str(commodity), str(origin), str(destination), here, there)
    return _unique(named)


def _neighbours(
    stations: pd.DataFrame, shipments: pd.DataFrame, visits: pd.DataFrame, moving: list[str]
) -> dict[str, tuple[str, str]]:
    """For each station in ``moving``, the nodes of the visits before and after one of its visits.

    A shipment with no visit before (after) it starts (ends) there: its origin (destination) stands in.
    """
    if not moving or visits.empty:
        return {}
    node_of = stations.drop_duplicates("station").set_index("station")["node"]
    keys = ["replication", "shipment"]
    first = visits.loc[visits["station"].isin(moving)].drop_duplicates("station")[[*keys, "seq", "station"]]
    near = visits[[*keys, "seq", "station"]]
    joined = (
        first.merge(near.assign(seq=near["seq"] + 1).rename(columns={"station": "before"}), how="left")
        .merge(near.assign(seq=near["seq"] - 1).rename(columns={"station": "after"}), how="left")
        .merge(shipments[[*keys, "origin", "destination"]], on=keys, how="left")
    )
    starts = joined["before"].map(node_of).fillna(joined["origin"])
    ends = joined["after"].map(node_of).fillna(joined["destination"])
    return {
        str(s): (str(a), str(b))
        for s, a, b in zip(joined["station"], starts, ends, strict=True)
        if pd.notna(a) and pd.notna(b)
    }


def _station_names(
    stations: pd.DataFrame, shipments: pd.DataFrame, visits: pd.DataFrame, nodes: Mapping[str, str]
) -> dict[str, str]:
    table = stations.drop_duplicates("station")
    kinds = dict(zip(table["station"].astype(str), table["kind"].astype(str), strict=True))
    node_of = dict(zip(table["station"].astype(str), table["node"].astype(str), strict=True))
    moving = [s for s, k in kinds.items() if k in ("service", "leg")]
    ends = _neighbours(table, shipments, visits, moving)
    names = {}
    for station, kind in kinds.items():
        here = nodes.get(node_of[station], node_of[station])
        near = ends.get(station)
        label = _station_label(
            station,
            kind,
            here,
            None if near is None else (nodes.get(near[0], near[0]), nodes.get(near[1], near[1])),
        )
        if label is not None:
            names[station] = label
    return names


def _station_label(station: str, kind: str, here: str, ends: tuple[str, str] | None) -> str | None:
    """A station's name from its kind, its node's name and (services, legs) the names of both ends."""
    if kind == "berth":
        cargo = station.partition("/")[2].replace("_", " ")
        return f"{here} {cargo} berths".replace("  ", " ")
    if kind == "chokepoint":
        return f"{here} chokepoint"
    if kind == "dwell":
        rest = station.partition("/")[2].replace("/", " ").replace("_", " ")
        return f"{here} {rest} dwell"
    if kind == "service" and ends is not None:
        return f"service {here}{ARROW}{ends[1]}"
    if kind == "leg" and ends is not None:  # travelled either way: its ends in alphabetical order
        first, second = sorted(ends)
        return f"leg {first} – {second}"
    return None


def names_of_scenario(scenario: Scenario) -> Names:
    """The names of a scenario's nodes, flows and stations, from the scenario alone (no run needed).

    The same names as :meth:`Names.from_tables` gives for a run of it (dwell stations, which only a run
    lists, keep the labels made from their ids).
    """
    nodes = {str(n): short_name(node.name) for n, node in scenario.nodes.items()}

    def place(node: str) -> str:
        return nodes.get(node, node)

    flows = _unique(
        {
            str(f): _flow_label(
                flow.commodity, flow.origin, flow.destination, place(flow.origin), place(flow.destination)
            )
            for f, flow in scenario.flows.items()
        }
    )
    stations: dict[str, str | None] = {}
    for n, node in scenario.nodes.items():
        stations |= {
            f"{n}/{cargo}": _station_label(f"{n}/{cargo}", "berth", place(n), None) for cargo in node.berths
        }
        if node.chokepoint is not None:
            stations[f"chk:{n}"] = _station_label(f"chk:{n}", "chokepoint", place(n), None)
    for kind, prefix, links in (("service", "svc:", scenario.services), ("leg", "leg:", scenario.legs)):
        for key, link in links.items():
            ends = (place(link.from_), place(link.to))
            stations[f"{prefix}{key}"] = _station_label(f"{prefix}{key}", kind, ends[0], ends)
    return Names(nodes, flows, {k: v for k, v in stations.items() if v is not None})
