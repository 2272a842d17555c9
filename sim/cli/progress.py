"""A progress bar that appears only when a command lasts more than a couple of seconds.

Every long command (run, compare, bottlenecks, report) wraps its work in one :class:`LazyProgress`. A timer
shows the bar once ``delay_s`` has passed, even while a single long step gives no news (the vector engine
runs all replications at once); :meth:`LazyProgress.stage` names the step under way (``writing results``),
and calling the object as ``progress(done, total)`` moves the bar. The bar is transient: it disappears when
the work ends, so piped output and short runs stay clean.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:  # rich.progress loads when a bar is shown, not by every command (nor --quiet)
    from rich.progress import Progress, TaskID

__all__ = ["LazyProgress"]


class LazyProgress:
    """Context manager and ``(done, total)`` callback; shows a bar once ``delay_s`` has passed."""

    def __init__(
        self,
        description: str,
        console: Console,
        delay_s: float = 2.0,
        enabled: bool = True,
        total: int | None = None,
    ):
        self.description = description
        self.console = console
        self.delay_s = delay_s
        self.enabled = enabled and not console.quiet
        self.began = time.perf_counter()
        self._done = 0
        self._total = total
        self._lock = threading.Lock()
        self._closed = False
        self._timer: threading.Timer | None = None
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> LazyProgress:
        """Start the clock (and the timer that shows the bar)."""
        self.began = time.perf_counter()
        if self.enabled:
            self._timer = threading.Timer(self.delay_s, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    @property
    def shown(self) -> bool:
        """True once the bar has appeared."""
        return self._bar is not None

    def _show(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with self._lock:
            if self._closed or self._bar is not None:
                return
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self._total, completed=self._done)

    def _update(self) -> None:
        if self._bar is not None and self._task is not None:
            bar, task = self._bar, self._task
            bar.update(task, description=self.description, completed=self._done, total=self._total)

    def __call__(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` steps (replications, runs) are finished."""
        with self._lock:
            self._done, self._total = done, total
            self._update()

    def stage(self, description: str, done: int | None = None, total: int | None = None) -> None:
        """Name the step under way (and optionally move the bar)."""
        with self._lock:
            self.description = description
            if done is not None:
                self._done = done
            if total is not None:
                self._total = total
            self._update()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._bar is not None:
                self._bar.stop()
