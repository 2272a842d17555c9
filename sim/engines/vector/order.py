"""The order in which the vector engine settles stations: strongly connected groups of the station graph.

Station ``a`` feeds station ``b`` when some shipment visits ``b`` right after ``a``. Groups of stations that
feed each other in a cycle (imports and exports sharing a port's berths, a station visited at different
route positions) are *strongly connected components*; the components form a DAG, settled in topological
order, so every station outside a cycle is computed once from final inputs. Inside a cycle the engine
iterates to a fixed point (see :mod:`sim.engines.vector.engine`); stations are swept in an order that puts
as many feeding edges forward as a greedy rule can, so most influence travels within one sweep.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

__all__ = ["Group", "settle_order"]


@dataclass(frozen=True)
class Group:
    """Stations settled together.

    Attributes
    ----------
    stations : tuple of int
        Station indices in sweep order.
    cyclic : bool
        True when the stations feed each other (iterate to a fixed point); False for one station, computed
        once.
    """

    stations: tuple[int, ...]
    cyclic: bool


def settle_order(next_stations: list[set[int]]) -> list[Group]:
    """Groups of stations in the order the engine computes them.

    Parameters
    ----------
    next_stations : list of set of int
        For each station, the stations some shipment visits right after it.
    """
    feeds = dict(enumerate(next_stations))
    components = _components(feeds)
    groups = []
    for component in reversed(components):  # Tarjan emits sinks first
        members = set(component)
        cyclic = len(component) > 1 or component[0] in feeds[component[0]]
        groups.append(Group(_sweep_order(members, feeds), cyclic))
    return groups


def _components(feeds: dict[int, set[int]]) -> list[list[int]]:
    """Tarjan's strongly connected components, iteratively (sinks first)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    found: list[list[int]] = []
    for root in sorted(feeds):
        if root in index:
            continue
        work = [(root, iter(sorted(feeds[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    found.append(_pop_component(node, stack, on_stack))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(feeds[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def _pop_component(node: int, stack: list[int], on_stack: set[int]) -> list[int]:
    component = []
    while True:
        member = stack.pop()
        on_stack.discard(member)
        component.append(member)
        if member == node:
            return sorted(component)


def _sweep_order(members: set[int], feeds: dict[int, set[int]]) -> tuple[int, ...]:
    """Greedy: next the station fed by the fewest stations not yet placed (ties: lowest index)."""
    feeders = dict.fromkeys(members, 0)
    for a in members:
        for b in feeds[a] & members:
            if b != a:
                feeders[b] += 1
    heap = [(count, station) for station, count in feeders.items()]
    heapq.heapify(heap)
    placed: list[int] = []
    left = set(members)
    while heap:
        count, station = heapq.heappop(heap)
        if station not in left or count != feeders[station]:
            continue  # placed already, or an out-of-date entry
        placed.append(station)
        left.discard(station)
        for fed in feeds[station] & left:
            feeders[fed] -= 1
            heapq.heappush(heap, (feeders[fed], fed))
    return tuple(placed)
