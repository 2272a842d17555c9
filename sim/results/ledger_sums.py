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
    has_left = left.size > 0
    for row in range(tonnes.size):
        # scalars, not an array of sums: numba keeps them in registers (the pass ~30 % faster)
        waiting = wtw_sum = ttw_sum = hub_sum = 0.0
        money = (0.0, 0.0, 0.0, 0.0, 0.0)  # the components of sim.rates.MONEY
        flow = shipment_flow[row]
        t, e = tonnes[row], teu[row]
        first, last = first_visit[row], first_visit[row + 1]
        for visit in range(first, last):
            s = visit_station[visit]
            what = charged[s, flow]
            if what & _CHARGES_USD:
                usd_visit = _linear(usd[0, s, flow], usd[1, s, flow], t, usd[2, s, flow], e)
                money = _added(money, component[s, flow], usd_visit)
            if what & _EMITS_WTW:
                wtw = _linear(0.0, wtw_kg[0, s, flow], t, wtw_kg[1, s, flow], e)
                wtw_sum += wtw
                if what & _AT_HUB:
                    hub_sum += wtw
            if what & _EMITS_TTW:
                ttw_sum += _linear(0.0, ttw_kg[0, s, flow], t, ttw_kg[1, s, flow], e)
            if what & _QUEUES:
                waiting += start[visit] - arrive[visit]
        if last > first:
            finished = end[last - 1]
        elif has_left and left[row]:
            finished = created[row]
        else:
            finished = np.nan
        ended[row] = finished
        hours = finished - created[row]
        waiting = np.nan if np.isnan(hours) else waiting
        _write(table, rows, row, waiting, wtw_sum, ttw_sum, hub_sum)
        if rows[_MONEY] >= 0:
            _write_money(
                table,
                rows,
                row,
                money,
                hours,
                waiting,
                usd_per_tonne_hour[flow] * t,
                wtw_sum,
                carbon_usd_per_t,
            )


Money = tuple[float, float, float, float, float]


@compiled
def _added(money: Money, part: int, usd: float) -> Money:
    """``money`` with ``usd`` added to its component ``part`` (an index into :data:`sim.rates.MONEY`)."""
    sea, rail, inland, port, canal = money
    if part == 0:
        return (sea + usd, rail, inland, port, canal)
    if part == 1:
        return (sea, rail + usd, inland, port, canal)
    if part == 2:
        return (sea, rail, inland + usd, port, canal)
    if part == 3:
        return (sea, rail, inland, port + usd, canal)
    return (sea, rail, inland, port, canal + usd)


@compiled
def _write(
    table: FloatArray, rows: IntArray, row: int, waiting: float, wtw: float, ttw: float, hub: float
) -> None:
    """Write shipment ``row``'s wait (h; NaN when its journey had not ended) and CO₂e sums (kg)."""
    for column, value in (
        (_WAITING, waiting),
        (_WTW, wtw),
        (_TTW, ttw),
        (_TRANSPORT, wtw - hub),
        (_HUB, hub),
    ):
        if rows[column] >= 0:
            table[rows[column], row] = value


@compiled
def _write_money(
    table: FloatArray,
    rows: IntArray,
    row: int,
    money: Money,
    hours: float,
    waiting: float,
    hourly: float,
    wtw_kg: float,
    carbon_usd_per_t: float,
) -> None:
    """Write shipment ``row``'s money columns (US$): its ``money`` components, time, carbon and total.

    They come all or none (:func:`sim.results.ledger.ledger_names`: a scenario with ``costs:`` has each).

    ``hours`` to the end of its journey and ``waiting`` (h; NaN: not ended by the horizon), ``hourly`` US$ of
    holding it for an hour, ``wtw_kg`` its well-to-wheel CO₂e, ``carbon_usd_per_t`` the carbon price.
    """
    carbon_usd = wtw_kg / 1000.0 * carbon_usd_per_t
    total = 0.0
    for k in range(5):
        table[rows[_MONEY + k], row] = money[k]
        total += money[k]
    transit_time = hourly * (hours - waiting)
    waiting_time = hourly * waiting
    table[rows[_TRANSIT_TIME], row] = transit_time
    table[rows[_WAITING_TIME], row] = waiting_time
    table[rows[_CARBON], row] = carbon_usd
    table[rows[_TOTAL], row] = ((total + transit_time) + waiting_time) + carbon_usd
