"""The benchmark workloads: Plans both engines run, and the fraction the reference engine runs when the whole
would take too long (the first replications, or the first part of the horizon)."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.wide_network import countries, wide_scenario_data
from sim.drawing import draw_plan
from sim.examples import one_port
from sim.network import build_network
from sim.plan import Plan
from sim.scenario import Scenario, load_scenario, scenario_from_data
from sim.stacking import stack

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@dataclass(frozen=True)
class Workload:
    """One row of the benchmark table.

    Attributes
    ----------
    name : str
        Row name (also the key in the JSON results).
    what : str
        One line saying what runs.
    plan : callable
        Builds the Plan the vector engine runs.
    fraction : str
        ``""`` when the reference engine runs the same Plan; else ``"replications:k"`` (the first ``k``
        replications) or ``"horizon:f"`` (shipments created in the first ``f`` of the horizon, simulated to
        that point).
    """

    name: str
    what: str
    plan: Callable[[], Plan]
    fraction: str = ""


def _draw(scenario: Scenario, replications: int) -> Plan:
    return draw_plan(scenario, build_network(scenario), range(replications), scenario.seed)


def mmc_port(days: float, replications: int) -> Scenario:
    """M/M/4 berth pool at utilisation 0.85: Poisson arrivals 4/h, exponential service of mean 0.85 h."""
    return one_port(
        4,
        4.0 * 24,
        0.85,
        service={"dist": "exponential", "mean": 1.0},
        days=days,
        warmup_days=1.0,
        replications=replications,
        seed=11,
    )


def tandem(days: float, replications: int) -> Scenario:
    """Five ports in series, three berths each (utilisation ~0.8), 12-h sea legs between them."""
    ports = [f"XXP{i:02d}" for i in range(5)]
    pool = {
        "count": 3,
        "rate": 1000.0,
        "rate_unit": "t/h",
        "overhead_h": 0.0,
        "variability": {"dist": "exponential", "mean": 1.0},
    }
    return scenario_from_data(
        {
            "schema": 1,
            "name": "tandem",
            "start": "2024-01-01",
            "horizon_days": days,
            "warmup_days": 1.0,
            "replications": replications,
            "seed": 12,
            "commodities": {"cargo": {"kind": "bulk", "cargo_class": "bulk"}},
            "nodes": {p: {"name": p, "kind": "port", "berths": {"bulk": pool}} for p in ports},
            "legs": {
                f"l{i}": {"from": a, "to": b, "mode": "sea", "transit_h": 12.0}
                for i, (a, b) in enumerate(itertools.pairwise(ports))
            },
            "flows": {
                "f": {
                    "commodity": "cargo",
                    "origin": ports[0],
                    "destination": ports[-1],
                    "route": ports,
                    "annual_volume": 2.4e7,
                    "volume_unit": "t",
                    "parcel": {"dist": "fixed", "value": 3000.0},
                    "parcel_unit": "t",
                }
            },
        }
    )


def speed_check() -> Scenario:
    """The small scenario timed by the unit suite's speed check: baseline_2024 over 90 days."""
    return load_scenario(
        SCENARIOS / "baseline_2024.yaml", overrides={"horizon_days": 90.0, "warmup_days": 10.0}
    )


SPEED_CHECK_REPLICATIONS = 4


def _wide(replications: int) -> Plan:
    data = wide_scenario_data()
    scenario = scenario_from_data(data)
    ports = sum(1 for node in data["nodes"].values() if node.get("country"))
    if ports < 319 or countries(data) < 107:
        raise RuntimeError(
            f"the wide network has {ports} ports in {countries(data)} countries; want 319 in 107"
        )
    return _draw(scenario, replications)


SWEEP_BERTHS = range(4, 12)
"""The sweep points of ``sweep_8_points_x10``: Santos grain berths."""


def _sweep_points(replications: int) -> Plan:
    """baseline_2024 at each point of :data:`SWEEP_BERTHS`, stacked into one Plan (:mod:`sim.stacking`)."""
    baseline = SCENARIOS / "baseline_2024.yaml"
    return stack(
        [
            _draw(load_scenario(baseline, overrides={"nodes.BRSSZ.berths.grain.count": berths}), replications)
            for berths in SWEEP_BERTHS
        ]
    )


def workloads() -> list[Workload]:
    """Every row of the table, in order."""
    baseline = SCENARIOS / "baseline_2024.yaml"
    teu = SCENARIOS / "bench_ilstc_teu.yaml"
    return [
        Workload(
            "speed_check",
            "baseline_2024, 90 days, 4 replications (the unit suite's speed check)",
            lambda: _draw(speed_check(), SPEED_CHECK_REPLICATIONS),
        ),
        Workload(
            "mmc_port",
            "M/M/4 port (rho 0.85), one run of ~200,000 ships",
            lambda: _draw(mmc_port(2100, 1), 1),
        ),
        Workload(
            "mmc_port_x100",
            "M/M/4 port, 100 replications of one year",
            lambda: _draw(mmc_port(365, 100), 100),
            "replications:5",
        ),
        Workload(
            "tandem5", "5-port tandem, 3 berths each, one run of two years", lambda: _draw(tandem(730, 1), 1)
        ),
        Workload(
            "tandem5_x100",
            "5-port tandem, 100 replications of one year",
            lambda: _draw(tandem(365, 100), 100),
            "replications:5",
        ),
        Workload(
            "baseline_2024_x1", "baseline_2024, 1 replication", lambda: _draw(load_scenario(baseline), 1)
        ),
        Workload(
            "baseline_2024_x100",
            "baseline_2024, 100 replications at once",
            lambda: _draw(load_scenario(baseline), 100),
            "replications:5",
        ),
        Workload(
            "panama_diversion_x20",
            "panama_drought_2023_24 (US Gulf soybeans may divert at the canal), 20 replications at once",
            lambda: _draw(load_scenario(SCENARIOS / "panama_drought_2023_24.yaml"), 20),
            "replications:2",
        ),
        Workload(
            "mechanisms_x20",
            "strike_risk: random strikes and weather closures, background traffic, Poisson arrivals; 20 reps",
            lambda: _draw(load_scenario(SCENARIOS / "strike_risk.yaml"), 20),
            "replications:3",
        ),
        Workload(
            "sweep_8_points_x10",
            "baseline_2024 at 8 sweep points (Santos grain berths 4-11) x 10 replications, in one run",
            lambda: _sweep_points(10),
            "replications:3",
        ),
        Workload(
            "ilstc_teu_year",
            "ILSTC sea-rail at container granularity (1 TEU per shipment), 427 days",
            lambda: _draw(load_scenario(teu), 1),
            "horizon:0.125",
        ),
        Workload(
            "wide_319_ports_x1",
            "ILSTC to 319 ports in 107 countries (searoute), 1 replication",
            lambda: _wide(1),
        ),
        Workload(
            "wide_319_ports_x20",
            "ILSTC to 319 ports in 107 countries, 20 replications",
            lambda: _wide(20),
            "replications:3",
        ),
    ]


def reference_part(plan: Plan, fraction: str) -> Plan:
    """The part of ``plan`` the reference engine runs (see :attr:`Workload.fraction`)."""
    if not fraction:
        return plan
    kind, value = fraction.split(":")
    if kind == "replications":
        return first_replications(plan, int(value))
    return first_hours(plan, plan.horizon_h * float(value))


def first_replications(plan: Plan, count: int) -> Plan:
    """The first ``count`` stored replications of a plan, as a plan (their random schedules with them)."""
    return plan.block(0, count)


def first_hours(plan: Plan, hours: float) -> Plan:
    """The shipments created before ``hours``, simulated up to ``hours`` (a shorter horizon)."""
    keep = plan.created < hours
    rows = np.flatnonzero(keep)
    steps = np.diff(plan.first_visit)[rows]
    offsets = np.cumsum(steps) - steps
    visits = (
        np.repeat(plan.first_visit[rows], steps) + np.arange(int(steps.sum())) - np.repeat(offsets, steps)
    )
    per_rep = np.bincount(
        np.searchsorted(plan.rep_first, rows, side="right") - 1, minlength=len(plan.replications)
    )
    network = dataclasses.replace(plan.network, horizon_h=hours)
    return dataclasses.replace(
        plan,
        network=network,
        rep_first=np.concatenate([[0], np.cumsum(per_rep)]).astype(np.int64),
        **_rows(plan, rows),
        first_visit=np.concatenate([[0], np.cumsum(steps)]).astype(np.int64),
        **_visits(plan, visits),
    )


def _rows(plan: Plan, which: Any) -> dict[str, Any]:
    names = ["shipment_rep", "shipment_id", "shipment_flow", "created", "tonnes", "teu", "free_flow_h"]
    return {name: getattr(plan, name)[which] for name in names}


def _visits(plan: Plan, which: Any) -> dict[str, Any]:
    names = ["visit_station", "visit_work", "visit_size"] + ["visit_class"] * (plan.visit_class is not None)
    return {name: getattr(plan, name)[which] for name in names}
