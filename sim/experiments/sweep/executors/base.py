"""The executor interface: what every executor provides and how it reports back to the driver."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # a pool worker imports this package to reach its functions: keep it light
    from sim.experiments.sweep.task import TaskOrder, TaskReport
    from sim.scenario.layers import Layered

__all__ = ["Executor", "ExecutorKind", "SweepEvents"]

ExecutorKind = Literal["local", "dask"]


class SweepEvents:
    """What happens during a sweep; the default does nothing (the CLI shows a progress bar)."""

    def started(self, total: int, finished: int, where: str) -> None:
        """The sweep has ``total`` tasks of which ``finished`` were done before; tasks run on ``where``."""

    def done(self, report: TaskReport) -> None:
        """A task finished."""

    def retried(self, order: TaskOrder, reason: str) -> None:
        """A task is being run again (its worker died)."""

    def failed(self, order: TaskOrder, error: BaseException) -> None:
        """A task raised ``error``; the sweep goes on with the others and fails at the end."""


class Executor(Protocol):
    """Runs tasks; used as a context manager that starts and stops its workers."""

    description: str
    """Where tasks run, for messages (``local pool, 2 workers``)."""

    def __enter__(self) -> Executor:
        """Start the workers."""
        ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the workers."""
        ...

    def run(self, orders: Sequence[TaskOrder], base: Layered, events: SweepEvents) -> None:
        """Run every order (each exactly to completion or failure), reporting through ``events``."""
        ...
