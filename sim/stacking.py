"""Several Plans as one: sweep points simulated together, each point's replications as rows of one run.

Sweep points are different scenarios (other berth counts, rates, demand) over the same horizon. Stacked,
they form one Plan whose network is block-diagonal: point ``k``'s stations are copies numbered after the
stations of the points before it, so no shipment of one point ever meets one of another. An engine runs the
stacked Plan once; the vector engine then computes the copies of a berth pool from every point as rows of
one pool grid (stations of one level of the station graph are batched), which is what vectorising across
sweep points means. :func:`unstack` cuts the Trace back into one per point. Replications stay independent,
so each point's Trace is the one the engine gives the point alone (the contract tests check it).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from sim.arrays import IntArray
from sim.class_draws import ClassArray
from sim.network import FlowRoute, Network, Station
from sim.plan import Plan
from sim.schedule import Schedule
from sim.trace import Trace

__all__ = ["stack", "station_copies", "unstack", "with_copies"]


def stack(plans: Sequence[Plan]) -> Plan:
    """One Plan holding every replication of every plan, over a block-diagonal network.

    Parameters
    ----------
    plans : sequence of Plan
        The points, all with the same horizon (h).

    Raises
    ------
    ValueError
        When there are no plans or their horizons differ.
    """
    if not plans:
        raise ValueError("stack needs at least one plan")
    horizons = {plan.horizon_h for plan in plans}
    if len(horizons) > 1:
        raise ValueError(f"plans to stack must share one horizon; got {sorted(horizons)} h")
    station_offsets = _offsets([len(plan.network.stations) for plan in plans])
    flow_offsets = _offsets([len(plan.network.flows) for plan in plans])
    network = Network(
        stations=tuple(
            station
            for k, plan in enumerate(plans)
            for station in _stations(plan.network.stations, station_offsets[k])
        ),
        flows=tuple(
            flow
            for k, plan in enumerate(plans)
            for flow in _flows(plan.network.flows, flow_offsets[k], station_offsets[k])
        ),
        parcel_limits=(),
        horizon_h=plans[0].horizon_h,
    )
    shipment_offsets = _offsets([plan.n_shipments for plan in plans])
    visit_offsets = _offsets([plan.n_visits for plan in plans])
    return Plan(
        network=network,
        seed=plans[0].seed,
        replications=tuple(r for plan in plans for r in plan.replications),
        rep_first=_joined([plan.rep_first for plan in plans], shipment_offsets),
        shipment_rep=np.concatenate([plan.shipment_rep for plan in plans]),
        shipment_id=np.concatenate([plan.shipment_id for plan in plans]),
        shipment_flow=_shifted([plan.shipment_flow for plan in plans], flow_offsets),
        created=np.concatenate([plan.created for plan in plans]),
        tonnes=np.concatenate([plan.tonnes for plan in plans]),
        teu=np.concatenate([plan.teu for plan in plans]),
        free_flow_h=np.concatenate([plan.free_flow_h for plan in plans]),
        first_visit=_joined([plan.first_visit for plan in plans], visit_offsets),
        visit_station=_shifted([plan.visit_station for plan in plans], station_offsets),
        visit_work=np.concatenate([plan.visit_work for plan in plans]),
        visit_size=np.concatenate([plan.visit_size for plan in plans]),
        capacity_by_rep=_capacities(plans, station_offsets),
        visit_class=_classes(plans),
    )


def with_copies(plan: Plan) -> Plan:
    """The Plan with one copy of a station per replication that has its own schedule: the same Trace.

    Random disruptions (:mod:`sim.spells`) give a station a schedule per replication; as stacked sweep
    points, each replication then visits its own copy, and no schedule is per replication any more. Copies
    keep the station's name and take the replication's schedule; that replication's visits move to the copy.
    The visits and their order are unchanged, so the Trace of the result is the Trace of ``plan``.
    A replication whose schedule is the station's own keeps the station.
    """
    copied, moved = station_copies(plan)
    if moved is None:
        return copied
    visit_station = np.empty_like(plan.visit_station)  # every replication's visits written below
    for stored, table in enumerate(moved.astype(visit_station.dtype, copy=False)):
        v0, v1 = (int(plan.first_visit[plan.rep_first[r]]) for r in (stored, stored + 1))
        np.take(table, plan.visit_station[v0:v1], out=visit_station[v0:v1])
    return dataclasses.replace(copied, visit_station=visit_station)


def station_copies(plan: Plan) -> tuple[Plan, IntArray | None]:
    """:func:`with_copies`' network, and where each replication's visits move, without moving them.

    Returns the Plan with the copies in its network and no schedule per replication, its visits still at
    the original stations, and a table (stored replications × the plan's stations) of the station each
    replication's visit goes to instead — ``None`` (and ``plan`` itself) when no replication has a
    schedule of its own. The vector engine applies the table as it cuts a block
    (:class:`~sim.engines.vector.block.Block`), so the visits' stations are not copied once more.
    """
    if not plan.capacity_by_rep:
        return plan, None
    stations = list(plan.network.stations)
    moved = np.empty((len(plan.capacity_by_rep), len(stations)), dtype=np.int64)
    for stored, schedules in enumerate(plan.capacity_by_rep):
        moved[stored] = np.arange(len(plan.network.stations))  # station -> its copy
        for index, schedule in schedules.items():
            original = plan.network.stations[index]
            if _same(schedule, original.capacity):
                continue
            copy = dataclasses.replace(original, index=len(stations), capacity=schedule)
            stations.append(copy)
            moved[stored, index] = copy.index
    network = dataclasses.replace(plan.network, stations=tuple(stations))
    return dataclasses.replace(plan, network=network, capacity_by_rep=()), moved


def _classes(plans: Sequence[Plan]) -> ClassArray | None:
    """Every plan's visit classes laid end to end (class 0 for a plan without; none when no plan has any)."""
    if all(plan.visit_class is None for plan in plans):
        return None
    return np.concatenate(
        [
            plan.visit_class if plan.visit_class is not None else np.zeros(plan.n_visits, dtype=np.int8)
            for plan in plans
        ]
    )


def _same(a: Schedule, b: Schedule) -> bool:
    return bool(np.array_equal(a.times, b.times) and np.array_equal(a.values, b.values))


def _capacities(plans: Sequence[Plan], station_offsets: list[int]) -> tuple[Mapping[int, Schedule], ...]:
    """Every plan's per-replication schedules with station indices shifted (none when no plan has any)."""
    if not any(plan.capacity_by_rep for plan in plans):
        return ()
    return tuple(
        {index + station_offsets[k]: schedule for index, schedule in by_rep.items()}
        for k, plan in enumerate(plans)
        for by_rep in (plan.capacity_by_rep or ({},) * len(plan.replications))
    )


def unstack(trace: Trace, plans: Sequence[Plan]) -> list[Trace]:
    """The Trace of a stacked Plan, cut into one Trace per plan (copies of its arrays)."""
    bounds = _offsets([plan.n_visits for plan in plans])
    return [
        Trace(*(getattr(trace, field)[a:b].copy() for field in ("arrive", "start", "end")))
        for a, b in itertools.pairwise(bounds)
    ]


def _offsets(sizes: list[int]) -> list[int]:
    """Where each part starts when the parts are laid end to end, and the total."""
    return [0, *np.cumsum(sizes).tolist()]


def _shifted(parts: list[np.ndarray], shifts: list[int]) -> np.ndarray:
    """Index arrays laid end to end, each shifted by its own amount (written in place, no temporaries)."""
    out = np.concatenate(parts)
    at = 0
    for part, shift in zip(parts, shifts, strict=False):
        out[at : at + part.size] += shift
        at += part.size
    return out


def _joined(offsets_arrays: list[np.ndarray], shifts: list[int]) -> np.ndarray:
    """CSR offset arrays laid end to end: each part's offsets shifted by what comes before it."""
    parts = [offsets_arrays[0][:1]]
    parts += [offsets[1:] + shift for offsets, shift in zip(offsets_arrays, shifts, strict=False)]
    return np.concatenate(parts).astype(np.int64)


def _stations(stations: tuple[Station, ...], offset: int) -> list[Station]:
    """Copies renumbered; they keep their names, which is how the engine knows copies of one station."""
    return [dataclasses.replace(s, index=s.index + offset) for s in stations]


def _flows(flows: tuple[FlowRoute, ...], offset: int, station_offset: int) -> list[FlowRoute]:
    return [
        dataclasses.replace(f, index=f.index + offset, stations=tuple(s + station_offset for s in f.stations))
        for f in flows
    ]
