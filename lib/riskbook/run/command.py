"""``riskbook run`` once the outputs folder is locked: leftovers cleaned, the plan made, the tasks run and
published, the manifest and index written, the tables of tasks and failures shown."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from riskbook.core import config, paths
from riskbook.core.errors import ParamError
from riskbook.run.plan import RunPlan, TaskResult, reusable
from riskbook.stages.plan import Plan


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_locked(args: argparse.Namespace, resolved: Plan, started: float, pool: Any = None) -> int:
    """The run itself, with the outputs folder locked: leftovers of an interrupted run cleaned, the plan
    saved for the notebooks, the tasks run and published, the manifest and index written. ``pool``: the
    local workers riskbook.run.pool.early started, kernels booting, while the plan was resolved."""
    from riskbook.render.index import write_index
    from riskbook.run.lock import clean_leftovers
    from riskbook.run.publish import write_manifest
    from riskbook.run.runner import run_plan

    out = resolved.out
    try:
        clean_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
        plan_file = replace(resolved, out=staging, published=out).save(staging / "plan.pkl")
    except OSError as exc:
        raise ParamError(f"--out {args.out}: cannot write there ({exc.strerror or exc})") from None
    plan = RunPlan(resolved, args.jobs, out, staging, plan_file, args.scheduler, cell_timeout=args.cell_timeout)
    plan.reuse = set() if args.force else reusable(plan)
    for u in plan.reuse - {config.GROUP}:  # published and up to date: an earlier failed run of it is moot
        shutil.rmtree(paths.failed_dir(out, plan.period, u), ignore_errors=True)
    print(
        f"riskbook: {plan.period} · {len(plan.units)} unit(s) · {plan.lang} · {args.jobs} job(s) → "
        f"{paths.period_dir(out, plan.period)}",
        file=sys.stderr,
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM as Ctrl-C: stop, clean up, keep what was published
    try:
        results = run_plan(plan, pool)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(staging, ignore_errors=True)
    meta = resolved.meta
    try:
        write_manifest(plan, results, started, {"source": meta["source"], "hash": meta["store"], "rows": meta["rows"]})
        index = write_index(paths.period_dir(out, plan.period), plan.period)
    except OSError as exc:  # a full disk: the published reports stand, the manifest and index as they were
        raise ParamError(
            f"--out {args.out}: cannot write the run's manifest and index ({exc.strerror or exc})"
        ) from None
    failed = [r for r in results if r.status == "failed"]
    show_results(plan, results)
    same = len(plan.reuse - {config.GROUP})
    note = f" ({same} unchanged, reused; --force rebuilds them)" if same else ""
    print(
        f"riskbook: {len(plan.units) - len({r.unit for r in failed} - {config.GROUP})}/{len(plan.units)} unit(s) "
        f"ready{note} in {time.perf_counter() - started:.0f} s; open {index}",
        file=sys.stderr,
    )
    return 1 if failed else 0


def show_results(plan: RunPlan, results: list[TaskResult]) -> None:
    """The table of tasks, then the failed ones with their notebooks, and which good reports stay published."""
    from rich.console import Console
    from rich.table import Table

    from riskbook.run.progress import task_table

    out, period = plan.out, plan.period
    Console(stderr=True).print(task_table(results))
    failed = [r for r in results if r.status == "failed"]
    if not failed:
        return
    table = Table(title="Failed tasks", title_style="bold red")
    for col in ("unit", "stage", "error", "notebook"):
        table.add_column(col)
    for r in failed:
        nb = paths.notebook(paths.failed_dir(out, period, r.unit), r.stage)
        table.add_row(r.unit, r.stage, r.error or "", str(nb) if nb.exists() else "")
    Console(stderr=True).print(table)
    kept = [
        u
        for u in sorted({r.unit for r in failed})
        if paths.report_pdf(paths.unit_dir(out, period, u), u, period).exists()
    ]
    if kept:
        print(
            f"riskbook: the last good report stays published for {', '.join(kept)}; the failed run is kept in "
            f"{paths.failed_dir(out, period, '<unit>')}",
            file=sys.stderr,
        )
