"""A progress display for long commands: on a terminal only, silenced by ``--quiet``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from revenue_retention.cli.common import stderr

__all__ = ["Steps", "steps"]


class Steps:
    """Announces each step of a job; does nothing when there is no display."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._task = progress.add_task("starting", total=None) if progress else None

    def __call__(self, name: str, total: int | None = None) -> None:
        if self._progress is None or self._task is None:
            return
        task = self._progress.tasks[0]
        # The first announcement with a total sets the bar; each later one advances it.
        if total is not None and task.total is None:
            self._progress.update(self._task, total=total, completed=0)
        elif task.total is not None:
            self._progress.advance(self._task)
        self._progress.update(self._task, description=name)


@contextmanager
def steps(quiet: bool) -> Iterator[Steps]:
    """A ``Steps`` callback drawing a Rich progress bar on stderr while the block runs.

    Nothing is drawn when ``quiet`` is set or stderr is not a terminal (a pipe, a file,
    CI), so machine output and logs stay clean.
    """
    console = stderr()
    if quiet or not console.is_terminal:
        yield Steps(None)
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    with progress:
        yield Steps(progress)
