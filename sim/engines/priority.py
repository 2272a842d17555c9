"""Priority classes at a station: the rules both engines share.

A station with classes (:attr:`sim.network.Station.classes`, highest priority first) serves, whenever a berth
or a transit slot is free, the waiting visit of the highest class — first in FIFO order (arrival time, then
creation order) within it — and never interrupts a service (non-preemptive priority).

A chokepoint may reserve shares of its transits for classes (:attr:`sim.network.Station.reserved`). The
transits a chokepoint gives are numbered 0, 1, 2, … in each replication, and :class:`SlotOwners` says which
class, if any, owns transit ``k``; a transit owned by a class goes to the first waiting visit of that class,
or, when none of it is waiting, by priority like an open one. The owners follow a smooth weighted
round-robin over the classes' shares and the open share ``1 − Σ shares`` (each transit: every owner gains
its share in credit, the owner with the most credit — the first in class order on a tie, open last — takes
the transit and gives back the sum of the shares), so the reservations are spread evenly: over any first
``n`` transits each class owns ``n × share`` of them, give or take one.
"""

from __future__ import annotations

__all__ = ["OPEN", "SlotOwners"]

OPEN = -1
"""A transit no class owns: it goes by priority."""


class SlotOwners:
    """The owner of each transit of a chokepoint with reserved shares (:data:`OPEN` for none).

    Parameters
    ----------
    reserved : tuple of float
        Share of the transits reserved for each class, in class order (empty: none reserved).
    """

    def __init__(self, reserved: tuple[float, ...]):
        weights = [(k, share) for k, share in enumerate(reserved) if share > 0.0]
        rest = 1.0 - sum(share for _, share in weights)
        if weights and rest > 0.0:
            weights.append((OPEN, rest))
        self._labels = [label for label, _ in weights]
        self._weights = [weight for _, weight in weights]
        self._total = sum(self._weights)
        self._credit = [0.0] * len(weights)
        self._owners: list[int] = []

    @property
    def reserves(self) -> bool:
        """Some class owns some transits (else every transit is open)."""
        return bool(self._labels)

    def round_robin(self) -> tuple[list[int], list[float], float]:
        """The walk's owners (classes, then :data:`OPEN`), their shares and the shares' sum, in its order."""
        return list(self._labels), list(self._weights), self._total

    def owner(self, transit: int) -> int:
        """The class that owns transit number ``transit`` (0-based), or :data:`OPEN`."""
        if len(self._labels) < 2:
            return self._labels[0] if self._labels else OPEN
        while len(self._owners) <= transit:
            self._owners.append(self._next())
        return self._owners[transit]

    def first(self, count: int) -> list[int]:
        """The owners of transits ``0 … count − 1``: :meth:`owner` of each, in one list."""
        if len(self._labels) < 2:
            return [self._labels[0] if self._labels else OPEN] * count
        while len(self._owners) < count:
            self._owners.append(self._next())
        return self._owners[:count]

    def _next(self) -> int:
        credit = self._credit
        best = 0
        for j, weight in enumerate(self._weights):
            credit[j] += weight
            if credit[j] > credit[best]:
                best = j
        credit[best] -= self._total
        return self._labels[best]
