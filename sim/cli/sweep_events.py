"""The progress bar of ``corridor sweep``: task counts, ETA, retries and failures printed above it."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.experiments.sweep.executors import SweepEvents
from sim.experiments.sweep.task import TaskOrder, TaskReport

__all__ = ["BarEvents", "progress_bar"]


class BarEvents(SweepEvents):
    """A rich progress bar with counts and ETA; failures and retries are printed above it."""

    def __init__(self, progress: Progress, console: Console):
        self.progress = progress
        self.console = console
        self.task = TaskID(0)
        self.counts = {"run": 0, "skipped": 0, "retried": 0, "failed": 0}

    def started(self, total: int, finished: int, where: str) -> None:
        """A sweep begins: ``finished`` of ``total`` tasks are already done."""
        self.counts["skipped"] = finished
        if finished < total:
            self.console.print(f"{total} tasks, {finished} already finished; running on {where}")
        else:
            self.console.print(f"all {total} tasks already finished")
        self.task = self.progress.add_task("sweep", total=total, completed=finished, counts=self._counts())

    def done(self, report: TaskReport) -> None:
        """A task finished (run or found finished)."""
        self.counts["run" if report.written else "skipped"] += 1
        self.progress.update(self.task, advance=1, counts=self._counts())

    def retried(self, order: TaskOrder, reason: str) -> None:
        """A task is run again."""
        self.counts["retried"] += 1
        self.console.print(f"[yellow]retrying[/] {order.key}: {reason}")
        self.progress.update(self.task, counts=self._counts())

    def failed(self, order: TaskOrder, error: BaseException) -> None:
        """A task failed for good."""
        self.counts["failed"] += 1
        shown = escape(f"{error.__class__.__name__}: {error}")  # "[errno 28]" is not markup
        self.console.print(f"[red]failed[/] {order.key}: {shown}")
        self.progress.update(self.task, advance=1, counts=self._counts())

    def _counts(self) -> str:
        return " · ".join(f"{value} {name}" for name, value in self.counts.items() if value or name == "run")


def progress_bar(console: Console) -> Progress:
    """The sweep's bar: done/total, counts, elapsed time and ETA."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[dim]{task.fields[counts]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
