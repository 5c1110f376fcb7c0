"""The one progress bar of every long command (trials, validation, calibration, conditions).

A rich bar on stderr, so JSON or tables on stdout stay clean, and only when stderr is a
terminal: logs and pipes get no bar. Callers get the rich ``Progress`` (or ``None`` when there
is no bar) and add their own task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def stderr_is_terminal() -> bool:
    from rich.console import Console

    return Console(stderr=True).is_terminal


@contextmanager
def progress_bar(enabled: bool, unit: str | None = None, *, remaining: bool = True) -> Iterator[object | None]:
    """A transient bar showing description, bar, done/total, ``unit`` and time remaining (or
    elapsed, with ``remaining=False``); ``None`` when disabled or stderr is not a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                               TimeRemainingColumn)

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    if unit:
        columns.append(TextColumn(unit))
    columns.append(TimeRemainingColumn() if remaining else TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        yield bar
