"""Each shipment's money, CO₂e and waiting hours summed over its visits, in one compiled pass.

The per-shipment sums of the ledger (:mod:`sim.results.ledger`): a visit at station ``s`` of a shipment of
flow ``f`` carrying ``t`` tonnes and ``e`` TEU adds

- ``fixed + per_t × t + per_teu × e`` US$ (``rates.usd[:, s, f]``) to its money component
  ``rates.component[s, f]`` (an index into :data:`sim.rates.MONEY`);
- ``per_t × t + per_teu × e`` kg well-to-wheel CO₂e (``rates.wtw_kg``), also counted as hub CO₂e at a berth,
  and tank-to-wheel (``rates.ttw_kg``);
- its wait, ``start − arrive`` (h; NaN when it had not started by the horizon), at a queueing station.

Each expression is evaluated left to right with its zero terms left out, and a visit whose expression is 0
throughout adds nothing; each sum starts at 0 and adds the visits in route order — the floats of the
position-by-position array sums over route groups this replaces, bit for bit.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["HUB", "TTW", "WAITING", "WTW", "shipment_sums"]

WTW, HUB, TTW, WAITING = 0, 1, 2, 3
"""Rows of :func:`shipment_sums`' result after the money components: CO₂e (kg: well-to-wheel, of it at
hubs, tank-to-wheel) and hours waiting."""


@compiled
def _linear(fixed: float, per_t: float, tonnes: float, per_teu: float, teu: float) -> float:
    """``fixed + per_t × tonnes + per_teu × teu`` left to right, its zero terms left out (not all are 0)."""
    if per_t != 0.0:
        value = per_t * tonnes
        if fixed != 0.0:
            value += fixed
        return value + per_teu * teu if per_teu != 0.0 else value
    if fixed != 0.0:
        return fixed + per_teu * teu if per_teu != 0.0 else fixed
    return per_teu * teu


@compiled
def shipment_sums(
    first_visit: IntArray,
    visit_station: IntArray,
    shipment_flow: IntArray,
    tonnes: FloatArray,
    teu: FloatArray,
    arrive: FloatArray,
    start: FloatArray,
    component: IntArray,
    usd: FloatArray,
    wtw_kg: FloatArray,
    ttw_kg: FloatArray,
    queueing: BoolArray,
    hub: BoolArray,
    money: int,
) -> FloatArray:
    """The sums of every shipment, shape (``money`` + 4, shipments).

    Parameters
    ----------
    first_visit : ndarray of int64
        The Plan's ``first_visit`` (shipments + 1 offsets into the visits).
    visit_station, shipment_flow : ndarray of int
        Station of each visit, flow of each shipment.
    tonnes, teu : ndarray of float64
        Each shipment's size.
    arrive, start : ndarray of float64
        The visits' times (h).
    component, usd, wtw_kg, ttw_kg : ndarray
        The rates of :class:`sim.rates.Rates` by (station, flow).
    queueing, hub : ndarray of bool
        Per station: it queues (waits count); it is a berth (its CO₂e is hub CO₂e).
    money : int
        Number of money components: rows 0 … ``money`` − 1 are US$ by component, then :data:`WTW`,
        :data:`HUB`, :data:`TTW` and :data:`WAITING` (offset by ``money``).
    """
    sums = np.zeros((money + 4, tonnes.size), dtype=np.float64)
    for row in range(tonnes.size):
        flow = shipment_flow[row]
        t, e = tonnes[row], teu[row]
        for visit in range(first_visit[row], first_visit[row + 1]):
            s = visit_station[visit]
            if usd[0, s, flow] != 0.0 or usd[1, s, flow] != 0.0 or usd[2, s, flow] != 0.0:
                usd_visit = _linear(usd[0, s, flow], usd[1, s, flow], t, usd[2, s, flow], e)
                sums[component[s, flow], row] += usd_visit
            if wtw_kg[0, s, flow] != 0.0 or wtw_kg[1, s, flow] != 0.0:
                wtw = _linear(0.0, wtw_kg[0, s, flow], t, wtw_kg[1, s, flow], e)
                sums[money + WTW, row] += wtw
                if hub[s]:
                    sums[money + HUB, row] += wtw
            if ttw_kg[0, s, flow] != 0.0 or ttw_kg[1, s, flow] != 0.0:
                sums[money + TTW, row] += _linear(0.0, ttw_kg[0, s, flow], t, ttw_kg[1, s, flow], e)
            if queueing[s]:
                sums[money + WAITING, row] += start[visit] - arrive[visit]
    return sums
