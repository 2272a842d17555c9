"""The compiled passes of a cycle settled window by window (:mod:`sim.engines.vector.windows`).

- :func:`window_buckets`: a cycle's visits fed from outside it, grouped by the window they arrive in
  (:func:`_window_of`: a division confirmed against the window ends);
- :func:`window_inbox`: a window's visits still waiting, and the ones that arrive in the cycle later;
- :func:`hand_on_until`: :func:`~sim.engines.vector.block_loops.hand_on` for the cells that start before
  the window's end, the others kept for the next window.

Like :mod:`~sim.engines.vector.block_loops` (whose passes these were), each only copies, compares and adds,
so the times are the same floats as the numpy expressions they replaced. Self-contained on purpose: numba
caches a loop by its own file, so these call no compiled function of another module.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["hand_on_until", "window_buckets", "window_inbox"]

INF = np.inf


@compiled
def hand_on_until(
    cells: IntArray,
    sizes: IntArray,
    begin: FloatArray,
    spans: FloatArray,
    until: float,
    has_next: BoolArray,
    start: FloatArray,
    arrive: FloatArray,
    codes: np.ndarray,
    lane_of: IntArray,
    waiting: IntArray,
    following: IntArray,
    target: IntArray,
) -> tuple[int, int]:
    """One window of a cycle: hand on the visits that start before ``until``, keep the others waiting.

    As :func:`hand_on` for the cells whose start is before ``until`` (h); the others (not padding) are
    written to ``waiting``. A next visit whose arrival is finite and whose station is in the cycle
    (``lane_of`` of its station, per station, at least 0) is written to ``following`` with that lane in
    ``target``. Returns how many were written to ``waiting`` and to ``following``.
    """
    held = 0
    fed = 0
    for row in range(cells.shape[0]):
        for c in range(sizes[row]):
            v = cells[row, c]
            s = begin[row, c]
            if not s < until:
                waiting[held] = v
                held += 1
                continue
            start[v] = s
            if has_next[v]:
                finish = s + spans[row, c]
                arrive[v + 1] = finish
                lane = lane_of[codes[v + 1]]
                if lane >= 0 and finish < INF:
                    following[fed] = v + 1
                    target[fed] = lane
                    fed += 1
    return held, fed


@compiled
def _window_of(ends: FloatArray, t: float) -> int:
    """``np.searchsorted(ends, t, side="right")``: how many of ``ends`` (ascending) are at most ``t``.

    The windows' ends are multiples of their length (``ends[k]`` about ``(k + 1) * ends[0]``), so a division
    guesses the position and a comparison or two confirms it against ``ends`` itself — the same integer as
    the bisection, which stays the way for times before the first end or after the last (and NaN).
    """
    last = ends.size - 1
    if not ends[0] <= t < ends[last] or not ends[0] > 0.0:
        return int(np.searchsorted(ends, t, side="right"))
    k = min(int(t / ends[0]), last)  # a guess: the two walks below make it exact
    while k > 0 and ends[k - 1] > t:
        k -= 1
    while k <= last and ends[k] <= t:
        k += 1
    return k


@compiled
def window_buckets(
    visits: IntArray,
    has_next: BoolArray,
    codes: np.ndarray,
    lane_of: IntArray,
    arrive: FloatArray,
    ends: FloatArray,
    outside: IntArray,
    first: IntArray,
) -> int:
    """A cycle's station: its visits fed from outside the cycle, grouped by the window they arrive in.

    ``visits`` are the station's (ascending); a visit is fed from inside when the visit before it is its
    shipment's (``has_next``) and at a station of the cycle (``lane_of`` at least 0). The others go to
    ``outside``, window after window — window ``k`` holding arrivals before ``ends[k]`` and not before
    ``ends[k - 1]``, the last (``len(ends)``) those past every window — ascending within a window; window
    ``k``'s are ``outside[first[k]:first[k + 1]]`` (``first``: ``len(ends) + 2`` zeros on entry). Returns how
    many there are.
    """
    window = np.empty(visits.size, dtype=np.int64)
    kept = np.empty(visits.size, dtype=np.int64)
    m = 0
    for v in visits:
        if v > 0 and has_next[v - 1] and lane_of[codes[v - 1]] >= 0:
            continue
        k = _window_of(ends, arrive[v])
        window[m] = k
        kept[m] = v
        first[k + 1] += 1
        m += 1
    for k in range(first.size - 1):
        first[k + 1] += first[k]
    at = first[:-1].copy()
    for j in range(m):
        k = window[j]
        outside[at[k]] = kept[j]
        at[k] += 1
    return m


@compiled
def window_inbox(
    pending: IntArray,
    outside: IntArray,
    box: IntArray,
    arrive: FloatArray,
    until: float,
    visits: IntArray,
    later: IntArray,
) -> tuple[int, int]:
    """A station's visits in a window, unsorted, into ``visits``; the rest of its inbox into ``later``.

    Written: those ``pending``, the ``outside`` ones and those of ``box`` arriving before ``until`` (h); the
    rest of ``box`` go to ``later``, in their order. Returns how many were written to each (what
    concatenating ``pending``, ``outside`` and ``box[arrive[box] < until]``, and keeping
    ``box[~(arrive[box] < until)]``, gives).
    """
    n = 0
    for v in pending:
        visits[n] = v
        n += 1
    for v in outside:
        visits[n] = v
        n += 1
    m = 0
    for v in box:
        if arrive[v] < until:
            visits[n] = v
            n += 1
        else:
            later[m] = v
            m += 1
    return n, m
