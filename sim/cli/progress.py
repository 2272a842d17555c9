"""A progress bar that appears only when a run lasts more than a couple of seconds."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

__all__ = ["LazyProgress"]


class LazyProgress:
    """Context manager and ``(done, total)`` callback; shows a bar once ``delay_s`` has passed."""

    def __init__(self, description: str, console: Console, delay_s: float = 2.0, enabled: bool = True):
        self.description = description
        self.console = console
        self.delay_s = delay_s
        self.enabled = enabled
        self.began = time.perf_counter()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> LazyProgress:
        """Start the clock."""
        self.began = time.perf_counter()
        return self

    def __call__(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` replications are finished."""
        if not self.enabled:
            return
        if self._bar is None:
            if time.perf_counter() - self.began < self.delay_s or done >= total:
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=total)
        if self._task is not None:
            self._bar.update(self._task, completed=done, total=total)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
