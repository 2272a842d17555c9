"""Bottleneck ranking: which station, losing part of its capacity, costs the corridor most.

A small built-in sweep. For every candidate station the scenario is rerun with that station degraded by a
fraction ``f`` (default 25 %) for the whole horizon, with the base's seed (common random numbers), and the
result is paired with the undegraded base:

* berth pool ``NODE/class`` — handling rate × (1 − f) (a berth count cannot lose a quarter of a berth);
* scheduled service ``svc:ID`` — capacity per departure × (1 − f);
* chokepoint ``chk:NODE`` — transit slots per day × (1 − f);
* leg ``leg:ID`` — speed × (1 − f), as a whole-horizon speed disruption.

Two KPIs rank them: total throughput (t/yr, all commodities) and the tonne-weighted mean transit time
(flows weighted by their base throughput, h). Background traffic — flows marked ``background``, such as the
canal's other transits (``panama_background``), modelled only so that the corridor queues behind it — is
left out of both by default (:func:`background_flows`): its tonnes would dwarf the corridor's own.
The answer reads "a 25 % capacity loss at X costs Y t/yr and Z hours per tonne", each with a paired 95 %
interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats.differences import Difference, paired_difference
from sim.results.files import atomic_directory, write_json
from sim.results.provenance import git_commit, stamp
from sim.results.traffic import Background
from sim.runner import run
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Disruption, Scenario

__all__ = [
    "Degradation",
    "background_flows",
    "bottlenecks_provenance",
    "candidate_stations",
    "degrade",
    "rank_bottlenecks",
    "scenario_kpis",
    "write_bottlenecks",
]


def background_flows(scenario: Scenario) -> tuple[frozenset[str], frozenset[str]]:
    """Flows marked ``background`` and the commodities only they carry (:mod:`sim.results.traffic`)."""
    background = Background.of(scenario)
    return background.flows, background.commodities


KEYS = ["table", "key", "period", "metric"]


@dataclass(frozen=True)
class Degradation:
    """What was changed for one station.

    Attributes
    ----------
    station : str
        Station name as in results.
    kind : str
        ``berth``, ``service``, ``chokepoint`` or ``leg``.
    change : str
        Human description, e.g. ``handling rate 1670 → 1252 t/h``.
    scenario : Scenario
        The degraded scenario.
    """

    station: str
    kind: str
    change: str
    scenario: Scenario


def _replace_node(scenario: Scenario, node_id: str, **update: object) -> Scenario:
    nodes = dict(scenario.nodes)
    nodes[node_id] = nodes[node_id].model_copy(update=update)
    return scenario.model_copy(update={"nodes": nodes})


def _berth(scenario: Scenario, station: str, keep: float) -> Degradation:
    node_id, cargo_class = station.split("/", 1)
    pools = dict(scenario.nodes[node_id].berths)
    pool = pools[cargo_class]
    pools[cargo_class] = pool.model_copy(update={"rate": pool.rate * keep})
    change = f"handling rate {pool.rate:g} → {pool.rate * keep:g} {pool.rate_unit}"
    return Degradation(station, "berth", change, _replace_node(scenario, node_id, berths=pools))


def _service(scenario: Scenario, station: str, keep: float) -> Degradation:
    service_id = station.removeprefix("svc:")
    services = dict(scenario.services)
    service = services[service_id]
    services[service_id] = service.model_copy(update={"capacity": service.capacity * keep})
    change = f"capacity {service.capacity:g} → {service.capacity * keep:g} {service.capacity_unit}/departure"
    return Degradation(station, "service", change, scenario.model_copy(update={"services": services}))


def _chokepoint(scenario: Scenario, station: str, keep: float) -> Degradation:
    node_id = station.removeprefix("chk:")
    choke = scenario.nodes[node_id].chokepoint
    if choke is None:
        raise ValueError(f"{station}: node {node_id} has no chokepoint")
    slots = choke.slots_per_day
    degraded = choke.model_copy(update={"slots_per_day": slots * keep})
    change = f"slots {slots:g} → {slots * keep:g} per day"
    return Degradation(station, "chokepoint", change, _replace_node(scenario, node_id, chokepoint=degraded))


def _leg(scenario: Scenario, station: str, keep: float) -> Degradation:
    leg_id = station.removeprefix("leg:")
    if leg_id not in scenario.legs:
        raise ValueError(f"{station}: no leg {leg_id!r} in the scenario")
    probe = Disruption.model_validate(
        {"kind": "speed", "target": leg_id, "start_h": 0.0, "end_h": scenario.horizon_h, "scale": keep}
    )
    disruptions = {**scenario.disruptions, "bottleneck_probe": probe}
    change = f"speed × {keep:g} all horizon"
    return Degradation(station, "leg", change, scenario.model_copy(update={"disruptions": disruptions}))


def degrade(scenario: Scenario, station: str, fraction: float) -> Degradation:
    """The scenario with one station's capacity cut by ``fraction`` (0 < fraction < 1) all horizon.

    Raises
    ------
    ValueError
        If the fraction is out of range or the station is not in the scenario.
    """
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"fraction must be in (0, 1); got {fraction}")
    keep = 1.0 - fraction
    if station.startswith("svc:"):
        return _service(scenario, station, keep)
    if station.startswith("chk:"):
        return _chokepoint(scenario, station, keep)
    if station.startswith("leg:"):
        return _leg(scenario, station, keep)
    if "/" in station and station.split("/", 1)[0] in scenario.nodes:
        return _berth(scenario, station, keep)
    raise ValueError(f"{station}: not a station of scenario {scenario.name}")


def scenario_kpis(
    by_replication: pd.DataFrame,
    weights: pd.Series | None = None,
    exclude: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset()),
) -> pd.DataFrame:
    """Per-replication total throughput (t/yr) and tonne-weighted mean transit (h).

    Parameters
    ----------
    by_replication : pandas.DataFrame
        Long per-replication KPIs of one run.
    weights : pandas.Series, optional
        Weight per flow (the base's tonnes per year); default: this run's own mean throughput.
    exclude : (frozenset of str, frozenset of str)
        Flows and commodities left out of both KPIs (background traffic, :func:`background_flows`).

    Returns
    -------
    pandas.DataFrame
        Indexed by replication, columns ``throughput_t_per_year`` and ``transit_h`` (NaN in a replication
        where some weighted flow delivered nothing in the window).
    """
    k = by_replication
    by_flow = k["table"].str.endswith("_by_flow")
    k = k.loc[~((by_flow & k["key"].isin(exclude[0])) | (~by_flow & k["key"].isin(exclude[1])))]
    tonnes = k[(k["table"] == "throughput_by_commodity") & (k["metric"] == "tonnes_per_year")]
    flows = k[(k["table"] == "throughput_by_flow") & (k["metric"] == "tonnes_per_year")]
    transit = k[(k["table"] == "transit_by_flow") & (k["metric"] == "transit_mean_h")]
    if weights is None:
        weights = flows.groupby("key")["value"].mean()
    weights = weights.drop(index=[key for key in weights.index if key in exclude[0]])
    wide = transit.pivot_table(index="replication", columns="key", values="value")
    wide = wide.reindex(columns=weights.index[weights > 0])
    # A replication missing a weighted flow (none delivered in the window) has no comparable average: NaN,
    # so that the pair is dropped instead of silently renormalised over the other flows.
    weighted = (wide * weights.reindex(wide.columns)).sum(axis=1, min_count=1) / float(weights.sum())
    weighted[wide.isna().any(axis=1)] = np.nan
    return pd.DataFrame(
        {"throughput_t_per_year": tonnes.groupby("replication")["value"].sum(), "transit_h": weighted}
    )


def candidate_stations(stations: pd.DataFrame, include_legs: bool = True) -> list[str]:
    """Stations worth probing: every queueing station, and the legs if asked."""
    kinds = ["berth", "service", "chokepoint"] + (["leg"] if include_legs else [])
    return [str(s) for s, k in zip(stations["station"], stations["kind"], strict=True) if k in kinds]


def _row(item: Degradation, throughput: Difference, transit: Difference) -> dict[str, object]:
    return {
        "station": item.station,
        "kind": item.kind,
        "change": item.change,
        "throughput_change": throughput.diff.estimate,
        "throughput_low": throughput.diff.low,
        "throughput_high": throughput.diff.high,
        "throughput_relative": throughput.relative.estimate,
        "throughput_significant": throughput.significant,
        "transit_change_h": transit.diff.estimate,
        "transit_low_h": transit.diff.low,
        "transit_high_h": transit.diff.high,
        "transit_significant": transit.significant,
    }


def rank_bottlenecks(
    scenario: Scenario,
    fraction: float = 0.25,
    stations: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    engine: str = "vector",
    notify: Callable[[str], None] | None = None,
    include_legs: bool = True,
    include_background: bool = False,
) -> pd.DataFrame:
    """Rank stations by the throughput lost and the transit time added when each loses ``fraction``.

    Parameters
    ----------
    scenario : Scenario
        The base scenario.
    fraction : float
        Share of capacity each station loses (0.25 = a quarter).
    stations : sequence of str, optional
        Stations to probe (default: every queueing station and leg, :func:`candidate_stations`).
    replications, seed : int, optional
        Default: the scenario's. Every run shares the seed (common random numbers).
    engine : str
        Simulation engine (the numpy ``vector`` engine by default: the sweep is many runs).
    notify : callable, optional
        Receives a message before each run.
    include_legs : bool
        With the default candidates, also probe legs (slowed down by ``fraction``).
    include_background : bool
        Count background traffic (:func:`background_flows`) in the KPIs; by default it is left out.

    Returns
    -------
    pandas.DataFrame
        One row per station, most harmful first (largest significant throughput loss, then largest transit
        increase):
        ``station``, ``kind``, ``change``, ``throughput_change`` (t/yr) with ``throughput_low/high`` and
        ``throughput_relative``, ``transit_change_h`` with ``transit_low_h/high_h``, and significance flags.
    """
    count = scenario.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    base_run = run(scenario, engine=engine, replications=count, seed=root)
    flows = base_run.kpis_by_replication.query(
        "table == 'throughput_by_flow' and metric == 'tonnes_per_year'"
    )
    weights = flows.groupby("key")["value"].mean()
    nothing: frozenset[str] = frozenset()
    exclude = (nothing, nothing) if include_background else background_flows(scenario)
    base = scenario_kpis(base_run.kpis_by_replication, weights, exclude)
    probes = list(stations) if stations is not None else candidate_stations(base_run.stations, include_legs)
    rows = []
    for station in probes:
        item = degrade(scenario, station, fraction)
        if notify is not None:
            notify(f"{station}: {item.change}")
        result = run(item.scenario, engine=engine, replications=count, seed=root)
        variant = scenario_kpis(result.kpis_by_replication, weights, exclude).reindex(base.index)
        rows.append(
            _row(
                item,
                paired_difference(base["throughput_t_per_year"], variant["throughput_t_per_year"]),
                paired_difference(base["transit_h"], variant["transit_h"]),
            )
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    # Significant throughput losses first (largest first), then by transit time added; a throughput change
    # whose interval includes zero is noise and does not rank.
    loss = table["throughput_change"].where(table["throughput_significant"], 0.0).fillna(0.0)
    order = np.lexsort((-table["transit_change_h"].fillna(0.0), loss))
    ranked = table.iloc[order].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    return ranked


def bottlenecks_provenance(
    scenario: Scenario, fraction: float, replications: int | None, seed: int | None, engine: str
) -> dict[str, Any]:
    """``provenance.json`` of a bottleneck ranking: its kind, the base scenario's stamp and the fraction."""
    count = scenario.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    return {
        "kind": "bottlenecks",
        "scenario": scenario.name,
        **stamp(scenario_hash(scenario), root, engine, list(range(count)), git_commit()),
        "fraction": fraction,
    }


def write_bottlenecks(
    table: pd.DataFrame,
    scenario: Scenario,
    target: Path,
    *,
    fraction: float,
    replications: int | None,
    seed: int | None,
    engine: str,
    top: int = 15,
) -> Path:
    """Write a ranking's directory atomically: CSV, Parquet, the figure and ``provenance.json``.

    The provenance file is what lets a later run recognise the directory as its own and replace it
    (:mod:`sim.results.destinations`). Returns ``target``.
    """
    from sim.analysis.figures.forest import plot_bottlenecks
    from sim.analysis.figures.names import names_of_scenario
    from sim.analysis.figures.style import save_png

    with atomic_directory(target, "bottlenecks", option="--out") as scratch:
        table.to_csv(scratch / "bottlenecks.csv", index=False)
        table.to_parquet(scratch / "bottlenecks.parquet", index=False)
        figure = plot_bottlenecks(table, top=top, names=names_of_scenario(scenario))
        save_png(figure, scratch / "bottlenecks.png")
        write_json(
            bottlenecks_provenance(scenario, fraction, replications, seed, engine),
            scratch / "provenance.json",
        )
    return target
