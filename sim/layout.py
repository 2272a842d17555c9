"""Where each flow's shipments and visits go in a Plan: replication by replication, each in creation order.

Creation order is (time created, flow order, order within the flow). A flow's draws are made flow after
flow, replication after replication, into *drawn* columns (every flow's shipments one after the other,
each shipment's visits in route order); a :class:`Layout`, computed from the creation times alone, then
gathers them into the Plan's order in one pass per column. Laying out copies numbers; it computes none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.arrays import FloatArray, IntArray
from sim.class_draws import ClassArray
from sim.compiled import compiled

__all__ = ["Layout"]


@dataclass(frozen=True)
class Layout:
    """The Plan's order of the drawn shipments (flow after flow, each flow replication after replication).

    Attributes
    ----------
    order : ndarray of int64
        Drawn shipment at each Plan row.
    rep : ndarray of int64
        Position (0 … R − 1) among those drawn of each Plan row's replication.
    flow : ndarray of int64
        Route (index into ``network.flows``) of each Plan row.
    rep_first : ndarray of int64, shape (R + 1,)
        First Plan row of each replication drawn.
    shipment_id : ndarray of int64
        Shipment number within its replication.
    first_visit : ndarray of int64, shape (S + 1,)
        CSR offsets of the Plan's visits.
    shipment_first : ndarray of int64, shape (flows + 1,)
        First drawn shipment of each flow.
    visit_first : ndarray of int64, shape (flows + 1,)
        First drawn visit of each flow (a flow's drawn visits are step after step, each step all its
        shipments).
    """

    order: IntArray
    rep: IntArray
    flow: IntArray
    rep_first: IntArray
    shipment_id: IntArray
    first_visit: IntArray
    shipment_first: IntArray
    visit_first: IntArray

    @classmethod
    def of(cls, created: FloatArray, counts: IntArray, steps: IntArray) -> Layout:
        """The layout of drawn shipments created at ``created``, ``counts[f, r]`` of flow ``f`` in rep ``r``.

        Parameters
        ----------
        created : ndarray of float64
            Creation times of the drawn shipments: flow after flow, replication after replication, each in
            draw order.
        counts : ndarray of int64, shape (flows, replications)
            Shipments of each flow in each replication.
        steps : ndarray of int64, shape (flows,)
            Visits of each shipment of each flow.
        """
        sizes = counts.sum(axis=1)
        per_rep = counts.sum(axis=0)
        rep_first = np.concatenate([[0], np.cumsum(per_rep)]).astype(np.int64)
        shipment_first = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        order, flow = _creation_order(created, counts, shipment_first)
        visit_first = np.concatenate([[0], np.cumsum(sizes * steps)]).astype(np.int64)
        rep, shipment_id, first_visit = _rows(flow, steps, rep_first)
        return cls(
            order=order,
            rep=rep,
            flow=flow,
            rep_first=rep_first,
            shipment_id=shipment_id,
            first_visit=first_visit,
            shipment_first=shipment_first,
            visit_first=visit_first,
        )

    @property
    def n_visits(self) -> int:
        """Visits of every shipment laid out."""
        return int(self.first_visit[-1])

    def shipments(self, *drawn: FloatArray) -> tuple[FloatArray, ...]:
        """Drawn shipment columns (float64) in the Plan's order, gathered in one pass."""
        out = tuple(np.empty(self.order.size) for _ in drawn)
        if out:
            _take(tuple(np.asarray(column, dtype=np.float64) for column in drawn), self.order, out)
        return out

    def visits(
        self, routes: list[IntArray], work: FloatArray, sizes: VisitSizes | None, klass: ClassArray | None
    ) -> tuple[IntArray, FloatArray, FloatArray, ClassArray | None]:
        """The Plan's visit columns: station, work, size, class, gathered from the drawn ones in one pass.

        Parameters
        ----------
        routes : list of ndarray of int64
            Each flow's stations in route order.
        work : ndarray of float64
            Drawn work (h) of each visit.
        sizes : (list of ndarray of int64, ndarray of float64, ndarray of float64), or None
            Each visit's size is a size of its shipment: ``(kinds, tonnes, teu)``, with ``kinds[f][j]`` 0
            (no size), 1 (tonnes) or 2 (TEU) at step ``j`` of flow ``f`` and the drawn shipments' tonnes and
            TEU; None when every size is 0.
        klass : ndarray of int8, or None
            Drawn class of each visit; None when no station has classes (the Plan's is None too).
        """
        table = np.concatenate(routes).astype(np.int64) if routes else np.empty(0, dtype=np.int64)
        route_first = np.concatenate([[0], np.cumsum([route.size for route in routes])]).astype(np.int64)
        station, out_work = np.empty(self.n_visits, dtype=np.int64), np.empty(self.n_visits)
        out_size = np.empty(self.n_visits) if sizes is not None else np.zeros(self.n_visits)  # all written
        out_klass = (
            np.empty(self.n_visits, dtype=np.int8) if klass is not None else np.zeros(0, dtype=np.int8)
        )
        if sizes is not None:
            kinds = np.concatenate(sizes[0]).astype(np.int8) if routes else np.empty(0, dtype=np.int8)
            tonnes, teu = sizes[1], sizes[2]
        else:
            kinds, tonnes, teu = np.zeros(table.size, dtype=np.int8), np.empty(0), np.empty(0)
        _gather_visits(
            (self.first_visit, self.flow, self.shipment_first, self.visit_first, route_first, table),
            (work, klass if klass is not None else out_klass),
            (self.order, kinds, tonnes, teu),
            (station, out_work, out_size, out_klass),
            (sizes is not None, klass is not None),
        )
        return station, out_work, out_size, out_klass if klass is not None else None


VisitSizes = tuple[list[NDArray[np.int8]], FloatArray, FloatArray]
"""Where each visit's size comes from: each flow's size kind per step, and the drawn tonnes and TEU."""


def _creation_order(
    created: FloatArray, counts: IntArray, shipment_first: IntArray
) -> tuple[IntArray, IntArray]:
    """The drawn shipments permuted into creation order, replication by replication, and their flows.

    ``counts[f, r]`` are flow ``f``'s shipments in replication ``r`` (drawn replication after replication
    from ``shipment_first[f]``). The order is that of ``lexsort((within, flow, created, rep))``: by time,
    ties in flow order, then in draw order — a stable sort by time of each replication's shipments arranged
    flow after flow, done by :func:`_bucket_sort` (or by numpy's stable sort should a time not be finite).
    """
    flows = counts.shape[0]
    starts = (shipment_first[:-1, None] + np.cumsum(counts, axis=1) - counts).T.copy()  # (r, f)
    order = np.empty(int(counts.sum()), dtype=np.int64)
    flow = np.empty_like(order)
    if not _bucket_sort(created, starts, starts + counts.T, order, flow):
        order = _sorted_order(created, counts, shipment_first[:-1])
        flow = np.repeat(np.arange(flows, dtype=np.int64), counts.sum(axis=1))[order]
    return order, flow


def _sorted_order(created: FloatArray, counts: IntArray, flow_first: IntArray) -> IntArray:
    """:func:`_creation_order`'s order by a stable sort per replication (the shipments replication-major)."""
    source = flow_first[:, None] + np.cumsum(counts, axis=1) - counts  # start of (f, r) flow after flow
    by_rep = counts.T.ravel()
    target = np.cumsum(by_rep) - by_rep  # start of (r, f) replication after replication
    arranged = np.repeat(source.T.ravel() - target, by_rep) + np.arange(int(by_rep.sum()), dtype=np.int64)
    times = created[arranged]
    order = np.empty_like(arranged)
    rep_first = np.concatenate([[0], np.cumsum(counts.sum(axis=0))])
    for r in range(counts.shape[1]):
        mine = slice(int(rep_first[r]), int(rep_first[r + 1]))
        order[mine] = arranged[mine][np.argsort(times[mine], kind="stable")]
    return order


SMALL_BUCKET = 32
"""Buckets up to this size are sorted by insertion; larger ones by a merge sort (both stable)."""


@compiled
def _bucket_sort(
    created: FloatArray, starts: IntArray, stops: IntArray, order: IntArray, flow: IntArray
) -> bool:
    """Each replication's runs ``starts[r, f]:stops[r, f]``, flow after flow, stably sorted by time.

    ``order`` gets the drawn shipments and ``flow`` their flows, replication after replication. A
    replication's ``n`` shipments go into ``n`` equal buckets of its span of times, in arranged order (a
    counting sort: a bucket is a non-decreasing function of time, so this is stable), then sorted stably
    (:func:`_sort_nearly`). False, with nothing meaningful written, when a time is not finite.
    """
    replications, flows = starts.shape
    placed = 0
    for r in range(replications):
        n, low, high = 0, np.inf, -np.inf
        for f in range(flows):
            for k in range(starts[r, f], stops[r, f]):
                if not np.isfinite(created[k]):
                    return False
                low, high = min(low, created[k]), max(high, created[k])
                n += 1
        scale = n / (high - low) if high > low else 0.0
        if not np.isfinite(scale):
            scale = 0.0
        end = np.zeros(n + 1, dtype=np.int64)
        for f in range(flows):
            for k in range(starts[r, f], stops[r, f]):
                end[min(int((created[k] - low) * scale), n - 1) + 1] += 1
        for b in range(n):
            end[b + 1] += end[b]
        for f in range(flows):
            for k in range(starts[r, f], stops[r, f]):
                b = min(int((created[k] - low) * scale), n - 1)
                order[placed + end[b]] = k
                flow[placed + end[b]] = f
                end[b] += 1
        largest = end[0]
        for b in range(1, n):
            largest = max(largest, end[b] - end[b - 1])
        _sort_nearly(created, order[placed : placed + n], flow[placed : placed + n], largest)
        placed += n
    return True


@compiled
def _sort_nearly(created: FloatArray, order: IntArray, flow: IntArray, largest: int) -> None:
    """Sort ``order`` (and ``flow`` alongside) stably by ``created[order]``, in place, bucket by bucket.

    ``order`` is in bucket order and a shipment of a later bucket is later, so an insertion sort moves
    each shipment within its bucket only; with buckets of more than :data:`SMALL_BUCKET`, a merge sort.
    """
    if largest > SMALL_BUCKET:
        by_time = np.argsort(created[order], kind="mergesort")
        order[:], flow[:] = order[by_time], flow[by_time]
        return
    for i in range(1, order.size):
        shipment, its_flow = order[i], flow[i]
        j = i - 1
        while j >= 0 and created[order[j]] > created[shipment]:
            order[j + 1], flow[j + 1] = order[j], flow[j]
            j -= 1
        order[j + 1], flow[j + 1] = shipment, its_flow


@compiled
def _rows(flow: IntArray, steps: IntArray, rep_first: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Each Plan row's replication (position among those drawn), its number in it and the CSR visit offsets.

    Each row has its flow's steps.
    """
    rep, shipment_id = np.empty(flow.size, dtype=np.int64), np.empty(flow.size, dtype=np.int64)
    first_visit = np.empty(flow.size + 1, dtype=np.int64)
    first_visit[0] = 0
    for r in range(rep_first.size - 1):
        for i in range(rep_first[r], rep_first[r + 1]):
            rep[i], shipment_id[i] = r, i - rep_first[r]
            first_visit[i + 1] = first_visit[i] + steps[flow[i]]
    return rep, shipment_id, first_visit


@compiled
def _gather_visits(
    index: tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray],
    drawn: tuple[FloatArray, ClassArray],
    sizes: tuple[IntArray, NDArray[np.int8], FloatArray, FloatArray],
    out: tuple[IntArray, FloatArray, FloatArray, ClassArray],
    gather: tuple[bool, bool],
) -> None:
    """Visit ``j`` of Plan row ``i`` (at ``first_visit[i] + j``) from drawn visit ``source + j · n_f``.

    A flow ``f``'s drawn visits are step after step, each step its ``n_f`` shipments, from
    ``visit_first[f]``; the row's drawn shipment ``order[i]`` is its ``order[i] − shipment_first[f]``-th,
    so ``source = visit_first[f] + order[i] − shipment_first[f]``. ``index`` is (first_visit, flow of each
    row, shipment_first, visit_first, first station of each flow's route in ``table``, table); ``drawn``
    the drawn work and classes; ``sizes`` (order, kind of each route step in ``table``'s places, tonnes,
    TEU): a visit's size is its drawn shipment's tonnes (kind 1) or TEU (kind 2); ``out`` the station,
    work, size and class columns; sizes and classes only where ``gather`` says.
    """
    first_visit, flow, shipment_first, visit_first, route_first, table = index
    work, klass = drawn
    order, kinds, tonnes, teu = sizes
    station, out_work, out_size, out_klass = out
    with_sizes, classes = gather
    for i in range(flow.size):
        f = flow[i]
        begin, route = first_visit[i], route_first[f]
        stride = shipment_first[f + 1] - shipment_first[f]
        taken = visit_first[f] + order[i] - shipment_first[f]
        for j in range(first_visit[i + 1] - begin):
            station[begin + j] = table[route + j]
            out_work[begin + j] = work[taken + j * stride]
            if with_sizes:
                kind = kinds[route + j]
                if kind == 1:
                    out_size[begin + j] = tonnes[order[i]]
                elif kind == 2:
                    out_size[begin + j] = teu[order[i]]
                else:
                    out_size[begin + j] = 0.0
            if classes:
                out_klass[begin + j] = klass[taken + j * stride]


@compiled
def _take(columns: tuple[FloatArray, ...], order: IntArray, out: tuple[FloatArray, ...]) -> None:
    """``out[c][i] = columns[c][order[i]]`` for every column ``c`` (numpy's ``take`` of each)."""
    for i in range(order.size):
        source = order[i]
        for c in range(len(columns)):
            out[c][i] = columns[c][source]
