"""The order of an array's values, found with numpy's sort of 64-bit integers instead of its argsort.

``np.argsort`` of float64 costs ~5× ``np.sort`` of int64 (which uses the CPU's vector sort where it has
one). The wait and transit statistics only need some order of the values ascending — ties may come in any
order: equal values give the same order statistics — so each value's row is packed into the low bits of an
integer key that orders like the value:

1. the value's bits as an int64, negative values' magnitude bits flipped (so that the integers order as the
   floats; −0.0 is taken as +0.0), shifted right by the bits a row number needs and back, the row in the
   freed bits (:func:`_packed`);
2. ``np.sort`` of the packed keys: ascending by the value's high bits, then by row;
3. within each run of keys with the same high bits — mostly equal values — the rows are put in the order of
   their full keys where they are not already (:func:`_settled`).

The result orders the values exactly as a sort of the floats would (NaN left out).
"""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.compiled import compiled

__all__ = ["value_order"]

SMALL_RUN = 16
"""Runs up to this long are put in order by insertion; longer ones by a sort of their keys."""


def value_order(values: FloatArray) -> IntArray:
    """Indices of the non-NaN ``values``, ascending by value (equal values in any order).

    Parameters
    ----------
    values : ndarray of float64
        One-dimensional.

    Returns
    -------
    ndarray of int64
        ``values[order]`` is ``np.sort(values[~np.isnan(values)])``, value for value (±0 equal).
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    shift = max(1, (values.size - 1).bit_length())
    packed = _packed(values, values.view(np.int64), shift)
    packed.sort()
    return _settled(packed, values.view(np.int64), shift)


@compiled
def _key(bits: int) -> int:
    """An integer that orders as the float whose bits are ``bits`` (−0.0 as +0.0)."""
    if bits < 0:
        return 0 if bits == -(2**63) else bits ^ 0x7FFFFFFFFFFFFFFF
    return bits


@compiled
def _packed(values: FloatArray, bits: IntArray, shift: int) -> IntArray:
    """The keys of the non-NaN values, their high bits then their row (``shift`` low bits)."""
    packed = np.empty(values.size, dtype=np.int64)
    found = 0
    for row in range(values.size):
        if not np.isnan(values[row]):
            packed[found] = ((_key(bits[row]) >> shift) << shift) | row
            found += 1
    return packed[:found]


@compiled
def _settled(packed: IntArray, bits: IntArray, shift: int) -> IntArray:
    """The rows of the sorted ``packed`` keys, each run of equal high bits put in the order of full keys."""
    mask = (1 << shift) - 1
    rows = packed & mask
    start = 0
    while start < rows.size:
        high = packed[start] >> shift
        stop = start + 1
        in_order = True
        while stop < rows.size and packed[stop] >> shift == high:
            if _key(bits[rows[stop]]) < _key(bits[rows[stop - 1]]):
                in_order = False
            stop += 1
        if not in_order:
            _sort_run(rows, bits, start, stop)
        start = stop
    return rows


@compiled
def _sort_run(rows: IntArray, bits: IntArray, start: int, stop: int) -> None:
    """Put ``rows[start:stop]`` in the order of their values' keys."""
    if stop - start > SMALL_RUN:
        keys = np.empty(stop - start, dtype=np.int64)
        for i in range(start, stop):
            keys[i - start] = _key(bits[rows[i]])
        rows[start:stop] = rows[start:stop][np.argsort(keys)]
        return
    for i in range(start + 1, stop):
        row = rows[i]
        key = _key(bits[row])
        j = i - 1
        while j >= start and _key(bits[rows[j]]) > key:
            rows[j + 1] = rows[j]
            j -= 1
        rows[j + 1] = row
