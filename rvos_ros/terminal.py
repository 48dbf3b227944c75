"""What the CLI shows a person: rich progress bars and tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

if TYPE_CHECKING:
    from rvos_ros.eval.runner import ExpressionRun

__all__ = ["console", "decisions_table", "progress_bar", "summary_table", "timeline_text"]

console = Console(stderr=False, highlight=False)


def progress_bar() -> Progress:
    """A progress bar on stderr (keeps stdout clean for JSON)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def summary_table(title: str, rows: Iterable[Sequence[object]], headers: Sequence[str] = ("what", "count"),
                  no_wrap: Sequence[str] = ()) -> None:
    """Print a table; the columns named in ``no_wrap`` are never broken (the others fold in a narrow terminal)."""
    table = Table(title=title)
    for h in headers:
        table.add_column(h, no_wrap=h in no_wrap, overflow="fold")
    for r in rows:
        table.add_row(*(escape(str(v)) for v in r))
    console.print(table)


def timeline_text(timeline: Sequence[dict]) -> str:
    """``0 searching → 4 reasoning → 9 locked [2]``: each change of the decision, by frame."""
    parts = []
    for e in timeline:
        targets = f" {e['targets']}" if e["targets"] else ""
        parts.append(f"{e['frame']} {e['state']}{targets}")
    return " → ".join(parts)


def decisions_table(runs: Sequence[ExpressionRun], limit: int = 40, *, ids_are_objects: bool = True) -> None:
    """One row per expression: command, final decision, ground truth and the decision timeline.

    The truth is coloured (green: the targets are its object ids) only when ``ids_are_objects``: other backends'
    track ids mean nothing beside the dataset's object ids (``rvos-ros eval`` scores them from the masks).
    """
    table = Table(title=f"decisions ({len(runs)} expressions)")
    for h in ("video/exp", "command", "state", "targets", "truth", "conf"):
        table.add_column(h, overflow="fold")
    for r in runs[:limit]:
        d = r.decision
        ok = sorted(d.targets) == sorted(r.expression.obj_ids)
        colour = ("[green]" if ok else "[red]") if ids_are_objects else ""
        table.add_row(escape(r.expression.key), escape(r.expression.text), d.state, str(list(d.targets)),
                      colour + str(list(r.expression.obj_ids)), f"{d.confidence:.2f}")
    if len(runs) > limit:
        table.caption = f"... {len(runs) - limit} more in decisions.json"
    console.print(table)
    console.print("decision timeline (frame state [targets]):")
    for r in runs[:limit]:
        console.print(f"  {r.expression.key:<10} {timeline_text(r.timeline)}", overflow="fold", markup=False)
