"""Run the pack: papermill over (unit × stage) in a process pool, render, publish atomically.

Each unit's stages run in order (each reads the one before); units run in
parallel. A failing unit stops only itself: its notebook is kept with the
failing cell, the others go on, and the run ends with a table of failures.
"""

from __future__ import annotations

import heapq
import itertools
import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskbook import __version__
from riskbook.core import config, paths
from riskbook.core.errors import ParamError
from riskbook.core.i18n import t
from riskbook.core.imports import skip_unused
from riskbook.settings.params import display_name, localized

RENDER = "render"


@dataclass
class TaskResult:
    """What one task did: its status, time and error (cell and exception) if it failed."""

    unit: str
    stage: str
    status: str  # ok | failed | skipped (after a failure) | unchanged (outputs up to date, not rebuilt)
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunPlan:
    """Everything a run needs, fixed before any task starts."""

    period: str
    units: list[str]
    lang: str
    jobs: int
    out: Path
    staging: Path
    data: str | None = None
    config_file: str | None = None
    store: str = ""
    scheduler: str | None = None  # a Dask distributed scheduler address; None: a local process pool
    keys: dict[str, str] = field(default_factory=dict)  # unit (and group) → hash of everything it depends on
    reuse: set[str] = field(default_factory=set)  # units whose published outputs are up to date
    as_of: str = ""  # the run's one date (the store's): future rows, overdue actions, the cover
    company: str | dict[str, str] = "riskbook"  # the company's name ({en: …, zh: …} or one) and currency
    currency: str = ""
    classification: str = ""  # the company's classification: line for covers (default: confidential)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit → its merged settings
    langs: dict[str, str] = field(default_factory=dict)  # unit → its report language (--lang, else its lang:)
    cell_timeout: float = 1800.0  # seconds a notebook cell may run (--cell-timeout)

    def lang_of(self, unit: str) -> str:
        """The report language of ``unit`` (the group's is the run's)."""
        return self.langs.get(unit, self.lang)


def code_files() -> list[Path]:
    """The package, its templates and the notebooks: what a report's content depends on besides data."""
    pkg = config.PACKAGE_DIR
    return sorted([*pkg.rglob("*.py"), *pkg.rglob("templates/*"), *config.NOTEBOOKS_DIR.glob("*.ipynb")])


def task_keys(
    units: list[str],
    period: str,
    langs: dict[str, str] | str,
    store_hash: str,
    params_dir: Path | None,
    as_of: str = "",
) -> dict[str, str]:
    """A key per unit (and the group) that changes whenever its report could: data, period, language,
    parameters, register, code, and the run's as-of date (overdue actions and future-dated rows depend on it)."""
    import xxhash

    common = xxhash.xxh3_128(f"{store_hash}|{period}|{as_of}|{__version__}".encode())
    for p in code_files():
        common.update(p.read_bytes())
    company = params_dir / "company.yaml" if params_dir is not None else None
    common.update(company.read_bytes() if company is not None and company.exists() else b"neutral")
    keys = {}
    for u in units:
        h = common.copy()
        h.update(f"{u}|{langs if isinstance(langs, str) else langs.get(u, '')}".encode())
        if params_dir is not None:
            for p in (params_dir / "units" / f"{u}.yaml", params_dir / "register" / f"{u}.yaml"):
                h.update(p.read_bytes() if p.exists() else b"-")
        keys[u] = h.hexdigest()
    return keys


def reusable(plan: RunPlan) -> set[str]:
    """Units (and the group) whose published folder was built by a run with the same key and has all its
    outputs. The key is read from the folder's own stamp, written with it, never from the manifest alone: a
    run killed after publishing a unit and before writing the manifest leaves the truth in the folder."""
    out = set()
    for u in [*plan.units, config.GROUP]:
        d = paths.unit_dir(plan.out, plan.period, u)
        files = [paths.report_pdf(d, u, plan.period)] + ([paths.results_json(d)] if u != config.GROUP else [])
        stamp = read_stamp(d)
        if stamp.get("key") and stamp.get("key") == plan.keys.get(u) and all(f.exists() for f in files):
            out.add(u)
    return out


def read_stamp(folder: Path) -> dict[str, Any]:
    """The stamp of a published folder ({key, built}), or {} when it has none or it is unreadable."""
    try:
        doc = json.loads(paths.run_stamp(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _kernel_env() -> None:
    """Kernels start 'python' from PATH: make it this environment's interpreter."""
    bindir = str(Path(sys.executable).parent)
    if not os.environ.get("PATH", "").startswith(bindir + os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def _log_to(path: Path) -> None:
    """Send this worker's (and its kernels') stderr to ``path``: logs are kept, not shown."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)


def warm_kernels() -> bool:
    """Whether notebooks run on a warm kernel per worker (riskbook.run.kernels), the default, or each on a
    kernel of its own (``RISKBOOK_WARM_KERNELS=0``: slower, for comparison and as a way out)."""
    return os.environ.get("RISKBOOK_WARM_KERNELS", "1") not in ("0", "false", "no")


CELL_TIMEOUT = 1800.0  # seconds a cell may run before its notebook fails (run --cell-timeout)
IOPUB_TIMEOUT = 90.0  # seconds to wait for a finished cell's output: survives a suspended laptop or starved VM


def _literal_path(path: str) -> str:
    """A path papermill will not read as a template: it formats paths with the parameters, so braces in an
    outputs folder ({x}) are doubled to stand for themselves."""
    return path.replace("{", "{{").replace("}", "}}")


def execute(
    nb_in: str, nb_out: str, parameters: dict[str, Any], timeout: float = CELL_TIMEOUT
) -> tuple[str, float, str | None]:
    """Execute one notebook with papermill, each cell within ``timeout`` seconds; return (status, seconds,
    error)."""
    import logging

    skip_unused()
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _kernel_env()
    _log_to(paths.log(Path(nb_out)))
    logging.getLogger("papermill").setLevel(logging.ERROR)
    engine = None
    if warm_kernels():
        from riskbook.run import kernels

        kernels.register()
        engine = kernels.NAME
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(
            _literal_path(nb_in),
            _literal_path(nb_out),
            parameters=parameters,
            engine_name=engine,
            kernel_name="python3",
            progress_bar=False,
            log_output=False,
            cwd=str(config.NOTEBOOKS_DIR),
            execution_timeout=timeout,
            iopub_timeout=IOPUB_TIMEOUT,
        )
    except PapermillExecutionError as exc:
        return "failed", time.perf_counter() - t0, f"cell {exc.exec_count}: {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, notebook unreadable: still one line for the table
        return "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
    return "ok", time.perf_counter() - t0, None


def render_unit(
    unit_dir: str, unit: str, period: str, lang: str, cover: dict[str, Any], results_dirs: list[str] | None = None
) -> tuple[str, float, str | None]:
    """HTML page per notebook and the unit's PDF (summary first, then the stages); the group's cover rating
    from the units' results in ``results_dirs`` (published, then this run's)."""
    skip_unused()
    from riskbook.render.pages import notebook_page, write_pdf

    t0 = time.perf_counter()
    d = Path(unit_dir)
    period_dirs = [Path(x) for x in results_dirs] if results_dirs else [d.parent]
    if unit != config.GROUP:
        cover = {**cover, "overall": overall_of(d), **_through([d])}
    else:
        cover = {**cover, "overall": _group_overall(period_dirs), **_through(period_dirs)}
    try:
        names = list(config.STAGES) if unit != config.GROUP else [config.PORTFOLIO]
        for name in names:
            notebook_page(paths.notebook(d, name), paths.page(d, name), lang, cover, name, names)
        order = [config.STAGES[3], *config.STAGES[:3]] if unit != config.GROUP else names
        write_pdf([paths.notebook(d, n) for n in order], paths.report_pdf(d, unit, period), lang, cover)
    except Exception as exc:
        return "failed", time.perf_counter() - t0, f"{type(exc).__name__}: {exc}"
    return "ok", time.perf_counter() - t0, None


def _group_overall(period_dirs: list[Path]) -> str:
    """The group's overall rating from its units' results (a later folder's replace an earlier's)."""
    from riskbook.stages.portfolio import group_overall, load_results

    try:
        return group_overall(load_results(*period_dirs))
    except (OSError, ValueError):
        return ""


def _through(dirs: list[Path]) -> dict[str, Any]:
    """The cover's "data through" and whether the period is complete: a unit's from its results.json, the
    group's from its units' (the latest day any unit's data reaches; complete when every unit's is)."""
    from riskbook.stages.portfolio import load_results

    try:
        docs = (
            [json.loads(paths.results_json(dirs[0]).read_text(encoding="utf-8"))]
            if paths.results_json(dirs[0]).exists()
            else list(load_results(*dirs).values())
        )
    except (OSError, ValueError):
        return {}
    days = [d["data_through"] for d in docs if d.get("data_through")]
    return (
        {"data_through": max(days), "period_complete": all(d.get("period_complete", True) for d in docs)}
        if days
        else {}
    )


def overall_of(unit_dir: Path) -> str:
    """The unit's overall rating from its results.json, or "" (the group, a failed unit)."""
    from riskbook.stages.portfolio import overall

    try:
        return overall(json.loads(paths.results_json(unit_dir).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return ""


def _cover(plan: RunPlan, unit: str) -> dict[str, Any]:
    """The cover of a unit's (or the group's) PDF, from what the run resolved."""
    from riskbook.core.periods import Period

    p = Period.parse(plan.period)
    lang = plan.lang_of(unit)
    if unit == config.GROUP:
        unit_label, unit_name = (
            t("scope", lang),
            t("all_units", lang, n=len([u for u in plan.units if u != config.GROUP])),
        )
    else:
        unit_label, unit_name = t("unit", lang), display_name(plan.settings.get(unit, {}), unit, lang)
    return {
        "company": localized(plan.company, lang, "riskbook"),
        "unit_label": unit_label,
        "unit_name": unit_name,
        "period": plan.period,
        "period_range": t("period_range", lang, text=f"{p.start.date()} – {p.end.date()}"),
        "currency": plan.currency,
        "prepared": plan.as_of,
        "classification": plan.classification or t("confidential", lang),
        "version": __version__,
        "title": t("group_title" if unit == config.GROUP else "report_title", lang),
    }


def _params(plan: RunPlan, unit: str | None) -> dict[str, Any]:
    """A notebook's parameters: what the run resolved once, handed down (the store is never read again)."""
    p: dict[str, Any] = {
        "period": plan.period,
        "lang": plan.lang_of(unit or config.GROUP),
        "data": plan.data,
        "config": plan.config_file,
        "out_dir": str(plan.staging),
        "store": plan.store,
    }
    if unit is None:
        p["out_dir"] = str(plan.out)  # the portfolio reads the published unit results, and this run's
        p["staging"] = str(plan.staging)
    else:
        p["unit"] = unit
        p["settings"] = plan.settings[unit]
    return p


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
        table.add_column(s.split("_", 1)[-1], justify="right")
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


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the runner, which stops them (and their kernels) itself; and die with the
    runner when it is killed outright (kill -9: Linux's parent-death signal). Their kernels follow them:
    a kernel polls its parent and exits when it is gone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers and their kernels, so that none writes into the staging folder any more."""
    import psutil

    procs = []
    for p in list(getattr(pool, "_processes", {}).values()):
        try:
            proc = psutil.Process(p.pid)
            procs += [*proc.children(recursive=True), proc]
        except psutil.Error:
            continue
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=10)
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def executor(plan: RunPlan) -> Iterator[Any]:
    """A concurrent.futures executor: a local process pool, or a Dask cluster's workers (--scheduler)."""
    if not plan.scheduler:
        pool = ProcessPoolExecutor(max_workers=plan.jobs, initializer=_worker_signals)
        try:
            yield pool
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: stop every worker and kernel now
            _kill(pool)
            raise
        pool.shutdown(wait=True)
        return
    from distributed import Client

    try:
        client = Client(plan.scheduler, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise ParamError(f"--scheduler {plan.scheduler}: cannot connect ({exc})") from None
    try:
        with client.get_executor(pure=False) as pool:
            yield pool
    finally:
        client.close()


def depends() -> dict[str, tuple[str, ...]]:
    """Each task of a unit → the tasks it waits for: a stage notebook the stages whose products it reads
    (assessment and monitoring both read identification only, so they run side by side), the render all four."""
    from riskbook.stages.pipeline import NOTEBOOKS, READS

    deps = {nb: tuple(NOTEBOOKS[r] for r in READS[nb.split("_", 1)[1]]) for nb in config.STAGES}
    return {**deps, RENDER: tuple(config.STAGES)}


def prewarm() -> float:
    """Start this worker's warm kernel now, while the run is still being set up, then import the renderer
    (WeasyPrint, half a second) in the background while the kernel runs the first notebooks and this
    worker only waits for it. Seconds it took."""
    import threading

    t0 = time.perf_counter()
    skip_unused()
    if warm_kernels():
        _kernel_env()
        from riskbook.run import kernels

        kernels.kernel("python3", 60)
    threading.Thread(target=_import_renderer, daemon=True).start()
    return time.perf_counter() - t0


def _import_renderer() -> None:
    import weasyprint  # noqa: F401

    import riskbook.render.pages  # noqa: F401


PRIORITY = {"group": 0, "stage": 1, "render": 2}  # which waiting task a free worker takes first


def run_plan(plan: RunPlan) -> list[TaskResult]:
    """Execute every task of ``plan`` and publish the results; return each task's result."""
    _kernel_env()
    results: list[TaskResult] = []
    graph = depends()
    per_unit = len(graph)
    total = len(plan.units) * per_unit + 2
    build = [u for u in plan.units if u not in plan.reuse]
    unit_dir = {u: paths.unit_dir(plan.staging, plan.period, u) for u in build}
    for d in unit_dir.values():
        d.mkdir(parents=True, exist_ok=True)
    with Progress(total) as progress, executor(plan) as pool:
        if build and not plan.scheduler:  # every worker's kernel starts at once, before the first notebook
            for _ in range(plan.jobs):
                pool.submit(prewarm)
        for u in sorted(plan.reuse - {config.GROUP}):
            r = TaskResult(u, "all", "unchanged", 0.0, None)
            results.append(r)
            progress.done(r, per_unit)
        pending: dict[Future, tuple[str, str]] = {}
        done: dict[str, set[str]] = {u: set() for u in build}
        started: dict[str, set[str]] = {u: set() for u in build}
        failed: dict[str, str] = {}  # unit → the task that failed first
        # tasks wait here, the most urgent first, and go to the pool as workers free up (one each), so the
        # group's roll-up passes the renders queued before it; a Dask cluster takes them all at once
        queued: list[tuple[int, int, str, str, Any, tuple]] = []
        limit = None if plan.scheduler else plan.jobs
        order = itertools.count()

        def dispatch(priority: int, unit: str, task: str, fn: Any, *args: Any) -> None:
            heapq.heappush(queued, (priority, next(order), unit, task, fn, args))

        def pump() -> None:
            while queued and (limit is None or len(pending) < limit):
                _, _, unit, task, fn, args = heapq.heappop(queued)
                pending[pool.submit(fn, *args)] = (unit, task)
                progress.start(unit, task)

        def busy(unit: str) -> bool:
            return any(u == unit for u, _ in pending.values()) or any(q[2] == unit for q in queued)

        def submit(unit: str, task: str) -> None:
            d = unit_dir[unit]
            started[unit].add(task)
            if task == RENDER:
                args = (str(d), unit, plan.period, plan.lang_of(unit), _cover(plan, unit))
                dispatch(PRIORITY["render"], unit, task, render_unit, *args)
            else:
                nb = (str(paths.source_notebook(task)), str(paths.notebook(d, task)), _params(plan, unit))
                dispatch(PRIORITY["stage"], unit, task, execute, *nb, plan.cell_timeout)

        def ready(unit: str) -> list[str]:
            return [x for x in graph if x not in started[unit] and set(graph[x]) <= done[unit]]

        for u in build:
            for task in ready(u):
                submit(u, task)
        gdir = paths.unit_dir(plan.staging, plan.period, config.GROUP)
        group = {"started": False}
        if not build and config.GROUP in plan.reuse:  # no unit rebuilt: the published roll-up is up to date
            r = TaskResult(config.GROUP, "all", "unchanged", 0.0, None)
            results.append(r)
            progress.done(r, 2)
            group["started"] = True

        def start_group() -> None:
            """The roll-up reads every unit's results.json: it starts once each rebuilt unit has its summary
            (or has failed), while the last units' PDFs still render."""
            if group["started"] or any(u not in failed and config.STAGES[-1] not in done[u] for u in build):
                return
            group["started"] = True
            gdir.mkdir(parents=True, exist_ok=True)
            _write_failures(plan, {u: _failure(results, u) for u in failed})
            nb = (str(paths.source_notebook(config.PORTFOLIO)), str(paths.notebook(gdir, config.PORTFOLIO)))
            args = (*nb, _params(plan, None), plan.cell_timeout)
            dispatch(PRIORITY["group"], config.GROUP, config.PORTFOLIO, execute, *args)

        def group_done(task: str, status: str, secs: float, err: str | None) -> None:
            r = TaskResult(config.GROUP, task, status, round(secs, 2), err)
            results.append(r)
            progress.done(r)
            if task == config.PORTFOLIO and status == "ok":
                dirs = [str(paths.period_dir(plan.out, plan.period)), str(paths.period_dir(plan.staging, plan.period))]
                args = (str(gdir), config.GROUP, plan.period, plan.lang, _cover(plan, config.GROUP), dirs)
                dispatch(PRIORITY["group"], config.GROUP, RENDER, render_unit, *args)
                return
            if task == config.PORTFOLIO:
                skipped = TaskResult(config.GROUP, RENDER, "skipped", error=f"after {config.PORTFOLIO} failed")
                results.append(skipped)
                progress.done(skipped)
            from riskbook.stages.unit import failures

            # a roll-up that names failed units is never reused: the next run, with the units fixed, rebuilds it
            names_failures = bool(failed) or bool(failures(paths.period_dir(plan.out, plan.period)))
            failure = None if status == "ok" else _failure(results, config.GROUP)
            publish(plan, config.GROUP, gdir, failure, final=not names_failures)

        start_group()
        pump()
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                unit, task = pending.pop(fut)
                try:
                    status, secs, err = fut.result()
                except Exception as exc:  # the worker was lost, and Dask gave up on the task (KilledWorker)
                    first = (str(exc).splitlines() or [""])[0]
                    status, secs, err = "failed", 0.0, f"{type(exc).__name__}: {first}"
                if unit == config.GROUP:
                    group_done(task, status, secs, err)
                    pump()
                    continue
                r = TaskResult(unit, task, status, round(secs, 2), err)
                results.append(r)
                progress.done(r)
                if status == "ok":
                    done[unit].add(task)
                    if unit not in failed:
                        for nxt in ready(unit):
                            submit(unit, nxt)
                else:
                    failed.setdefault(unit, task)
                start_group()
                pump()
                if busy(unit):
                    continue  # a task of this unit still runs or waits (its sibling stage): publish when it ends
                if unit in failed:
                    for x in (x for x in graph if x not in started[unit]):
                        skipped = TaskResult(unit, x, "skipped", error=f"after {failed[unit]} failed")
                        results.append(skipped)
                        progress.done(skipped)
                publish(plan, unit, unit_dir[unit], _failure(results, unit) if unit in failed else None)
    return results


def _failure(results: list[TaskResult], unit: str) -> dict[str, str]:
    """The first failed task of ``unit`` in this run: its stage and error."""
    r = next(r for r in results if r.unit == unit and r.status == "failed")
    return {"stage": r.stage, "error": r.error or ""}


def _write_failures(plan: RunPlan, failures: dict[str, dict[str, str]]) -> None:
    """The units this run failed so far, for the group's roll-up (it names them beside their last good
    results): ``<staging>/<period>/failed.json``."""
    path = paths.period_dir(plan.staging, plan.period) / "failed.json"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(failures, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass  # a full disk: the group then says only which units have no results


def publish(plan: RunPlan, unit: str, src: Path, failure: dict[str, str] | None, final: bool = True) -> None:
    """Publish a unit's (or the group's) staged folder. A success replaces its published folder, stamped
    with the run's key, and clears an earlier failure; a failure never replaces a good report: its
    notebooks and error.json go to ``<period>/failed/<unit>/``, and the last good report stays published.
    A success that cannot be stamped (a full disk) is published as a failure. A folder that is not ``final``
    (the group naming units whose run failed) is stamped so that no later run reuses it."""
    built = datetime.now(UTC).isoformat(timespec="seconds")
    if failure is None:
        key = plan.keys.get(unit, "") + ("" if final else "+names-failures")
        try:
            paths.run_stamp(src).write_text(json.dumps({"key": key, "built": built}))
            _publish(src, paths.unit_dir(plan.out, plan.period, unit))
            shutil.rmtree(paths.failed_dir(plan.out, plan.period, unit), ignore_errors=True)
            return
        except OSError as exc:
            failure = {"stage": "publish", "error": f"{type(exc).__name__}: {exc.strerror or exc}"}
    last = read_stamp(paths.unit_dir(plan.out, plan.period, unit))
    doc = {"unit": unit, "period": plan.period, "failed": built, **failure, "last_good": last.get("built")}
    try:
        (src / "error.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError:
        pass  # a full disk: the manifest and the index still say why
    try:
        _publish(src, paths.failed_dir(plan.out, plan.period, unit))
    except OSError:
        shutil.rmtree(src, ignore_errors=True)


def _publish(src: Path, dst: Path) -> None:
    """Replace ``dst`` by ``src`` with renames, so a reader never sees a half-written folder."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    old = dst.with_name(f".{dst.name}.old-{os.getpid()}")
    if dst.exists():
        os.rename(dst, old)
    os.rename(src, dst)
    shutil.rmtree(old, ignore_errors=True)


def write_manifest(plan: RunPlan, results: list[TaskResult], started: float, inputs: dict[str, Any]) -> None:
    """manifest.json of the period: params, input hashes, versions, timings, status and errors per task."""
    from importlib.metadata import version

    path = paths.manifest(plan.out, plan.period)
    previous: dict[str, Any] = {}
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            previous = {}
    rerun = {r.unit for r in results if r.status != "unchanged"}
    tasks = [asdict(r) for r in results if r.status != "unchanged"]
    tasks += [x for x in previous.get("tasks", []) if x.get("unit") not in rerun]
    keys = {**previous.get("keys", {}), **plan.keys}
    failed = {u: f for u, f in previous.get("failed", {}).items() if u not in plan.units and u not in rerun}
    for r in results:
        if r.status == "failed" and r.unit not in failed:
            failed[r.unit] = {"stage": r.stage, "error": r.error, "kept_in": f"{config.FAILED}/{r.unit}/"}
    doc = {
        "riskbook": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "period": plan.period,
        "lang": plan.lang,
        "units": sorted({x["unit"] for x in tasks} - {config.GROUP}),
        "params": {"data": plan.data, "config": plan.config_file, "jobs": plan.jobs},
        "inputs": inputs,
        "seconds": round(time.perf_counter() - started, 2),
        "versions": {
            "python": platform.python_version(),
            "pandas": version("pandas"),
            "papermill": version("papermill"),
        },
        "keys": keys,
        "names": {
            **previous.get("names", {}),
            **{u: display_name(plan.settings.get(u, {}), u, plan.lang) for u in plan.units},
        },
        "tasks": tasks,
        "failed": failed,  # units whose latest run failed: the step, the error, where its notebooks are kept
    }
    with paths.replacing(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
