"""Random disruptions: down spells drawn per replication, and the capacity schedules they make.

A disruption with ``random:`` (:class:`~sim.scenario.model.RandomSpells`) holds its change (``set`` or
``scale``) in the *down* spells of an alternating up/down process, over its window (default: the horizon).
Each replication draws its own spells from the keyed stream ``(replication, "disruptions", name)``
(:mod:`sim.rng`), so replication ``r`` has the same windows in any block or worker, adding a disruption
changes no other stream, and variants that keep a disruption keep its windows (common random numbers).

The process (the definition both engines see, through the Plan):

- At the window's start the process is down with probability ``E[down] / (E[up] + E[down])`` (the first
  uniform; with monthly weights, ``E[up]`` is scaled by ``w̄ / w`` of the starting month, so a month of
  weight 0 starts up), and the first spell is a whole spell of that state (exactly stationary for
  exponential spells without weights; otherwise the warm-up absorbs the difference).
- Spells then alternate; spell ``k`` takes its length from uniform ``k + 1`` by inversion. Down spells
  last their length in hours. Up spells last their length in *weighted hours* when ``monthly_weights`` are
  given (an hour of calendar month ``m`` counts ``w_m / w̄``, ``w̄`` the days-weighted mean weight), so down
  spells start at a rate that follows the months; without weights, in plain hours.
- A down spell cut by the window's end (or the horizon) ends there.

Capacity schedules: a station's schedule in replication ``r`` is its fixed schedule (nominal value and the
fixed windows, :mod:`sim.network`) with every down window of a random disruption on it applied; where
windows overlap (a random window over a fixed one, or two random ones), the smallest value holds — the most
restrictive change wins. Berth values are whole berths (rounded down). Random parcel limits become
per-replication :class:`~sim.network.ParcelLimit` windows, so arrival rates follow them as for fixed ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled
from sim.demand import month_starts_h
from sim.network import Network, ParcelLimit
from sim.rng import stream
from sim.scenario.checks import disruption_stations, disruption_window_h
from sim.scenario.distributions import PositiveDistribution
from sim.scenario.model import Disruption, RandomSpells, Scenario
from sim.schedule import Schedule
from sim.seeding import streams

__all__ = [
    "PURPOSE",
    "capacity_by_replication",
    "combined",
    "down_windows",
    "has_random_capacity",
    "parcel_limits_by_replication",
]

PURPOSE = "disruptions"
"""The stream purpose of random disruptions: ``stream(seed, replication, PURPOSE, disruption name)``."""
CHUNK = 64
"""Uniforms drawn at a time (the sequence does not depend on it: a generator's doubles come in order)."""
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def has_random_capacity(scenario: Scenario) -> bool:
    """Some random disruption changes a station (not only parcel limits)."""
    return any(d.random is not None and d.kind != "parcel_limit" for d in scenario.disruptions.values())


def down_windows(scenario: Scenario, name: str, rep: int, seed: int) -> list[tuple[float, float]]:
    """The down windows ``[start, end)`` (h) of random disruption ``name`` in replication ``rep``."""
    starts, stops = _windows(scenario, name, [stream(seed, rep, PURPOSE, name)])[0]
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


Windows = tuple[FloatArray, FloatArray]
"""Down windows as arrays of their starts and ends (h), in time order."""


def _windows(scenario: Scenario, name: str, generators: list[np.random.Generator]) -> list[Windows]:
    """:func:`down_windows` drawn from each generator, the disruption's stream in a replication."""
    disruption = scenario.disruptions[name]
    spells = disruption.random
    assert spells is not None
    begin, end = disruption_window_h(scenario, disruption)
    begin, end = max(begin, 0.0), min(end, scenario.horizon_h)
    up, down, start_down = spells.up_spell, spells.down_spell, _start_down(scenario, spells, begin)
    if spells.monthly_weights is None:
        return [_plain_windows(generator, up, down, start_down, begin, end) for generator in generators]
    clock = _clock(scenario, spells)
    return [
        _weighted_windows(_lengths(generator, up, down), start_down, clock, begin, end)
        for generator in generators
    ]


def _weighted_windows(
    lengths: Iterator[tuple[float, float, float]],
    start_down: float,
    clock: Callable[[float, float], float],
    begin: float,
    end: float,
) -> Windows:
    """:func:`down_windows` spell by spell, up spells timed by ``clock`` (weighted hours)."""
    down = next(lengths)[0] < start_down
    windows: list[tuple[float, float]] = []
    now = begin
    while now < end:
        _, up_length, down_length = next(lengths)
        if down:
            length = down_length
            stop = min(now + length, end)
            if windows and now <= windows[-1][1]:  # an up spell too short to separate two down spells
                windows[-1] = (windows[-1][0], stop)
            else:
                windows.append((now, stop))
            now += length
        else:
            now = clock(now, up_length)
        down = not down
    return np.array([a for a, _ in windows], dtype=np.float64), np.array(
        [b for _, b in windows], dtype=np.float64
    )


def capacity_by_replication(
    scenario: Scenario, network: Network, reps: Sequence[int], seed: int
) -> list[dict[int, Schedule]]:
    """Each replication's schedule of every station some random disruption changes, by station index."""
    index = {station.name: station.index for station in network.stations}
    windows: list[dict[int, list[tuple[FloatArray, FloatArray, float]]]] = [{} for _ in reps]
    for name, disruption in scenario.disruptions.items():
        if disruption.random is None or disruption.kind == "parcel_limit":
            continue
        changes = [
            (index[station_name], _changed(station.nominal, disruption, whole=station.kind == "berth"))
            for station_name in disruption_stations(scenario, disruption) or []
            if station_name in index  # else a station no flow visits
            for station in [network.stations[index[station_name]]]
        ]
        drawn = _windows(scenario, name, streams(seed, reps, PURPOSE, name))
        for own, (starts, stops) in zip(windows, drawn, strict=True):
            for station_index, value in changes:
                own.setdefault(station_index, []).append((starts, stops, value))
    return [
        {k: _combined(network.stations[k].capacity, found) for k, found in sorted(own.items())}
        for own in windows
    ]


def parcel_limits_by_replication(
    scenario: Scenario, reps: Sequence[int], seed: int
) -> list[list[ParcelLimit]]:
    """Each replication's parcel-limit windows drawn from random ``parcel_limit`` disruptions."""
    limits: list[list[ParcelLimit]] = [[] for _ in reps]
    for name, disruption in scenario.disruptions.items():
        if disruption.random is None or disruption.kind != "parcel_limit":
            continue
        for own, (starts, stops) in zip(
            limits, _windows(scenario, name, streams(seed, reps, PURPOSE, name)), strict=True
        ):
            for start, end in zip(starts.tolist(), stops.tolist(), strict=True):
                own.append(ParcelLimit(disruption.target, start, end, disruption.set, disruption.scale))
    return limits


def combined(base: Schedule, windows: list[tuple[float, float, float]]) -> Schedule:
    """``base`` with each window ``(start, end, value)`` applied; where several hold, the smallest value."""
    if not windows:
        return base
    return _combined(
        base, [(np.array([a], dtype=np.float64), np.array([b], dtype=np.float64), v) for a, b, v in windows]
    )


def _combined(base: Schedule, windows: list[tuple[FloatArray, FloatArray, float]]) -> Schedule:
    """:func:`combined` of windows given as (starts, ends, value): arrays of windows of one value each."""
    if not windows:
        return base
    starts = np.concatenate([a for a, _, _ in windows])
    ends = np.concatenate([b for _, b, _ in windows])
    changed = np.concatenate([np.full(a.size, v, dtype=np.float64) for a, _, v in windows])
    times = np.unique(np.concatenate([base.times, starts, ends]))
    values = base.at_many(times)
    _lower(  # times are sorted: a window is a slice
        values,
        np.searchsorted(times, starts, side="left"),
        np.searchsorted(times, ends, side="left"),
        changed,
    )
    keep = np.concatenate([[True], values[1:] != values[:-1]])
    return Schedule(times[keep], values[keep])


@compiled
def _lower(values: FloatArray, firsts: IntArray, stops: IntArray, changed: FloatArray) -> None:
    """``values[first:stop] = minimum(values[first:stop], value)`` for each window (numpy's ``minimum``)."""
    for w in range(firsts.size):
        for k in range(firsts[w], stops[w]):
            values[k] = np.minimum(values[k], changed[w])


def _start_down(scenario: Scenario, spells: RandomSpells, begin: float) -> float:
    """The probability of starting down: E[down] / (E[up] + E[down]) at the rate of the starting month."""
    mean_up, mean_down = spells.up_spell.mean, spells.down_spell.mean
    if spells.monthly_weights is not None:
        weights = spells.monthly_weights
        month = int(np.datetime64(scenario.start, "M").astype(int) + _months_after(scenario, begin)) % 12
        weight = weights[month] / (float(np.dot(weights, DAYS_IN_MONTH)) / sum(DAYS_IN_MONTH))
        if weight == 0:
            return 0.0
        mean_up /= weight
    return mean_down / (mean_up + mean_down)


def _months_after(scenario: Scenario, hours: float) -> int:
    """Calendar-month boundaries passed between the scenario start and ``hours``."""
    edges = month_starts_h(scenario.start, scenario.horizon_h)
    return int(np.searchsorted(edges[1:-1], hours, side="right"))


def _changed(nominal: float, disruption: Disruption, whole: bool) -> float:
    value = disruption.set if disruption.set is not None else nominal * (disruption.scale or 0.0)
    return float(math.floor(value + 1e-9)) if whole else float(value)


def _plain_windows(
    generator: np.random.Generator,
    up: PositiveDistribution,
    down: PositiveDistribution,
    start_down: float,
    begin: float,
    end: float,
) -> Windows:
    """:func:`down_windows` when up spells are plain hours: spell starts by a cumulative sum per chunk.

    The same numbers as the spell-by-spell walk: spell ``k`` starts at ``begin + L_0 + … + L_(k−1)`` summed
    left to right (``np.cumsum`` accumulates in order), each spell's length the inversion of its uniform.
    """
    starts, stops, downs = [], [], []
    now, state, first = begin, False, True
    chunk = _chunk(2.0 * (end - begin) / (up.mean + down.mean))
    while now < end:
        draws = generator.random(chunk)
        draws = np.where(draws > 0.0, draws, np.nextafter(0.0, 1.0))
        up_lengths, down_lengths = up.ppf(draws), down.ppf(draws)
        if first:  # the first uniform picks the state at the window's start
            state = bool(draws[0] < start_down)
            up_lengths, down_lengths, first = up_lengths[1:], down_lengths[1:], False
        is_down = (np.arange(up_lengths.size) % 2 == 0) == state
        reached = np.cumsum(np.concatenate([[now], np.where(is_down, down_lengths, up_lengths)]))
        starts.append(reached[:-1])
        stops.append(reached[1:])
        downs.append(is_down)
        state = state != (up_lengths.size % 2 == 1)
        now = float(reached[-1])
    if not starts:
        return np.empty(0), np.empty(0)
    start, stop, down_spell = np.concatenate(starts), np.concatenate(stops), np.concatenate(downs)
    chosen = down_spell & (start < end)  # the walk stops at the first spell starting at or after the end
    a, b = start[chosen], np.minimum(stop[chosen], end)
    if not a.size:
        return a, b
    # an up spell too short to separate two down spells (a start at or before the previous end) joins them
    new = np.ones(a.size, dtype=np.bool_)
    new[1:] = np.logical_not(a[1:] <= b[:-1])
    heads = np.flatnonzero(new)
    return a[heads], b[np.append(heads[1:] - 1, a.size - 1)]


def _chunk(spells: float) -> int:
    """Uniforms to draw at a time for about ``spells`` spells: most windows in one chunk.

    The windows do not depend on it (spells past the window's end are drawn and dropped).
    """
    if not math.isfinite(spells):
        return CHUNK
    return int(min(max(CHUNK, 1.2 * spells + 16), 1 << 20))


def _lengths(
    generator: np.random.Generator, up: PositiveDistribution, down: PositiveDistribution
) -> Iterator[tuple[float, float, float]]:
    """The generator's uniforms on (0, 1) one at a time, each with the up and down spell lengths it gives.

    An exact 0 becomes the next double. Uniforms are inverted :data:`CHUNK` at a time (a uniform's lengths
    do not depend on the others drawn with it).
    """
    while True:
        draws = generator.random(CHUNK)
        draws = np.where(draws > 0.0, draws, np.nextafter(0.0, 1.0))
        yield from zip(draws.tolist(), up.ppf(draws).tolist(), down.ppf(draws).tolist(), strict=True)


def _clock(scenario: Scenario, spells: RandomSpells) -> Callable[[float, float], float]:
    """A function ``(now, length) -> end`` of an up spell: plain hours, or weighted hours by month."""
    if spells.monthly_weights is None:
        return lambda now, length: now + length
    weights = np.asarray(spells.monthly_weights, dtype=np.float64)
    mean = float(np.dot(weights, DAYS_IN_MONTH)) / sum(DAYS_IN_MONTH)
    edges = month_starts_h(scenario.start, scenario.horizon_h)
    months = (scenario.start.month - 1 + np.arange(edges.size - 1)) % 12
    rates = weights[months] / mean
    cumulative = np.concatenate([[0.0], np.cumsum(rates * np.diff(edges))])

    def advance(now: float, length: float) -> float:
        return _weighted_end(edges, rates, cumulative, now, length)

    return advance


def _weighted_end(
    edges: FloatArray, rates: FloatArray, cumulative: FloatArray, now: float, length: float
) -> float:
    """The time at which ``length`` weighted hours have passed since ``now`` (``inf`` past the horizon)."""
    segment = min(int(np.searchsorted(edges, now, side="right")) - 1, rates.size - 1)
    target = cumulative[segment] + (now - edges[segment]) * rates[segment] + length
    if target >= cumulative[-1]:
        return math.inf
    # the last segment whose cumulative is <= target has a positive rate (zero-rate ones share its start)
    found = int(np.searchsorted(cumulative, target, side="right")) - 1
    return float(edges[found] + (target - cumulative[found]) / rates[found])
