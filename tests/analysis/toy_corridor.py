"""A small, self-contained toy corridor that writes run directories in the result contract's format.

It lets the analysis tests run without the simulation core: four flows (soybeans from Paranaguá and from New
Orleans via the Panama Canal to Qingdao, lithium carbonate from Antofagasta to Shanghai, ILSTC containers by
rail from Chongqing to Qinzhou) through berth pools, a chokepoint, a rail service and sea legs. Stations are
processed in topological order with FIFO multi-server queues. Random draws are keyed by (replication, flow,
purpose), so two runs with the same seed share common random numbers whatever their capacities.
"""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

HOURS = 8760.0
WARMUP_H = 30 * 24.0
HORIZON_H = WARMUP_H + HOURS

# station: (kind, node, cargo_class, capacity, rate t/h (berths) or hours (legs, chokepoint))
STATIONS: dict[str, tuple[str, str, str, float, float]] = {
    "BRPNG/dry_bulk": ("berth", "BRPNG", "dry_bulk", 2, 950.0),
    "USMSY/dry_bulk": ("berth", "USMSY", "dry_bulk", 2, 1100.0),
    "CLANF/container": ("berth", "CLANF", "container", 1, 450.0),
    "svc:ilstc_ckg_qzh": ("service", "CNCKG", "", 2400.0, 60.0),
    "leg:BRPNG-CNTAO": ("leg", "BRPNG", "", np.nan, 960.0),
    "leg:USMSY-PAPCN": ("leg", "USMSY", "", np.nan, 130.0),
    "chk:PAPCN": ("chokepoint", "PAPCN", "", 3, 24.0),
    "leg:PAPCN-CNTAO": ("leg", "PAPCN", "", np.nan, 620.0),
    "leg:CLANF-CNSHA": ("leg", "CLANF", "", np.nan, 640.0),
    "CNTAO/dry_bulk": ("berth", "CNTAO", "dry_bulk", 2, 1500.0),
    "CNSHA/container": ("berth", "CNSHA", "container", 2, 600.0),
    "CNQZH/container": ("berth", "CNQZH", "container", 1, 900.0),
}
NODES = {
    "BRPNG": (-25.50, -48.52),
    "USMSY": (29.95, -90.07),
    "CLANF": (-23.65, -70.40),
    "CNCKG": (29.56, 106.55),
    "PAPCN": (9.08, -79.68),
    "CNTAO": (36.07, 120.38),
    "CNSHA": (31.23, 121.47),
    "CNQZH": (21.95, 108.62),
}
HARVEST = [5, 7, 12, 14, 13, 11, 9, 8, 6, 5, 5, 5]
US_HARVEST = [8, 6, 5, 4, 4, 4, 5, 6, 10, 15, 17, 16]


@dataclass(frozen=True)
class Flow:
    name: str
    commodity: str
    route: tuple[str, ...]
    tonnes_per_year: float
    parcel_t: tuple[float, float]
    tonnes_per_teu: float
    seasonality: tuple[float, ...]


FLOWS = (
    Flow(
        "soy_png_tao",
        "soybeans",
        ("BRPNG/dry_bulk", "leg:BRPNG-CNTAO", "CNTAO/dry_bulk"),
        8.0e6,
        (55e3, 70e3),
        0.0,
        tuple(HARVEST),
    ),
    Flow(
        "soy_msy_tao",
        "soybeans",
        ("USMSY/dry_bulk", "leg:USMSY-PAPCN", "chk:PAPCN", "leg:PAPCN-CNTAO", "CNTAO/dry_bulk"),
        6.0e6,
        (55e3, 66e3),
        0.0,
        tuple(US_HARVEST),
    ),
    Flow(
        "li_anf_sha",
        "lithium_carbonate",
        ("CLANF/container", "leg:CLANF-CNSHA", "CNSHA/container"),
        2.4e5,
        (500.0, 1500.0),
        20.0,
        (1,) * 12,
    ),
    Flow(
        "ilstc_ckg_qzh",
        "general_containers",
        ("svc:ilstc_ckg_qzh", "CNQZH/container"),
        6.0e5,
        (240.0, 720.0),
        12.0,
        (1,) * 12,
    ),
)
ORDER = tuple(STATIONS)  # topological: every route visits stations in this order


def _arrivals(rng: np.random.Generator, flow: Flow) -> tuple[np.ndarray, np.ndarray]:
    """Poisson arrivals with monthly seasonality (thinning), and parcel sizes in tonnes."""
    weights = np.asarray(flow.seasonality, dtype=float)
    mean_parcel = sum(flow.parcel_t) / 2.0
    monthly_rate = weights / weights.mean() * flow.tonnes_per_year / mean_parcel / HOURS
    candidate = np.cumsum(rng.exponential(1.0 / monthly_rate.max(), int(3 * monthly_rate.max() * HORIZON_H)))
    candidate = candidate[candidate < HORIZON_H]
    month = ((candidate / HOURS * 12).astype(int)) % 12
    keep = rng.random(candidate.size) < monthly_rate[month] / monthly_rate.max()
    created = candidate[keep]
    return created, rng.uniform(*flow.parcel_t, created.size)


def _berth(arrive: np.ndarray, work: np.ndarray, servers: int) -> np.ndarray:
    free = [0.0] * servers
    start = np.empty_like(arrive)
    for i in np.argsort(arrive, kind="stable"):
        start[i] = max(arrive[i], heapq.heappop(free))
        heapq.heappush(free, start[i] + work[i])
    return start


def _service(arrive: np.ndarray, size: np.ndarray, headway: float, capacity: float) -> np.ndarray:
    start = np.empty_like(arrive)
    departure, room = 0.0, capacity
    for i in np.argsort(arrive, kind="stable"):
        while departure < arrive[i] or room < size[i]:
            departure, room = departure + headway, capacity
        start[i], room = departure, room - size[i]
    return start


def simulate(
    seed: int, replications: int, capacity: dict[str, float] | None = None
) -> tuple[pd.DataFrame, ...]:
    """Simulate the toy corridor; returns (visits, shipments, stations) frames in the contract format."""
    capacity = capacity or {}
    visit_frames, ship_frames = [], []
    for rep in range(replications):
        rows = []
        for f_index, flow in enumerate(FLOWS):
            rng = np.random.default_rng([seed, rep, f_index])
            created, tonnes = _arrivals(rng, flow)
            noise = rng.lognormal(-0.02, 0.2, (created.size, len(flow.route)))
            rows.append((flow, f_index, created, tonnes, noise))
        _one_replication(rep, rows, capacity, visit_frames, ship_frames)
    stations = pd.DataFrame(
        {
            "station": list(STATIONS),
            "kind": [s[0] for s in STATIONS.values()],
            "node": [s[1] for s in STATIONS.values()],
            "cargo_class": [s[2] for s in STATIONS.values()],
            "lat": [NODES[s[1]][0] for s in STATIONS.values()],
            "lon": [NODES[s[1]][1] for s in STATIONS.values()],
            "capacity": [float(capacity.get(n, s[3])) for n, s in STATIONS.items()],
        }
    )
    return pd.concat(visit_frames, ignore_index=True), pd.concat(ship_frames, ignore_index=True), stations


def _one_replication(rep, rows, capacity, visit_frames, ship_frames) -> None:
    created = np.concatenate([r[2] for r in rows])
    order = np.argsort(created, kind="stable")
    flow_of = np.concatenate([np.full(r[2].size, r[1]) for r in rows])[order]
    tonnes = np.concatenate([r[3] for r in rows])[order]
    created = created[order]
    noise_by_flow = [r[4] for r in rows]
    position = np.concatenate([np.arange(r[2].size) for r in rows])[order]
    n = created.size
    ready = created.copy()
    visits = []
    for station in ORDER:
        kind, _, _, cap, param = STATIONS[station]
        cap = capacity.get(station, cap)
        members = np.array([i for i in range(n) if station in FLOWS[flow_of[i]].route], dtype=int)
        if members.size == 0:
            continue
        seqs = np.array([FLOWS[flow_of[i]].route.index(station) for i in members])
        noise = np.array(
            [noise_by_flow[flow_of[i]][position[i], s] for i, s in zip(members, seqs, strict=True)]
        )
        arrive = ready[members]
        if kind == "berth":
            work = (tonnes[members] / param + 4.0) * noise
            start = _berth(arrive, work, int(cap))
            end = start + work
        elif kind == "chokepoint":
            start = _berth(arrive, np.full(arrive.size, 24.0 / cap * 2), int(cap))
            end = start + param * noise
        elif kind == "service":
            teu = tonnes[members] / 12.0
            start = _service(arrive, teu, 24.0, cap / 12.0)
            end = start + param
        else:
            start, end = arrive, arrive + param * noise
        ready[members] = end
        visits.append(
            pd.DataFrame(
                {
                    "shipment": members,
                    "seq": seqs,
                    "station": station,
                    "kind": kind,
                    "arrive": arrive,
                    "start": start,
                    "end": end,
                }
            )
        )
    frame = pd.concat(visits, ignore_index=True).sort_values(["shipment", "seq"], ignore_index=True)
    for column in ("arrive", "start", "end"):
        frame.loc[frame[column] > HORIZON_H, column] = np.nan
    frame.loc[frame["arrive"].isna(), "start"] = np.nan
    frame.loc[frame["start"].isna(), "end"] = np.nan
    frame.insert(0, "replication", np.int32(rep))
    frame["shipment"] = frame["shipment"].astype(np.int64)
    frame["seq"] = frame["seq"].astype(np.int16)
    visit_frames.append(frame)
    delivered = np.where(ready <= HORIZON_H, ready, np.nan)
    flows = [FLOWS[i] for i in flow_of]
    ship_frames.append(
        pd.DataFrame(
            {
                "replication": np.int32(rep),
                "shipment": np.arange(n, dtype=np.int64),
                "flow": [f.name for f in flows],
                "commodity": [f.commodity for f in flows],
                "origin": [f.route[0].split("/")[0].replace("svc:ilstc_ckg_qzh", "CNCKG") for f in flows],
                "destination": [STATIONS[f.route[-1]][1] for f in flows],
                "tonnes": tonnes,
                "teu": [
                    t / f.tonnes_per_teu if f.tonnes_per_teu else 0.0
                    for t, f in zip(tonnes, flows, strict=True)
                ],
                "created": created,
                "delivered": delivered,
                "free_flow_h": [
                    sum(STATIONS[s][4] for s in f.route if STATIONS[s][0] == "leg") for f in flows
                ],
            }
        )
    )


def write_run(
    directory: Path,
    seed: int = 1,
    replications: int = 3,
    capacity: dict[str, float] | None = None,
    name: str = "toy_corridor",
) -> Path:
    """Simulate and write a run directory; returns it."""
    directory.mkdir(parents=True, exist_ok=True)
    visits, shipments, stations = simulate(seed, replications, capacity)
    visits.to_parquet(directory / "visits.parquet", index=False)
    shipments.to_parquet(directory / "shipments.parquet", index=False)
    stations.to_parquet(directory / "stations.parquet", index=False)
    provenance = {
        "scenario": name,
        "scenario_hash": f"toy-{seed}-{sorted((capacity or {}).items())}",
        "seed": seed,
        "engine": "toy",
        "replications": replications,
        "start_date": "2024-01-01",
        "horizon_h": HORIZON_H,
        "warmup_h": WARMUP_H,
    }
    (directory / "provenance.json").write_text(json.dumps(provenance, indent=2))
    (directory / "kpis.json").write_text(json.dumps({}))
    return directory


def write_frames(
    directory: Path,
    visits: pd.DataFrame,
    shipments: pd.DataFrame,
    stations: pd.DataFrame,
    horizon_h: float,
    warmup_h: float = 0.0,
    name: str = "tiny",
) -> Path:
    """Write hand-made tables as a run directory (for exact, hand-checkable tests)."""
    directory.mkdir(parents=True, exist_ok=True)
    visits.to_parquet(directory / "visits.parquet", index=False)
    shipments.to_parquet(directory / "shipments.parquet", index=False)
    stations.to_parquet(directory / "stations.parquet", index=False)
    provenance = {
        "scenario": name,
        "seed": 0,
        "engine": "hand",
        "replications": int(shipments["replication"].nunique()),
        "start_date": "2024-01-01",
        "horizon_h": horizon_h,
        "warmup_h": warmup_h,
    }
    (directory / "provenance.json").write_text(json.dumps(provenance))
    return directory
