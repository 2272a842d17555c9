"""Which rate and factor of the ``costs:`` and ``emissions:`` sections applies to each (station, route) pair.

Matched once per network (:func:`station_rates`), used by the ledger (:mod:`sim.results.ledger`: what each
visit costs and emits) and by route choice (:mod:`sim.choice`: what a route is expected to cost). The
matching rule is :mod:`sim.scenario.ledger`'s: the most specific rate wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from pydantic import BaseModel

from sim.arrays import FloatArray, IntArray
from sim.network import Network
from sim.scenario.ledger import Costs, Emissions
from sim.scenario.ledger_checks import link_distance_km, link_mode
from sim.scenario.model import Scenario

__all__ = ["MONEY", "Rates", "station_rates"]

MONEY = ("sea", "rail", "inland", "port", "canal")
"""Route components of a visit's money, by station kind and link mode."""
SPECIFICITY = {"link": 8, "node": 4, "commodity": 2, "cargo_class": 1}
Entry = TypeVar("Entry", bound=BaseModel)


@dataclass(frozen=True)
class _Place:
    """What a station is, for matching rates: kind, link or node, mode, cargo class, km."""

    kind: str
    link: str | None
    node: str
    mode: str | None
    cargo_class: str | None
    km: float


def _places(scenario: Scenario, network: Network) -> dict[int, _Place]:
    places: dict[int, _Place] = {}
    for flow in network.flows:
        for step, index in zip(flow.steps, flow.stations, strict=True):
            if index in places:
                continue
            station = network.stations[index]
            if step.kind in ("leg", "service"):
                km = link_distance_km(scenario, step.ref)
                places[index] = _Place(
                    step.kind,
                    step.ref,
                    station.node,
                    link_mode(scenario, step.ref),
                    None,
                    np.nan if km is None else km,
                )
            else:
                places[index] = _Place(step.kind, None, step.ref, None, step.cargo_class, 0.0)
    return places


def _best(entries: Mapping[str, Entry], want: dict[str, str | None], container: bool) -> Entry | None:
    """The most specific entry whose selectors all match ``want`` (see :mod:`sim.scenario.ledger`)."""
    best: Entry | None = None
    score = -1
    for key in sorted(entries):
        entry = entries[key]
        if getattr(entry, "unit", "t") == "TEU" and not container:
            continue
        points = 0
        for field, value in want.items():
            chosen = getattr(entry, field, None)
            if chosen is None:
                continue
            if chosen != value:
                points = -1
                break
            points += SPECIFICITY.get(field, 0)
        if points > score:
            best, score = entry, points
    return best


@dataclass
class Rates:
    """Per (station, route of ``network.flows``): money component; fixed / per-t / per-TEU money and CO₂e."""

    component: IntArray
    usd: FloatArray  # shape (3, stations, flows): fixed, per t, per TEU
    wtw_kg: FloatArray  # shape (2, stations, flows): per t, per TEU
    ttw_kg: FloatArray

    def charge(self, station: int, flow: int, fixed: float, per_unit: float, unit: str) -> None:
        """Charge ``fixed`` US$ per visit and ``per_unit`` US$ per t or TEU."""
        self.usd[0, station, flow] = fixed
        self.usd[1 if unit == "t" else 2, station, flow] = per_unit

    def emit(self, station: int, flow: int, wtw: float, ttw: float | None, unit: str) -> None:
        """Emit ``wtw`` (and ``ttw``, None: not reported) kg CO₂e per t or TEU."""
        column = 0 if unit == "t" else 1
        self.wtw_kg[column, station, flow] = wtw
        self.ttw_kg[column, station, flow] = np.nan if ttw is None else ttw


def station_rates(scenario: Scenario, network: Network) -> Rates:
    """Match every rate and factor to every (station, flow) pair of the network, once."""
    costs = scenario.costs or Costs()
    emissions = scenario.emissions or Emissions()
    shape = (len(network.stations), len(network.flows))
    rates = Rates(
        np.zeros(shape, dtype=np.int64), np.zeros((3, *shape)), np.zeros((2, *shape)), np.zeros((2, *shape))
    )
    places = _places(scenario, network)
    for flow in network.flows:
        spec = scenario.flows[flow.flow]
        commodity = scenario.commodities[spec.commodity]
        container = commodity.kind == "container"
        f = flow.index
        for index in set(flow.stations):
            place = places[index]
            want: dict[str, str | None] = {
                "commodity": spec.commodity,
                "cargo_class": place.cargo_class or commodity.cargo_class,
            }
            if place.kind in ("leg", "service"):
                want |= {"link": place.link, "mode": place.mode}
                rates.component[index, f] = MONEY.index(
                    {"sea": "sea", "rail": "rail"}.get(str(place.mode), "inland")
                )
                rate = _best(costs.freight, want, container)
                if rate is not None:
                    per_km = rate.usd_per_unit_km * place.km if rate.usd_per_unit_km else 0.0
                    per_unit = rate.usd_per_unit + per_km  # a lane rate needs no distance
                    rates.charge(index, f, 0.0, per_unit, rate.unit)
                factor = _best(emissions.transport, want, container)
                if factor is not None:
                    ttw = factor.ttw_g_per_unit_km
                    rates.emit(
                        index,
                        f,
                        factor.wtw_g_per_unit_km * place.km / 1000.0,
                        None if ttw is None else ttw * place.km / 1000.0,
                        factor.unit,
                    )
            elif place.kind == "berth":
                want["node"] = place.node
                rates.component[index, f] = MONEY.index("port")
                charge = _best(costs.ports, want, container)
                if charge is not None:
                    rates.charge(index, f, charge.usd_per_call, charge.usd_per_unit, charge.unit)
                hub = _best(emissions.hubs, want, container)
                if hub is not None:
                    rates.emit(index, f, hub.wtw_kg_per_unit, hub.ttw_kg_per_unit, hub.unit)
            else:
                want["node"] = place.node
                rates.component[index, f] = MONEY.index("canal")
                toll = _best(costs.canals, want, container)
                if toll is not None:
                    rates.charge(index, f, toll.usd_per_transit, toll.usd_per_unit, toll.unit)
    return rates
