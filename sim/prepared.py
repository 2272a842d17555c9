"""What every Plan of one scenario shares, computed once per scenario and kept while the scenario lives.

Drawing a Plan needs a few numbers that depend on the scenario alone: each route's share of its flow
(:func:`sim.choice.route_shares`: a logit over the routes' costs), each route's arrival intensity under a
set of parcel limits (:class:`sim.demand.Intensity`: a rate per calendar month and limit window), and the
names of the streams it draws from (seeded together: :class:`sim.seeding.StreamBook`). A sweep
task draws one replication at a time and ``corridor run`` a block at a time, so computing them for every
Plan cost ~3 ms of a one-replication Plan of ``baseline_2024`` (~16 ms). :func:`prepared` keeps them per
(scenario, network) pair, as long as both are alive (weak references: nothing is kept for a scenario
dropped). They are plain functions of the frozen scenario, so a Plan does not depend on whether they were
computed for it or kept from another one.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from sim.arrays import FloatArray
from sim.choice import route_shares
from sim.demand import Intensity
from sim.network import Network, ParcelLimit
from sim.scenario.model import Scenario

__all__ = ["MAX_INTENSITIES", "Prepared", "prepared"]

MAX_INTENSITIES = 4096
"""Intensities kept per scenario; more (random parcel limits: one set of windows per replication) empty the
store first, so a long run keeps at most this many."""

IntensityKey = tuple[str, tuple[tuple[int, tuple[ParcelLimit, ...]], ...]]
"""``("route", ((route, limits),))``: a route's intensity (its index into ``network.flows`` and the parcel
limits on it); ``("combined", ((route, limits), ...))``: a choice flow's combined intensity over its
routes."""


@dataclass
class Prepared:
    """A scenario's route shares and the intensities computed so far.

    Attributes
    ----------
    shares : ndarray of float64
        Each route's probability among its flow's routes (``network.flows`` order; 1 for a flow's only one).
    intensities : dict
        Arrival intensity by :data:`IntensityKey` (shipments/h).
    stream_names : tuple of tuple of str
        ``(purpose, *entity)`` of the streams the scenario's last Plan drew from, in the order asked: the
        next Plan's are seeded at once (:class:`sim.seeding.StreamBook`).
    """

    shares: FloatArray
    intensities: dict[IntensityKey, Intensity] = field(default_factory=dict)
    stream_names: tuple[tuple[str, ...], ...] = ()

    def intensity(self, key: IntensityKey) -> Intensity | None:
        """The intensity kept for ``key``, or None."""
        return self.intensities.get(key)

    def keep(self, key: IntensityKey, intensity: Intensity) -> Intensity:
        """Keep ``intensity`` for ``key`` (emptying the store first when it is full) and return it."""
        if len(self.intensities) >= MAX_INTENSITIES:
            self.intensities.clear()
        self.intensities[key] = intensity
        return intensity


_kept: dict[tuple[int, int], tuple[weakref.ref[Scenario], weakref.ref[Network], Prepared]] = {}
_lock = threading.Lock()


def prepared(scenario: Scenario, network: Network) -> Prepared:
    """The scenario's :class:`Prepared` numbers for its network ``network``: computed on the first call.

    Kept by the objects' identity while both are alive (a scenario is frozen, so its numbers do not
    change); entries of scenarios since dropped are removed when a new one is prepared.
    """
    key = (id(scenario), id(network))
    with _lock:
        found = _kept.get(key)
        if found is not None and found[0]() is scenario and found[1]() is network:
            return found[2]
    shares = route_shares(scenario, network)
    shares.setflags(write=False)  # shared by every Plan of the scenario
    made = Prepared(shares=shares)
    with _lock:
        for stale in [k for k, (s, n, _) in _kept.items() if s() is None or n() is None]:
            del _kept[stale]
        _kept[key] = (weakref.ref(scenario), weakref.ref(network), made)
    return made
