"""Random streams keyed by name, not by position.

Every stream is ``SeedSequence(root_seed, spawn_key=(replication, purpose, entity...))`` with the strings
hashed to stable integers. Adding a port, reordering flows, splitting replications into blocks or running on
another worker leaves every other stream unchanged, and scenario variants share common random numbers.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

__all__ = ["stream", "stream_key"]


@lru_cache(maxsize=65536)
def stream_key(*parts: str) -> tuple[int, ...]:
    """Stable 64-bit integers for names (BLAKE2b; independent of Python's hash seed)."""
    return tuple(int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "little") for p in parts)


def stream(seed: int, replication: int, purpose: str, *entity: str) -> np.random.Generator:
    """The generator for one (replication, purpose, entity) triple.

    Parameters
    ----------
    seed : int
        The scenario's root seed.
    replication : int
        Replication number (0-based, global: the same whatever block it runs in).
    purpose : str
        What the draws are for, e.g. ``"arrivals"``, ``"parcels"``, ``"work"``.
    *entity : str
        The flow, station, ... the draws belong to.
    """
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, *stream_key(purpose, *entity)))
    return np.random.Generator(np.random.PCG64(sequence))
