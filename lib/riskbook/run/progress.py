"""What a run shows while it works (a bar, or a line per task) and the table of every task's time."""

from __future__ import annotations

import sys
from typing import Any

from riskbook.core import config
from riskbook.run.plan import RENDER, TaskResult


class Progress:
    """In a terminal, a bar over the whole run with the tasks running now beneath it; otherwise (CI, a log
    file) one plain line per task as it ends. :func:`task_table` closes the run with every task's time."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RP

        self.console = Console(stderr=True)
        self.live = self.console.is_terminal
        self.bar = RP(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            disable=not self.live,
        )
        self.task = self.bar.add_task("riskbook", total=total)
        self.running: dict[tuple[str, str], None] = {}  # the tasks on workers now, in the order they started

    def start(self, unit: str, stage: str) -> None:
        """A task was handed to a worker: shown under the bar until it ends."""
        self.running[(unit, stage)] = None
        self._show()

    def _show(self) -> None:
        if self.live:
            now = "  ".join(f"{u}·{s.split('_', 1)[-1]}" for u, s in list(self.running)[:4])
            more = f" +{len(self.running) - 4}" if len(self.running) > 4 else ""
            self.bar.update(self.task, description=f"riskbook  [dim]{now}{more}[/]" if now else "riskbook")

    def __enter__(self) -> Progress:
        self.bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(*exc)

    def done(self, r: TaskResult, n: int = 1) -> None:
        mark = {"ok": "✓", "failed": "✗", "skipped": "–", "unchanged": "="}[r.status]
        line = f"{mark} {r.unit:<14} {r.stage:<18} {r.seconds:6.1f}s" + (f"  {r.error}" if r.error else "")
        self.bar.console.print(line, highlight=False, markup=False) if self.live else print(
            line, file=sys.stderr, flush=True
        )
        self.running.pop((r.unit, r.stage), None)
        self.bar.advance(self.task, n)
        self._show()


def task_table(results: list[TaskResult]) -> Any:
    """Every unit's tasks with their status and seconds, one row per unit (a rich Table)."""
    from rich.table import Table

    stages = [*config.STAGES, config.PORTFOLIO, RENDER]
    table = Table(title="Tasks", title_justify="left", box=None, pad_edge=False)
    table.add_column("unit")
    for s in stages:
        table.add_column(config.stage_name(s), justify="right")
    table.add_column("total", justify="right")
    mark = {"ok": "✓", "failed": "✗", "skipped": "–", "unchanged": "="}
    by_unit: dict[str, dict[str, TaskResult]] = {}
    for r in results:
        by_unit.setdefault(r.unit, {})[r.stage] = r
    for unit, tasks in by_unit.items():
        if "all" in tasks:  # reused as published
            table.add_row(unit, *["="] * len(stages), "unchanged")
            continue
        cells = [f"{mark[tasks[s].status]} {tasks[s].seconds:.1f}" if s in tasks else "" for s in stages]
        table.add_row(unit, *cells, f"{sum(x.seconds for x in tasks.values()):.1f} s")
    return table
