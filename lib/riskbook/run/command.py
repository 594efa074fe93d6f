"""``riskbook run`` once the outputs folder is locked: leftovers cleaned, the plan made, the tasks run and
published, the manifest and index written, the tables of tasks and failures shown."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from riskbook.core import config, paths
from riskbook.core.errors import ParamError
from riskbook.core.periods import Period
from riskbook.settings.params import Company


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_locked(
    args: argparse.Namespace,
    out: Path,
    st: Path,
    meta: dict[str, Any],
    period: Period,
    units: list[str],
    company: Company,
    settings: dict[str, dict[str, Any]],
    lang: str,
    langs: dict[str, str],
    started: float,
) -> int:
    """The run itself, with the outputs folder locked: leftovers of an interrupted run cleaned, the plan made,
    the tasks run and published, the manifest and index written."""
    from riskbook.render.index import write_index
    from riskbook.run.lock import clean_leftovers
    from riskbook.run.plan import RunPlan, reusable, task_keys
    from riskbook.run.publish import write_manifest
    from riskbook.run.runner import run_plan

    try:
        clean_leftovers(out)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    except OSError as exc:
        raise ParamError(f"--out {args.out}: cannot write there ({exc.strerror or exc})") from None
    plan = RunPlan(
        str(period),
        list(units),
        lang,
        args.jobs,
        out,
        staging,
        data=str(Path(args.data).resolve()) if args.data else None,
        config_file=str(Path(args.config).resolve()) if args.config else None,
        store=str(st),
        scheduler=args.scheduler,
        as_of=meta["as_of"],
        company=company.settings.get("company") or company.name,
        currency=company.currency,
        settings=settings,
        langs=langs,
        classification=str(company.settings.get("classification") or ""),
        cell_timeout=args.cell_timeout,
    )
    params_dir = company.params_dir
    plan.keys = task_keys(list(units), str(period), langs, Path(st).name, params_dir, plan.as_of)
    # the group's key also covers every unit of the period, rebuilt or not
    plan.keys[config.GROUP] = task_keys(
        [config.GROUP],
        str(period),
        lang,
        Path(st).name + "".join(sorted(f"{u}:{k}" for u, k in plan.keys.items())),
        params_dir,
        plan.as_of,
    )[config.GROUP]
    plan.reuse = set() if args.force else reusable(plan)
    for u in plan.reuse - {config.GROUP}:  # published and up to date: an earlier failed run of it is moot
        shutil.rmtree(paths.failed_dir(out, period, u), ignore_errors=True)
    print(
        f"riskbook: {period} · {len(units)} unit(s) · {lang} · {args.jobs} job(s) → {paths.period_dir(out, period)}",
        file=sys.stderr,
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM as Ctrl-C: stop, clean up, keep what was published
    try:
        results = run_plan(plan)
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(staging, ignore_errors=True)
    try:
        write_manifest(plan, results, started, {"source": meta["source"], "hash": Path(st).name, "rows": meta["rows"]})
        index = write_index(paths.period_dir(out, period))
    except OSError as exc:  # a full disk: the published reports stand, the manifest and index as they were
        raise ParamError(
            f"--out {args.out}: cannot write the run's manifest and index ({exc.strerror or exc})"
        ) from None
    failed = [r for r in results if r.status == "failed"]
    from rich.console import Console

    from riskbook.run.progress import task_table

    Console(stderr=True).print(task_table(results))
    if failed:
        from rich.table import Table

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
    same = len(plan.reuse - {config.GROUP})
    note = f" ({same} unchanged, reused; --force rebuilds them)" if same else ""
    print(
        f"riskbook: {len(units) - len({r.unit for r in failed} - {config.GROUP})}/{len(units)} unit(s) ready"
        f"{note} in {time.perf_counter() - started:.0f} s; open {index}",
        file=sys.stderr,
    )
    return 1 if failed else 0
