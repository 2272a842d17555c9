"""Invariants that hold for every scenario, checked on random small networks (Hypothesis).

No cargo created or lost; time never runs backwards along a shipment; FIFO per station (per priority class at
stations with classes); no lower class starts while a higher one waits (where no transits are reserved); no
station above its capacity at any instant; waits are never negative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings

import sim
from sim.network import Network
from sim.runner import RunResult
from sim.scenario import Scenario
from tests.strategies import scenarios

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _run(scenario: Scenario) -> RunResult:
    return sim.run(scenario, engine="reference")


@SETTINGS
@given(scenarios())
def test_no_cargo_is_created_or_lost(scenario: Scenario) -> None:
    result = _run(scenario)
    visits, shipments = result.visits, result.shipments
    horizon = scenario.horizon_h
    delivered = shipments["delivered"].notna()
    in_transit = (~delivered) & (shipments["created"] <= horizon)
    assert (delivered | in_transit).all()  # every shipment of the plan is delivered or still on its way
    total = shipments["tonnes"][delivered].sum() + shipments["tonnes"][in_transit].sum()
    assert np.isclose(total, shipments["tonnes"].sum(), rtol=1e-12)
    first = visits.groupby(["replication", "shipment"], sort=False).first()
    assert np.array_equal(
        first["arrive"].to_numpy(),
        shipments.set_index(["replication", "shipment"]).loc[first.index, "created"].to_numpy(),
    )  # every shipment enters the network when created
    # between stations nothing vanishes: the next visit starts where the last ended, and once a time is
    # missing (beyond the horizon) every later time of that shipment is missing too
    nxt = visits.groupby(["replication", "shipment"], sort=False)["arrive"].shift(-1)
    linked = nxt.notna()
    assert np.array_equal(visits["end"][linked].to_numpy(), nxt[linked].to_numpy())
    assert not (visits["end"].isna() & nxt.notna()).any()


@SETTINGS
@given(scenarios())
def test_time_never_runs_backwards_and_waits_are_not_negative(scenario: Scenario) -> None:
    visits = _run(scenario).visits
    started = visits["start"].notna()
    assert (visits["start"][started] >= visits["arrive"][started]).all()
    ended = visits["end"].notna()
    assert (visits["end"][ended] >= visits["start"][ended]).all()
    assert (visits["arrive"].dropna() >= 0).all()


def _fifo_violations(frame: pd.DataFrame) -> int:
    ordered = frame.sort_values(["arrive", "shipment"])
    starts = ordered["start"].to_numpy()
    starts = starts[~np.isnan(starts)]
    return int((np.diff(starts) < 0).sum())


def _with_classes(result: RunResult) -> pd.DataFrame:
    """The visits table with each visit's priority class (0 where its station has none)."""
    visits = result.visits
    assert len(visits) == result.plan.n_visits
    classes = result.plan.visit_class
    return visits.assign(klass=classes if classes is not None else np.zeros(len(visits), dtype=np.int8))


@SETTINGS
@given(scenarios())
def test_every_queue_is_fifo(scenario: Scenario) -> None:
    visits = _with_classes(_run(scenario))
    queued = visits[(visits["kind"] != "leg") & visits["arrive"].notna()]
    for _, station in queued.groupby(["replication", "station", "klass"], observed=True):
        assert _fifo_violations(station) == 0
        # a later arrival never starts while an earlier one is still waiting
        waiting_at_end = station["start"].isna()
        if waiting_at_end.any():
            assert (
                station["arrive"][waiting_at_end].min() >= station["arrive"][~waiting_at_end].max()
                or (station["start"].dropna() <= station["arrive"][waiting_at_end].min()).all()
            )


@SETTINGS
@given(scenarios())
def test_no_lower_class_starts_while_a_higher_one_waits(scenario: Scenario) -> None:
    result = _run(scenario)
    visits = _with_classes(result)
    plain = {s.name for s in result.network.stations if s.has_priority and not any(s.reserved)}
    chosen = visits[visits["station"].isin(plain) & visits["start"].notna()]
    for (rep, name), started in chosen.groupby(["replication", "station"], observed=True):
        every = visits[(visits["replication"] == rep) & (visits["station"] == name)]
        arrive, start = every["arrive"].to_numpy(), every["start"].fillna(np.inf).to_numpy()
        klass = every["klass"].to_numpy()
        for t, k in zip(started["start"].to_numpy(), started["klass"].to_numpy(), strict=True):
            # waiting at t (arrived by t, not started by t) in a higher class: none
            assert not ((klass < k) & (arrive <= t) & (start > t)).any(), (name, t)


def _check_capacity(network: Network, visits: pd.DataFrame, sizes: np.ndarray) -> None:
    for (_, name), station in visits[visits["start"].notna()].groupby(
        ["replication", "station"], observed=True
    ):
        spec = network.station(str(name))
        start, end = station["start"].to_numpy(), station["end"].fillna(np.inf).to_numpy()
        if spec.kind == "berth":
            busy = ((start[None, :] <= start[:, None]) & (end[None, :] > start[:, None])).sum(axis=1)
            assert (busy <= spec.capacity.at_many(start)).all()
        elif spec.kind == "service":
            load = pd.Series(sizes[station.index]).groupby(start).agg(["sum", "size"])
            room = spec.capacity.at_many(load.index.to_numpy())
            assert ((load["sum"].to_numpy() <= room + 1e-9) | (load["size"].to_numpy() == 1)).all()
        elif spec.kind == "chokepoint":
            ordered = np.sort(start)
            gaps = np.diff(ordered)
            assert (gaps >= 24.0 / spec.capacity.at_many(ordered[:-1]) - 1e-9).all()
            assert (spec.capacity.at_many(ordered) > 0).all()


@SETTINGS
@given(scenarios())
def test_no_station_is_above_its_capacity_at_any_instant(scenario: Scenario) -> None:
    result = _run(scenario)
    _check_capacity(result.network, result.visits, result.plan.visit_size)
