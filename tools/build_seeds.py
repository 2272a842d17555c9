"""Rebuild the sea legs of ``seeds/legs.csv`` (and the transit times of liner services) with ``searoute``.

Run ``python -m tools.build_seeds`` after adding or moving a port in ``seeds/nodes.csv``. It needs the
optional extra ``[seeds]`` (the ``searoute`` package, which ships its maritime network: no network access).
The simulator itself never imports this module.

What it writes:

- one sea leg ``sea_A_B`` (A < B) for every pair of ``port`` nodes with coordinates, at the bulk-carrier speed
  :data:`BULK_SPEED_KN`, routed with the canals that are modelled as chokepoint nodes closed (a ship that
  uses the Panama Canal must pass through the ``PAPCN`` node and its queue) and with Suez closed
  (:data:`ALWAYS_CLOSED`);
- one sea leg from every port to every chokepoint node, routed with that chokepoint's own passage open;
- for every sea service whose ``source`` starts with :data:`SERVICE_SOURCE`, its ``transit_h``: the sea
  distance between its two ports at the liner speed :data:`LINER_SPEED_KN`;
- ``sim/data/sea_lanes.csv``: the track of every generated sea leg (searoute's geometry, simplified to
  :data:`LANE_TOLERANCE_DEG` and rounded to 0.1°), which the network map draws; the simulator ships it and
  never calls searoute.

Rows of ``legs.csv`` whose ``source`` does not start with :data:`LEG_SOURCE` (rail, river, road legs, and any
sea leg written by hand) are kept as they are. The output is deterministic: pairs in id order, distances
rounded to 0.1 nm, fixed column order.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALWAYS_CLOSED",
    "BULK_SPEED_KN",
    "LINER_SPEED_KN",
    "SeaNode",
    "build_sea_legs",
    "lane_text",
    "main",
    "read_sea_nodes",
    "sea_distance_nm",
    "update_services",
]

BULK_SPEED_KN = 12.5
"""Laden bulk-carrier speed (kn): cost-optimal Supramax and Capesize eco speed (sintef.no 1607569)."""
LINER_SPEED_KN = 16.5
"""Deep-sea liner service speed (kn): average ~16.5 kn (tradewindsnews 2023-03; marinemirror.com)."""
ALWAYS_CLOSED = ("northwest", "suez")
"""Passages never used: the Northwest Passage (searoute's default), Suez (Red Sea diversions, Dec 2023 on)."""
PASSAGE_OF_CHOKEPOINT = {"PAPCN": "panama", "EGSUZ": "suez", "SGSTR": "malacca", "IDSUN": "sunda"}
"""searoute passage that a chokepoint node stands for (pseudo-LOCODE -> passage name)."""
LANE_TOLERANCE_DEG = 0.25
"""Largest distance (degrees) of a dropped vertex from the simplified lane (Douglas–Peucker): finer than a
line's width on a world map, and it keeps the shipped file small."""
LANES_FILE = Path("sim/data/sea_lanes.csv")
LANE_COLUMNS = ("leg", "from", "to", "points")
LEG_SOURCE = "computed: searoute"
SERVICE_SOURCE = "derived: searoute"
EARTH_RADIUS_NM = 3440.065
LEG_COLUMNS = (
    "id",
    "from",
    "to",
    "mode",
    "distance_nm",
    "speed_kn",
    "distance_km",
    "speed_kmh",
    "transit_h",
    "variability",
    "source",
    "year",
    "notes",
)


@dataclass(frozen=True)
class SeaNode:
    """A node that ships reach: a port or a chokepoint, with coordinates (degrees)."""

    id: str
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class SeaRoute:
    """A computed sea distance (nm), the named passages the route traverses and its track.

    ``path`` is the simplified track as (longitude, latitude) degrees from ``a`` to ``b``, longitudes
    continuous (a trans-Pacific track runs past 180° rather than jumping to −180°).
    """

    distance_nm: float
    passages: tuple[str, ...]
    path: tuple[tuple[float, float], ...] = ()


def read_sea_nodes(nodes_csv: Path) -> list[SeaNode]:
    """Ports and chokepoints of ``nodes.csv`` that have coordinates, in id order."""
    with nodes_csv.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    nodes = [
        SeaNode(row["id"], row["kind"], float(row["lat"]), float(row["lon"]))
        for row in rows
        if row.get("kind") in ("port", "chokepoint") and row.get("lat") and row.get("lon")
    ]
    return sorted(nodes, key=lambda node: node.id)


def great_circle_nm(a: SeaNode, b: SeaNode) -> float:
    """Great-circle distance (nm) between two nodes (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlam = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_NM * math.asin(math.sqrt(h))


def sea_distance_nm(a: SeaNode, b: SeaNode, closed: Sequence[str]) -> SeaRoute | None:
    """Shortest sea route between two nodes with ``closed`` passages avoided; ``None`` when there is none.

    searoute snaps both ends to its network, so two neighbouring ports can come out 0 nm apart; the result is
    never below the great-circle distance.
    """
    import searoute  # the optional extra [seeds], needed only here

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # searoute warns (and returns length 0) when a route is blocked
        feature = searoute.searoute(
            [a.lon, a.lat], [b.lon, b.lat], units="naut", restrictions=list(closed), return_passages=True
        )
    length = float(feature["properties"]["length"])
    passages = tuple(sorted(feature["properties"].get("traversed_passages") or ()))
    direct = great_circle_nm(a, b)
    if not math.isfinite(length) or (length == 0.0 and direct > 50.0):
        return None
    track = [(float(lon), float(lat)) for lon, lat in feature["geometry"]["coordinates"]]
    path = simplify([(a.lon, a.lat), *track, (b.lon, b.lat)], LANE_TOLERANCE_DEG)
    return SeaRoute(round(max(length, direct), 1), passages, tuple(path))


def _unwrap(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Shift longitudes by multiples of 360° so that every step is the short way round."""
    out: list[tuple[float, float]] = []
    for raw, lat in points:
        lon = raw if not out else out[-1][0] + ((raw - out[-1][0] + 180.0) % 360.0 - 180.0)
        out.append((lon, lat))
    return out


def _offset(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    """Distance (degrees, plane) of ``point`` from the segment ``start``–``end``."""
    (x, y), (x0, y0), (x1, y1) = point, start, end
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0.0 else min(1.0, max(0.0, ((x - x0) * dx + (y - y0) * dy) / length2))
    return math.hypot(x - (x0 + t * dx), y - (y0 + t * dy))


def simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker simplification of a (longitude, latitude) track, after unwrapping its longitudes.

    Consecutive duplicates are dropped; the two ends are always kept.
    """
    unwrapped = _unwrap(points)
    track = [p for i, p in enumerate(unwrapped) if i == 0 or p != unwrapped[i - 1]]
    if len(track) <= 2:
        return track
    keep = [False] * len(track)
    keep[0] = keep[-1] = True
    stack = [(0, len(track) - 1)]
    while stack:
        first, last = stack.pop()
        worst, where = 0.0, -1
        for i in range(first + 1, last):
            distance = _offset(track[i], track[first], track[last])
            if distance > worst:
                worst, where = distance, i
        if where > 0 and worst > tolerance:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [p for p, kept in zip(track, keep, strict=True) if kept]


def _closed_for(nodes: Iterable[SeaNode], open_passage: str | None = None) -> list[str]:
    closed = set(ALWAYS_CLOSED)
    closed.update(
        PASSAGE_OF_CHOKEPOINT[n.id] for n in nodes if n.kind == "chokepoint" and n.id in PASSAGE_OF_CHOKEPOINT
    )
    closed.discard(open_passage or "")
    return sorted(closed)


def build_sea_legs(nodes: Sequence[SeaNode], year: str = "2024") -> list[dict[str, str]]:
    """Sea-leg rows (``legs.csv`` columns) for every port pair and every port-chokepoint pair.

    Each row also carries its simplified track under the key ``points`` (see :func:`lane_text`).
    """
    ports = [n for n in nodes if n.kind == "port"]
    chokepoints = [n for n in nodes if n.kind == "chokepoint"]
    pairs: list[tuple[SeaNode, SeaNode, list[str]]] = [
        (a, b, _closed_for(nodes)) for i, a in enumerate(ports) for b in ports[i + 1 :]
    ]
    for choke in chokepoints:
        closed = _closed_for(nodes, PASSAGE_OF_CHOKEPOINT.get(choke.id))
        pairs += [(port, choke, closed) if port.id < choke.id else (choke, port, closed) for port in ports]
    rows = []
    for a, b, closed in sorted(pairs, key=lambda pair: (pair[0].id, pair[1].id)):
        route = sea_distance_nm(a, b, closed)
        if route is None:
            print(
                f"no sea route between {a.id} and {b.id} with {closed} closed; leg left out", file=sys.stderr
            )
            continue
        rows.append(
            {
                "id": f"sea_{a.id}_{b.id}",
                "from": a.id,
                "to": b.id,
                "mode": "sea",
                "distance_nm": f"{route.distance_nm:.1f}",
                "speed_kn": f"{BULK_SPEED_KN:g}",
                "source": f"{LEG_SOURCE} 1.6 (Eurostat marnet) by python -m tools.build_seeds; "
                f"closed: {' '.join(closed)}; speed: sintef.no publication 1607569",
                "year": year,
                "notes": f"passages: {' '.join(route.passages) or 'open sea'}",
                "points": _points_text(route.path),
            }
        )
    return rows


def _points_text(path: Sequence[tuple[float, float]]) -> str:
    """``lon lat lon lat …`` at 0.1°, repeated points (after rounding) dropped."""
    rounded = [f"{lon:.1f} {lat:.1f}" for lon, lat in path]
    return " ".join(p for i, p in enumerate(rounded) if i == 0 or p != rounded[i - 1])


def lane_text(legs: Iterable[dict[str, str]]) -> str:
    """Text of ``sim/data/sea_lanes.csv``: one row per generated sea leg, in leg order.

    Columns ``leg``, ``from``, ``to`` and ``points``: the track from ``from`` to ``to`` as space-separated
    ``longitude latitude`` pairs in degrees (0.1°), longitudes continuous along the track.
    """
    lanes = [{"leg": r["id"], "from": r["from"], "to": r["to"], "points": r["points"]} for r in legs]
    return _csv_text(LANE_COLUMNS, lanes)


def _read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or ()), list(reader)


def _csv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: row.get(key) or "" for key in columns})
    return buffer.getvalue()


def merge_legs(
    existing: Sequence[dict[str, str]], generated: Sequence[dict[str, str]]
) -> list[dict[str, str]]:
    """Hand-written rows first (in their order), then the generated sea legs."""
    kept = [row for row in existing if not (row.get("source") or "").startswith(LEG_SOURCE)]
    return [*kept, *generated]


def update_services(
    services: Sequence[dict[str, str]], legs: Sequence[dict[str, str]]
) -> list[dict[str, str]]:
    """Set ``transit_h`` of searoute-derived sea services to distance / :data:`LINER_SPEED_KN`."""
    distance = {frozenset((row["from"], row["to"])): float(row["distance_nm"]) for row in legs}
    updated = []
    for original in services:
        row = dict(original)
        if row.get("mode") == "sea" and (row.get("source") or "").startswith(SERVICE_SOURCE):
            nm = distance.get(frozenset((row["from"], row["to"])))
            if nm is None:
                raise ValueError(f"service {row['id']}: no sea leg between {row['from']} and {row['to']}")
            row["transit_h"] = f"{nm / LINER_SPEED_KN:.1f}"
        updated.append(row)
    return updated


def rebuild(seeds: Path, lanes: Path = LANES_FILE) -> dict[Path, str]:
    """New text of ``legs.csv`` and ``services.csv`` in ``seeds`` and of the sea lanes (nothing written)."""
    generated = build_sea_legs(read_sea_nodes(seeds / "nodes.csv"))
    legs_path = seeds / "legs.csv"
    existing = _read_rows(legs_path)[1] if legs_path.exists() else []
    texts = {legs_path: _csv_text(LEG_COLUMNS, merge_legs(existing, generated))}
    services_path = seeds / "services.csv"
    if services_path.exists():
        columns, services = _read_rows(services_path)
        texts[services_path] = _csv_text(columns, update_services(services, generated))
    texts[lanes] = lane_text(generated)
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: rebuild (or with ``--check``, verify) the sea legs and liner transit times."""
    parser = argparse.ArgumentParser(prog="python -m tools.build_seeds", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=Path("seeds"), help="seeds directory (default: seeds)")
    parser.add_argument(
        "--lanes", type=Path, default=LANES_FILE, help=f"sea-lane file to write (default: {LANES_FILE})"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if the files are not up to date")
    args = parser.parse_args(argv)
    try:
        import searoute  # noqa: F401 - only to fail early with a clear message
    except ImportError:
        print("searoute is not installed: pip install -e '.[seeds]'", file=sys.stderr)
        return 2
    if not (args.seeds / "nodes.csv").exists():
        print(f"{args.seeds / 'nodes.csv'}: no such file", file=sys.stderr)
        return 2
    stale = []
    for path, text in rebuild(args.seeds, args.lanes).items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, encoding="utf-8")
    verb = "out of date" if args.check else "rewritten"
    print("; ".join(f"{p} {verb}" for p in stale) or "seeds up to date")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
