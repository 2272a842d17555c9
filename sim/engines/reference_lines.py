"""The reference engine's waiting lines: FIFO, or by priority class with FIFO within a class.

A line holds the visits waiting at one station as ``(arrival time, creation order, visit, event)``, the
FIFO key of docs/design.md. :class:`FifoLine` is one heap; :class:`ClassedLine` keeps a heap per priority
class (:mod:`sim.engines.priority`) and gives the head of the highest class that has one, or of the class
that owns a reserved transit.
"""

from __future__ import annotations

import heapq

import simpy

from sim.engines.priority import OPEN

__all__ = ["ClassedLine", "FifoLine", "Waiting"]

Waiting = tuple[float, int, int, simpy.Event]
"""A waiting visit: arrival time (h), creation order, visit index, the event that grants it service."""


class FifoLine:
    """Visits in FIFO order: arrival time, then creation order."""

    def __init__(self) -> None:
        self._heap: list[Waiting] = []

    def __len__(self) -> int:
        return len(self._heap)

    def ahead(self, klass: int) -> int:
        """The visits a new one of class ``klass`` would wait behind: all of them (one class)."""
        return len(self._heap)

    def push(self, entry: Waiting, klass: int) -> None:
        """Add a waiting visit (``klass`` is ignored: one class)."""
        heapq.heappush(self._heap, entry)

    def head(self) -> Waiting:
        """The visit that would be served next."""
        return self._heap[0]

    def pop(self, owner: int = OPEN) -> simpy.Event:
        """Take the head out; returns its event (``owner`` is ignored: one class)."""
        return heapq.heappop(self._heap)[3]


class ClassedLine:
    """One FIFO heap per class; the highest class with a visit waiting goes first (non-preemptive)."""

    def __init__(self, classes: int) -> None:
        self._heaps: list[list[Waiting]] = [[] for _ in range(classes)]
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def ahead(self, klass: int) -> int:
        """The visits a new one of class ``klass`` would wait behind: its class's and every higher one's."""
        return sum(len(heap) for heap in self._heaps[: klass + 1])

    def push(self, entry: Waiting, klass: int) -> None:
        """Add a waiting visit of class ``klass`` (0 is the highest)."""
        heapq.heappush(self._heaps[klass], entry)
        self._count += 1

    def head(self) -> Waiting:
        """The visit that would be served next by priority."""
        return next(heap for heap in self._heaps if heap)[0]

    def pop(self, owner: int = OPEN) -> simpy.Event:
        """Take out the first waiting visit of class ``owner`` if it has one, else by priority."""
        heap = self._heaps[owner] if owner != OPEN and self._heaps[owner] else None
        if heap is None:
            heap = next(h for h in self._heaps if h)
        self._count -= 1
        return heapq.heappop(heap)[3]
