"""Streams seeded in bulk (sim/seeding.py) against numpy's own SeedSequence and PCG64."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.rng import stream, stream_key
from sim.seeding import StreamBook, seed_states, streams

WORDS = st.one_of(
    st.integers(0, 2**32 - 1), st.integers(2**32, 2**64 - 1), st.integers(0, 2**130), st.sampled_from([0, 1])
)
NAMES = st.text(min_size=0, max_size=12)


def _numpy_states(seed: int, reps: list[int], key: tuple[int, ...]) -> np.ndarray:
    return np.array(
        [np.random.SeedSequence(seed, spawn_key=(r, *key)).generate_state(4, np.uint64) for r in reps],
        dtype=np.uint64,
    ).reshape(len(reps), 4)


@settings(max_examples=300, deadline=None)
@given(seed=WORDS, reps=st.lists(WORDS, min_size=0, max_size=6), key=st.lists(WORDS, min_size=0, max_size=5))
def test_states_are_numpys_for_any_integers(seed: int, reps: list[int], key: list[int]) -> None:
    """Any seed, replications and key words (0, one word, several words): numpy's generated state."""
    assert np.array_equal(seed_states(seed, reps, tuple(key)), _numpy_states(seed, reps, tuple(key)))


@settings(max_examples=100, deadline=None)
@given(
    seed=WORDS,
    reps=st.lists(st.integers(0, 2**33), min_size=1, max_size=4),
    purpose=NAMES,
    entity=st.lists(NAMES, max_size=3),
)
def test_streams_are_sim_rng_streams(seed: int, reps: list[int], purpose: str, entity: list[str]) -> None:
    """Every generator draws what ``sim.rng.stream`` draws for its replication, bit for bit."""
    for rep, generator in zip(reps, streams(seed, reps, purpose, *entity), strict=True):
        expected = stream(seed, rep, purpose, *entity)
        assert np.array_equal(generator.random(7), expected.random(7))
        assert np.array_equal(generator.integers(0, 2**62, 3), expected.integers(0, 2**62, 3))
        assert generator.bit_generator.state == expected.bit_generator.state


@pytest.mark.parametrize(
    "key",
    [
        ("arrivals", "flow"),
        ("choice", "flow"),
        ("parcels", "flow"),
        ("work", "flow", "station"),
        ("class", "flow", "node"),
        ("disruptions", "name"),
    ],
)
def test_the_drawing_keys_over_a_block(key: tuple[str, ...]) -> None:
    """The key shapes the Plan uses, over a block of replications and the scenarios' seeds."""
    for seed in (0, 7, 2024, 20240101, 2**32 + 3):
        reps = list(range(100, 125))
        for rep, generator in zip(reps, streams(seed, reps, *key), strict=True):
            assert np.array_equal(generator.random(64), stream(seed, rep, *key).random(64))


def test_a_streams_draws_do_not_depend_on_the_block() -> None:
    """A replication's stream is the same drawn alone or with others, at any place in the block."""
    alone = streams(11, [5], "work", "f", "s")[0].random(10)
    for block in ([5, 6, 7], [9, 5], [2**40, 5, 0]):
        drawn = streams(11, block, "work", "f", "s")[block.index(5)].random(10)
        assert np.array_equal(drawn, alone)


def test_no_replications_no_generators() -> None:
    assert streams(3, [], "arrivals", "f") == []


def test_negative_numbers_are_refused_as_numpy_refuses_them() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        streams(-1, [0], "arrivals", "f")
    with pytest.raises(ValueError, match="non-negative"):
        streams(1, [-2], "arrivals", "f")
    with pytest.raises(ValueError, match="negative"):
        np.random.SeedSequence(-1)


def test_the_seed_sequence_gives_only_pcg64s_words() -> None:
    generator = streams(1, [0], "arrivals", "f")[0]
    with pytest.raises(ValueError, match="four 64-bit"):
        generator.bit_generator.seed_seq.generate_state(8, np.uint32)
    assert stream_key("arrivals", "f") == stream_key("arrivals", "f")


@settings(max_examples=100, deadline=None)
@given(
    seed=WORDS,
    reps=st.lists(st.integers(0, 2**33), min_size=0, max_size=4),
    known=st.lists(st.lists(NAMES, min_size=1, max_size=3).map(tuple), max_size=5, unique=True),
    other=st.lists(NAMES, min_size=1, max_size=3).map(tuple),
)
def test_a_book_gives_sim_rng_streams_known_or_not(
    seed: int, reps: list[int], known: list[tuple[str, ...]], other: tuple[str, ...]
) -> None:
    """Names hashed together beforehand or asked for later: ``sim.rng.stream``'s generators."""
    book = StreamBook(seed, reps, known)
    for name in [*known, other, *known[:1]]:
        generators = book.streams(*name)
        assert len(generators) == len(reps)
        for rep, generator in zip(reps, generators, strict=True):
            expected = stream(seed, rep, *name)
            assert np.array_equal(generator.random(5), expected.random(5))
            assert generator.bit_generator.state == expected.bit_generator.state
    assert book.asked == [*known, other, *known[:1]]
