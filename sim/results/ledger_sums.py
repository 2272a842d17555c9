"""Every ledger column of every shipment, written in one compiled pass over the shipments and their visits.

The per-shipment sums of the ledger (:mod:`sim.results.ledger`): a visit at station ``s`` of a shipment of
flow ``f`` carrying ``t`` tonnes and ``e`` TEU adds

- ``fixed + per_t × t + per_teu × e`` US$ (``rates.usd[:, s, f]``) to its money component
  ``rates.component[s, f]`` (an index into :data:`sim.rates.MONEY`);
- ``per_t × t + per_teu × e`` kg well-to-wheel CO₂e (``rates.wtw_kg``), also counted as hub CO₂e at a berth,
  and tank-to-wheel (``rates.ttw_kg``);
- its wait, ``start − arrive`` (h; NaN when it had not started by the horizon), at a queueing station.

Each expression is evaluated left to right with its zero terms left out, and a visit whose expression is 0
throughout adds nothing; each sum starts at 0 and adds the visits in route order — the floats of the
position-by-position array sums over route groups this replaced, bit for bit. The same pass then writes the
columns derived from the sums, shipment by shipment, with the operations (and their order) of the array
expressions they replace: hours to the journey's end (:mod:`sim.results.delivery`), the cost of time,
carbon and the total.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["COLUMNS", "ledger_table"]

COLUMNS = (
    "waiting_h",
    "co2e_wtw_kg",
    "co2e_ttw_kg",
    "co2e_transport_wtw_kg",
    "co2e_hub_wtw_kg",
    "cost_sea_usd",
    "cost_rail_usd",
    "cost_inland_usd",
    "cost_port_usd",
    "cost_canal_usd",
    "cost_transit_time_usd",
    "cost_waiting_time_usd",
    "cost_carbon_usd",
    "cost_total_usd",
)
"""Every column :func:`ledger_table` can write, in the order of its ``rows`` argument; the money columns
(``cost_sea_usd`` … ``cost_canal_usd``) follow :data:`sim.rates.MONEY`."""

_WAITING, _WTW, _TTW, _TRANSPORT, _HUB, _MONEY = 0, 1, 2, 3, 4, 5
_TRANSIT_TIME, _WAITING_TIME, _CARBON, _TOTAL = 10, 11, 12, 13


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


_CHARGES_USD, _EMITS_WTW, _AT_HUB, _EMITS_TTW, _QUEUES = 1, 2, 4, 8, 16
"""Bits of :func:`_charged`: what a visit at a (station, flow) adds to its shipment's sums."""


@compiled
def _charged(
    usd: FloatArray, wtw_kg: FloatArray, ttw_kg: FloatArray, queueing: BoolArray, hub: BoolArray
) -> IntArray:
    """What a visit adds at each (station, flow): US$, CO₂e (at a hub), tank-to-wheel CO₂e, its wait (bits).

    US$ and CO₂e are added where a coefficient is not 0 (NaN included).
    """
    stations, flows = usd.shape[1], usd.shape[2]
    charged = np.zeros((stations, flows), dtype=np.int64)
    for s in range(stations):
        for flow in range(flows):
            what = 0
            if usd[0, s, flow] != 0.0 or usd[1, s, flow] != 0.0 or usd[2, s, flow] != 0.0:
                what |= _CHARGES_USD
            if wtw_kg[0, s, flow] != 0.0 or wtw_kg[1, s, flow] != 0.0:
                what |= _EMITS_WTW | (_AT_HUB if hub[s] else 0)
            if ttw_kg[0, s, flow] != 0.0 or ttw_kg[1, s, flow] != 0.0:
                what |= _EMITS_TTW
            if queueing[s]:
                what |= _QUEUES
            charged[s, flow] = what
    return charged


@compiled
def ledger_table(
    first_visit: IntArray,
    visit_station: IntArray,
    shipment_flow: IntArray,
    tonnes: FloatArray,
    teu: FloatArray,
    created: FloatArray,
    left: BoolArray,
    arrive: FloatArray,
    start: FloatArray,
    end: FloatArray,
    component: IntArray,
    usd: FloatArray,
    wtw_kg: FloatArray,
    ttw_kg: FloatArray,
    queueing: BoolArray,
    hub: BoolArray,
    usd_per_tonne_hour: FloatArray,
    carbon_usd_per_t: float,
    rows: IntArray,
    table: FloatArray,
    ended: FloatArray,
) -> None:
    """Fill ``table`` (the ledger's columns, shape (columns, shipments)) and ``ended`` (h) of every shipment.

    Parameters
    ----------
    first_visit : ndarray of int64
        The Plan's ``first_visit`` (shipments + 1 offsets into the visits).
    visit_station, shipment_flow : ndarray of int
        Station of each visit, flow of each shipment.
    tonnes, teu : ndarray of float64
        Each shipment's size.
    created : ndarray of float64
        Each shipment's creation (h).
    left : ndarray of bool
        Each shipment left at a chokepoint (:attr:`sim.plan.Plan.left`; empty when no flow's ships leave).
    arrive, start, end : ndarray of float64
        The visits' times (h; NaN when not reached by the horizon).
    component, usd, wtw_kg, ttw_kg : ndarray
        The rates of :class:`sim.rates.Rates` by (station, flow): money component (an index into the five
        money columns), US$ and kg CO₂e (well-to-wheel, tank-to-wheel) coefficients.
    queueing, hub : ndarray of bool
        Per station: it queues (waits count); it is a berth (its CO₂e is hub CO₂e).
    usd_per_tonne_hour : ndarray of float64
        Per flow: US$ of holding a tonne of its cargo for an hour (0 when not valued).
    carbon_usd_per_t : float
        Carbon price (US$ per t CO₂e).
    rows : ndarray of int64
        For each of :data:`COLUMNS`, its row in ``table`` (−1: not written).
    table : ndarray of float64
        Written: shape (columns, shipments).
    ended : ndarray of float64
        Written: when each shipment's journey ended (h; :func:`sim.results.delivery.ended_times`).
    """
    charged = _charged(usd, wtw_kg, ttw_kg, queueing, hub)
    sums = np.zeros(_MONEY + 5, dtype=np.float64)  # waiting, wtw, ttw, (transport), hub, money
    has_left = left.size > 0
    for row in range(tonnes.size):
        for k in range(sums.size):
            sums[k] = 0.0
        flow = shipment_flow[row]
        t, e = tonnes[row], teu[row]
        first, last = first_visit[row], first_visit[row + 1]
        for visit in range(first, last):
            s = visit_station[visit]
            what = charged[s, flow]
            if what & _CHARGES_USD:
                usd_visit = _linear(usd[0, s, flow], usd[1, s, flow], t, usd[2, s, flow], e)
                sums[_MONEY + component[s, flow]] += usd_visit
            if what & _EMITS_WTW:
                wtw = _linear(0.0, wtw_kg[0, s, flow], t, wtw_kg[1, s, flow], e)
                sums[_WTW] += wtw
                if what & _AT_HUB:
                    sums[_HUB] += wtw
            if what & _EMITS_TTW:
                sums[_TTW] += _linear(0.0, ttw_kg[0, s, flow], t, ttw_kg[1, s, flow], e)
            if what & _QUEUES:
                sums[_WAITING] += start[visit] - arrive[visit]
        if last > first:
            finished = end[last - 1]
        elif has_left and left[row]:
            finished = created[row]
        else:
            finished = np.nan
        ended[row] = finished
        _write(
            table, rows, row, sums, finished - created[row], usd_per_tonne_hour[flow] * t, carbon_usd_per_t
        )


@compiled
def _write(
    table: FloatArray, rows: IntArray, row: int, sums: FloatArray, hours: float, hourly: float, carbon: float
) -> None:
    """Write shipment ``row``'s columns from its ``sums`` (waiting, CO₂e, money).

    ``hours`` to the end of its journey (NaN: not ended by the horizon), ``hourly`` US$ of holding it for an
    hour, ``carbon`` the carbon price (US$ per t CO₂e).
    """
    waiting = np.nan if np.isnan(hours) else sums[_WAITING]
    sums[_TRANSPORT] = sums[_WTW] - sums[_HUB]
    for column in range(_MONEY + 5):
        if rows[column] >= 0:
            table[rows[column], row] = waiting if column == _WAITING else sums[column]
    if rows[_TOTAL] >= 0:
        transit_time = hourly * (hours - waiting)
        waiting_time = hourly * waiting
        carbon_usd = sums[_WTW] / 1000.0 * carbon
        table[rows[_TRANSIT_TIME], row] = transit_time
        table[rows[_WAITING_TIME], row] = waiting_time
        table[rows[_CARBON], row] = carbon_usd
        total = 0.0
        for column in range(_MONEY, _MONEY + 5):
            total += sums[column]
        table[rows[_TOTAL], row] = ((total + transit_time) + waiting_time) + carbon_usd
