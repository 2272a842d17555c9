"""A run directory read back for analysis: the result tables, the KPIs and the provenance.

The files and columns are the result contract of ``corridor run`` (see DESIGN.md):

* ``visits.parquet`` — replication, shipment, seq, station, kind, arrive, start, end (hours; NaN when not
  reached by the horizon);
* ``shipments.parquet`` — replication, shipment, flow, commodity, origin, destination, tonnes, teu, created,
  delivered (hours; NaN if not delivered), free_flow_h;
* ``stations.parquet`` — station, kind, node, cargo_class, lat, lon, capacity;
* ``kpis.json`` and ``provenance.json`` (scenario, scenario_hash, seed, engine, replications, start_date,
  horizon_h, warmup_h).

Times stay in float hours from the scenario start; :meth:`RunData.timestamps` turns them into calendar dates.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.results.traffic import Background, without_background

__all__ = ["REQUIRED_FILES", "RunData", "RunDirError", "load_run"]

REQUIRED_FILES = ("visits.parquet", "shipments.parquet", "stations.parquet", "provenance.json")
HOURS_PER_YEAR = 8760.0


class RunDirError(ValueError):
    """A directory is not a readable run directory; the message names the directory and what is missing."""


@dataclass(frozen=True)
class RunData:
    """The result tables of one run.

    Attributes
    ----------
    directory : Path
        Where the files were read from.
    visits, shipments, stations : pandas.DataFrame
        The tables of the result contract.
    kpis, provenance : dict
        Parsed ``kpis.json`` (empty if absent) and ``provenance.json``.
    """

    directory: Path
    visits: pd.DataFrame
    shipments: pd.DataFrame
    stations: pd.DataFrame
    kpis: dict[str, Any]
    provenance: dict[str, Any]

    @property
    def name(self) -> str:
        """Scenario name from the provenance (the directory name when absent)."""
        return str(self.provenance.get("scenario", self.directory.name))

    @property
    def horizon_h(self) -> float:
        """Simulated horizon in hours."""
        return float(self.provenance["horizon_h"])

    @property
    def warmup_h(self) -> float:
        """Warm-up in hours; statistics exclude what happens before it."""
        return float(self.provenance.get("warmup_h", 0.0))

    @property
    def window_h(self) -> float:
        """Length of the measured window (horizon minus warm-up) in hours."""
        return self.horizon_h - self.warmup_h

    @property
    def start(self) -> pd.Timestamp:
        """Calendar start of the scenario."""
        return pd.Timestamp(self.provenance.get("start_date", "2024-01-01"))

    @property
    def replications(self) -> int:
        """Number of replications in the tables."""
        return int(self.shipments["replication"].nunique()) if len(self.shipments) else 0

    @property
    def background(self) -> Background:
        """The run's background traffic (``kpis.json``; empty for runs written before it existed)."""
        return Background.from_json(self.kpis.get("background", {}))

    def without_background(self) -> RunData:
        """The run with its background traffic left out: its shipments, their visits and their KPI rows.

        Station statistics computed from the visits (waits, queue lengths) are then those of the modelled
        flows alone; see :func:`sim.results.traffic.without_background` for the KPI rows.
        """
        background = self.background
        if not background.flows:
            return self
        keep = ~self.shipments["flow"].astype(str).isin(background.flows)
        shipments = self.shipments.loc[keep].reset_index(drop=True)
        kept = pd.MultiIndex.from_frame(shipments[["replication", "shipment"]])
        visits = self.visits.loc[
            pd.MultiIndex.from_frame(self.visits[["replication", "shipment"]]).isin(kept)
        ].reset_index(drop=True)
        tables = {
            name: without_background(pd.DataFrame.from_records(records).assign(table=name), background)
            .drop(columns="table")
            .to_dict(orient="records")
            for name, records in self.kpis.get("tables", {}).items()
            if records
        }
        kpis = {**self.kpis, "tables": tables}
        return replace(self, visits=visits, shipments=shipments, kpis=kpis)

    def timestamps(self, hours: Any) -> pd.DatetimeIndex:
        """Convert hours from the scenario start into calendar timestamps."""
        return self.start + pd.to_timedelta(np.asarray(hours, dtype=np.float64), unit="h")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise RunDirError(f"{path}: cannot read JSON ({error})") from error
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _read_parquet(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as error:
        raise RunDirError(f"{path}: cannot read Parquet ({error})") from error
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunDirError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


VISIT_COLUMNS = ("replication", "shipment", "seq", "station", "kind", "arrive", "start", "end")
SHIPMENT_COLUMNS = (
    "replication",
    "shipment",
    "flow",
    "commodity",
    "origin",
    "destination",
    "tonnes",
    "teu",
    "created",
    "delivered",
)
STATION_COLUMNS = ("station", "kind", "node", "lat", "lon", "capacity")


def load_run(directory: str | Path) -> RunData:
    """Read a run directory written by ``corridor run``.

    Parameters
    ----------
    directory : str or Path
        The run directory.

    Returns
    -------
    RunData
        The tables, with string columns as Python strings and times as float64 hours.

    Raises
    ------
    RunDirError
        If the directory or a required file is missing or unreadable, or a contract column is absent.
    """
    root = Path(directory)
    if not root.is_dir():
        raise RunDirError(f"{root}: not a directory")
    missing = [name for name in REQUIRED_FILES if not (root / name).is_file()]
    if missing:
        raise RunDirError(f"{root}: not a run directory (missing {', '.join(missing)})")
    kpis_path = root / "kpis.json"
    provenance = _read_json(root / "provenance.json")
    if "horizon_h" not in provenance:
        raise RunDirError(f"{root / 'provenance.json'}: missing field horizon_h")
    return RunData(
        directory=root,
        visits=_read_parquet(root / "visits.parquet", VISIT_COLUMNS),
        shipments=_read_parquet(root / "shipments.parquet", SHIPMENT_COLUMNS),
        stations=_read_parquet(root / "stations.parquet", STATION_COLUMNS),
        kpis=_read_json(kpis_path) if kpis_path.is_file() else {},
        provenance=provenance,
    )
