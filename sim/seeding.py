"""Keyed streams seeded in bulk: the generators :func:`sim.rng.stream` makes, for many replications at once.

``stream(seed, r, purpose, *entity)`` builds a ``SeedSequence`` (hashing its entropy into a pool of four
32-bit words, then the pool into PCG64's 128-bit state and increment) and a ``PCG64`` from it: ~12 µs a
stream, most of it the hashing in Python. :func:`streams` makes the same generators for every replication of
a block at once: the words of each key are hashed by one compiled loop (:func:`_seed_states`, numpy's
``SeedSequence`` algorithm: ``mix_entropy`` then ``generate_state(4, uint64)``, in 32-bit arithmetic), and
each ``PCG64`` is seeded from its four words as numpy seeds it from a ``SeedSequence`` (its own C routine;
~1 µs). A stream's numbers are those of :func:`sim.rng.stream` bit for bit, whichever replications are
drawn with it (tested against numpy's ``SeedSequence`` and ``PCG64``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from numpy.random.bit_generator import ISeedSequence
from numpy.typing import NDArray

from sim.compiled import compiled
from sim.rng import stream_key

__all__ = ["StreamBook", "seed_states", "streams"]

Words = NDArray[np.uint64]
"""Unsigned words: 32-bit values held in 64-bit integers (the hash), or 64-bit state words."""

POOL_SIZE = 4
"""``SeedSequence``'s pool: four 32-bit words (numpy's ``DEFAULT_POOL_SIZE``)."""
MASK = 0xFFFFFFFF
INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
XSHIFT = 16


def streams(seed: int, replications: Sequence[int], purpose: str, *entity: str) -> list[np.random.Generator]:
    """The generator of stream ``(r, purpose, *entity)`` for each ``r``: ``sim.rng.stream``'s, in bulk.

    Parameters
    ----------
    seed : int
        The scenario's root seed (non-negative).
    replications : sequence of int
        Global replication numbers (non-negative).
    purpose : str
        What the draws are for, e.g. ``"arrivals"``.
    *entity : str
        The flow, station, ... the draws belong to.
    """
    states = seed_states(seed, replications, stream_key(purpose, *entity))
    return [np.random.Generator(np.random.PCG64(cast(Any, _Seeded(words)))) for words in states]


def seed_states(seed: int, replications: Sequence[int], key: tuple[int, ...]) -> Words:
    """``SeedSequence(seed, spawn_key=(r, *key)).generate_state(4, uint64)`` for each ``r``, shape (R, 4).

    The entropy hashed is numpy's: the seed's 32-bit words (least significant first) padded with zeros to
    the pool size, then the spawn key's words, each integer's own (at least one word: 0 is one word).
    """
    run = _words(seed)
    run = run + [0] * (POOL_SIZE - len(run))
    tail = [w for part in key for w in _words(part)]
    numbers = [int(r) for r in replications]
    if all(0 <= r <= MASK for r in numbers):  # one word each: the rows differ in that word only
        entropy = np.tile(np.array([*run, 0, *tail], dtype=np.uint64), (len(numbers), 1))
        entropy[:, len(run)] = numbers
        return _seed_states(entropy, np.full(len(numbers), entropy.shape[1], dtype=np.int64))
    rows = [[*run, *_words(r), *tail] for r in numbers]
    entropy = np.zeros((len(rows), max(len(row) for row in rows)), dtype=np.uint64)
    for i, row in enumerate(rows):
        entropy[i, : len(row)] = row
    return _seed_states(entropy, np.array([len(row) for row in rows], dtype=np.int64))


class StreamBook:
    """The streams of one block of replications, the names known beforehand hashed in one compiled call.

    A Plan asks for ~110 streams a replication (every flow's arrivals and parcels, each step's work, ...):
    hashed one (purpose, entity) at a time, the calls' fixed cost (~5 µs each) was most of the seeding of a
    one-replication Plan. Names not known beforehand are hashed when asked for; either way a stream is
    :func:`streams`' (the same hash of the same words), so knowing them changes no number.

    Parameters
    ----------
    seed : int
        The scenario's root seed (non-negative).
    replications : sequence of int
        Global replication numbers (non-negative).
    known : sequence of tuple of str
        ``(purpose, *entity)`` of the streams to hash now (e.g. those the scenario's last Plan asked for).
    """

    def __init__(self, seed: int, replications: Sequence[int], known: Sequence[tuple[str, ...]]) -> None:
        self.seed = seed
        self.replications = [int(r) for r in replications]
        self.asked: list[tuple[str, ...]] = []
        self._states: dict[tuple[str, ...], Words] = {}
        if known and self.replications:
            keys = [stream_key(*name) for name in known]
            states = _many_states(seed, self.replications, keys)
            self._states = dict(zip(known, states, strict=True))

    def streams(self, purpose: str, *entity: str) -> list[np.random.Generator]:
        """:func:`streams` of ``(purpose, *entity)`` for the book's replications."""
        name = (purpose, *entity)
        self.asked.append(name)
        states = self._states.get(name)
        if states is None:
            states = seed_states(self.seed, self.replications, stream_key(*name))
        return [np.random.Generator(np.random.PCG64(cast(Any, _Seeded(words)))) for words in states]


def _many_states(seed: int, replications: list[int], keys: list[tuple[int, ...]]) -> Words:
    """:func:`seed_states` of each key, shape (keys, R, 4): one compiled call over every (key, r) row."""
    if not all(0 <= r <= MASK for r in replications):
        return np.stack([seed_states(seed, replications, key) for key in keys])
    run = _words(seed)
    run = run + [0] * (POOL_SIZE - len(run))
    rows = [[*run, 0, *(w for part in key for w in _words(part))] for key in keys]
    width = max(len(row) for row in rows)
    template = np.zeros((len(rows), width), dtype=np.uint64)
    for i, row in enumerate(rows):
        template[i, : len(row)] = row
    entropy = np.repeat(template, len(replications), axis=0)
    entropy[:, len(run)] = np.tile(np.asarray(replications, dtype=np.uint64), len(rows))
    lengths = np.repeat(np.array([len(row) for row in rows], dtype=np.int64), len(replications))
    return _seed_states(entropy, lengths).reshape(len(rows), len(replications), POOL_SIZE)


def _words(value: int) -> list[int]:
    """An integer's 32-bit words, least significant first (numpy's ``_int_to_uint32_array``)."""
    if value < 0:
        raise ValueError(f"a seed or spawn key must be a non-negative integer, got {value}")
    words = [value & MASK]
    value >>= 32
    while value:
        words.append(value & MASK)
        value >>= 32
    return words


class _Seeded(ISeedSequence):
    """A seed sequence whose state is already generated: what ``PCG64`` reads from a ``SeedSequence``."""

    __slots__ = ("words",)

    def __init__(self, words: Words) -> None:
        self.words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> Words:
        """The four 64-bit words (PCG64 asks for ``generate_state(4, np.uint64)``, and only that)."""
        if n_words != POOL_SIZE or np.dtype(dtype) != np.dtype(np.uint64):
            raise ValueError("a pre-hashed seed gives four 64-bit words only")
        return self.words


@compiled
def _seed_states(entropy: Words, lengths: NDArray[np.int64]) -> Words:
    """The ``SeedSequence`` hash (numpy's) of each row's first ``lengths[i]`` 32-bit words into four uint64.

    Rows have at least :data:`POOL_SIZE` words. Every product is reduced to 32 bits (numpy computes in
    ``uint32``).
    """
    out = np.empty((entropy.shape[0], POOL_SIZE), dtype=np.uint64)
    pool = np.empty(POOL_SIZE, dtype=np.uint64)
    mult_a, mult_b = np.uint64(MULT_A), np.uint64(MULT_B)
    for i in range(entropy.shape[0]):
        hash_const = np.uint64(INIT_A)
        for k in range(POOL_SIZE):
            pool[k], hash_const = _hashmix(entropy[i, k], hash_const, mult_a)
        for src in range(POOL_SIZE):
            for dst in range(POOL_SIZE):
                if src != dst:
                    hashed, hash_const = _hashmix(pool[src], hash_const, mult_a)
                    pool[dst] = _mix(pool[dst], hashed)
        for src in range(POOL_SIZE, lengths[i]):
            for dst in range(POOL_SIZE):
                hashed, hash_const = _hashmix(entropy[i, src], hash_const, mult_a)
                pool[dst] = _mix(pool[dst], hashed)
        hash_const = np.uint64(INIT_B)
        for k in range(POOL_SIZE):  # generate_state(4, uint64): 8 words cycling the pool, paired low-high
            low, hash_const = _hashmix(pool[(2 * k) % POOL_SIZE], hash_const, mult_b)
            high, hash_const = _hashmix(pool[(2 * k + 1) % POOL_SIZE], hash_const, mult_b)
            out[i, k] = low | (high << np.uint64(32))
    return out


@compiled
def _hashmix(value: np.uint64, hash_const: np.uint64, multiplier: np.uint64) -> tuple[np.uint64, np.uint64]:
    """The ``hashmix`` of numpy's seed sequence: the hashed value and the next hash constant (32-bit).

    ``multiplier`` is :data:`MULT_A` while the entropy is mixed into the pool, :data:`MULT_B` while the pool
    gives the state's words (``generate_state``).
    """
    value = value ^ hash_const
    hash_const = (hash_const * multiplier) & np.uint64(MASK)
    value = (value * hash_const) & np.uint64(MASK)
    return value ^ (value >> np.uint64(XSHIFT)), hash_const


@compiled
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    """The ``mix`` of numpy's seed sequence for two 32-bit words (the difference modulo 2**32, no wrap)."""
    left = (np.uint64(MIX_MULT_L) * x) & np.uint64(MASK)
    right = (np.uint64(MIX_MULT_R) * y) & np.uint64(MASK)
    result = (left + np.uint64(1 << 32) - right) & np.uint64(MASK)
    return result ^ (result >> np.uint64(XSHIFT))
