"""Schedule the pack: papermill over (unit × stage) in a process pool (or a Dask cluster), then render and
publish each unit as its last task ends.

Each unit's stages run in order (each reads the one before); units run in parallel. A failing unit stops
only itself: its failed notebooks go to failed/<unit>/, the others go on, and the run ends with a table of
failures. The plan (riskbook.run.plan), the tasks (run.tasks), the progress (run.progress) and publishing
(run.publish) live beside this module.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from riskbook.core import config, paths
from riskbook.core.errors import ParamError
from riskbook.run.plan import RENDER, RunPlan, TaskResult
from riskbook.run.pool import kill, prewarm_all, workers
from riskbook.run.progress import Progress
from riskbook.run.publish import failure_of, publish, write_failures
from riskbook.run.tasks import cover_of, execute, kernel_env, notebook_params, render_unit


@contextmanager
def executor(plan: RunPlan, started: ProcessPoolExecutor | None = None) -> Iterator[Any]:
    """A concurrent.futures executor: a local process pool (``started`` by riskbook.run.pool while the run
    was planned, else one started here), or a Dask cluster's workers (--scheduler)."""
    if not plan.scheduler:
        pool = started or workers(plan.jobs)
        try:
            yield pool
        except BaseException:  # interrupted (Ctrl-C, SIGTERM) or failed: stop every worker and kernel now
            kill(pool)
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
    deps = {s.notebook: tuple(config.notebook_of(r) for r in s.reads) for s in config.STAGE_TABLE}
    return {**deps, RENDER: tuple(config.STAGES)}


PRIORITY = {"group": 0, "stage": 1, "render": 2}  # which waiting task a free worker takes first


def run_plan(plan: RunPlan, started: ProcessPoolExecutor | None = None) -> list[TaskResult]:
    """Execute every task of ``plan`` and publish the results; return each task's result. ``started``: the
    local pool, its kernels already booting (riskbook.run.pool.early), which this run then owns."""
    kernel_env()
    graph = depends()
    build = [u for u in plan.units if u not in plan.reuse]
    with Progress(len(plan.units) * len(graph) + 2) as progress, executor(plan, started) as pool:
        if build and not plan.scheduler and started is None:  # every worker's kernel boots before the first notebook
            prewarm_all(pool, plan.jobs)
        return Schedule(plan, pool, progress, graph, build).run()


class Schedule:
    """The tasks of one run as they wait, run and end: a unit's next stages once those they read are done,
    the group's roll-up once every rebuilt unit has its summary (or failed), each unit published when its
    last task ends. Tasks wait in a queue, the most urgent first, and go to the pool as workers free up (one
    each), so the group's roll-up passes the renders queued before it; a Dask cluster takes them all at once."""

    def __init__(
        self, plan: RunPlan, pool: Any, progress: Progress, graph: dict[str, tuple[str, ...]], build: list[str]
    ):
        self.plan, self.pool, self.progress, self.graph, self.build = plan, pool, progress, graph, build
        self.results: list[TaskResult] = []
        self.unit_dir = {u: paths.unit_dir(plan.staging, plan.period, u) for u in build}
        for d in self.unit_dir.values():
            d.mkdir(parents=True, exist_ok=True)
        self.pending: dict[Future, tuple[str, str]] = {}
        self.done: dict[str, set[str]] = {u: set() for u in build}
        self.started: dict[str, set[str]] = {u: set() for u in build}
        self.failed: dict[str, str] = {}  # unit → the task that failed first
        self.queued: list[tuple[int, int, str, str, Any, tuple]] = []
        self.limit = None if plan.scheduler else plan.jobs
        self.order = itertools.count()
        self.gdir = paths.unit_dir(plan.staging, plan.period, config.GROUP)
        self.group_started = False

    def record(self, r: TaskResult, n: int = 1) -> None:
        self.results.append(r)
        self.progress.done(r, n)

    def dispatch(self, priority: int, unit: str, task: str, fn: Any, *args: Any) -> None:
        heapq.heappush(self.queued, (priority, next(self.order), unit, task, fn, args))

    def pump(self) -> None:
        while self.queued and (self.limit is None or len(self.pending) < self.limit):
            _, _, unit, task, fn, args = heapq.heappop(self.queued)
            self.pending[self.pool.submit(fn, *args)] = (unit, task)
            self.progress.start(unit, task)

    def busy(self, unit: str) -> bool:
        return any(u == unit for u, _ in self.pending.values()) or any(q[2] == unit for q in self.queued)

    def ready(self, unit: str) -> list[str]:
        return [x for x in self.graph if x not in self.started[unit] and set(self.graph[x]) <= self.done[unit]]

    def submit(self, unit: str, task: str) -> None:
        plan, d = self.plan, self.unit_dir[unit]
        self.started[unit].add(task)
        if task == RENDER:
            args = (str(d), unit, str(plan.period), plan.lang_of(unit), cover_of(plan, unit))
            self.dispatch(PRIORITY["render"], unit, task, render_unit, *args)
        else:
            nb = (str(paths.source_notebook(task)), str(paths.notebook(d, task)), notebook_params(plan, unit))
            self.dispatch(PRIORITY["stage"], unit, task, execute, *nb, plan.cell_timeout, plan.lang_of(unit))

    def start_group(self) -> None:
        """The roll-up reads every unit's results.json: it starts once each rebuilt unit has its summary (or
        has failed), while the last units' PDFs still render."""
        if self.group_started or any(
            u not in self.failed and config.RESULTS_STAGE not in self.done[u] for u in self.build
        ):
            return
        self.group_started = True
        self.gdir.mkdir(parents=True, exist_ok=True)
        write_failures(self.plan, {u: failure_of(self.results, u) for u in self.failed})
        nb = (str(paths.source_notebook(config.PORTFOLIO)), str(paths.notebook(self.gdir, config.PORTFOLIO)))
        args = (*nb, notebook_params(self.plan, None), self.plan.cell_timeout, self.plan.lang)
        self.dispatch(PRIORITY["group"], config.GROUP, config.PORTFOLIO, execute, *args)

    def group_done(self, task: str, status: str, secs: float, err: str | None) -> None:
        from riskbook.stages.unit import failures

        plan = self.plan
        self.record(TaskResult(config.GROUP, task, status, round(secs, 2), err))
        if task == config.PORTFOLIO and status == "ok":
            dirs = [str(paths.period_dir(plan.out, plan.period)), str(paths.period_dir(plan.staging, plan.period))]
            args = (str(self.gdir), config.GROUP, str(plan.period), plan.lang, cover_of(plan, config.GROUP), dirs)
            self.dispatch(PRIORITY["group"], config.GROUP, RENDER, render_unit, *args)
            return
        if task == config.PORTFOLIO:
            self.record(TaskResult(config.GROUP, RENDER, "skipped", error=f"after {config.PORTFOLIO} failed"))
        # a roll-up that names failed units is never reused: the next run, with the units fixed, rebuilds it
        names_failures = bool(self.failed) or bool(failures(paths.period_dir(plan.out, plan.period)))
        failure = None if status == "ok" else failure_of(self.results, config.GROUP)
        publish(plan, config.GROUP, self.gdir, failure, final=not names_failures)

    def unit_done(self, unit: str, task: str, status: str, secs: float, err: str | None) -> None:
        self.record(TaskResult(unit, task, status, round(secs, 2), err))
        if status == "ok":
            self.done[unit].add(task)
            if unit not in self.failed:
                for nxt in self.ready(unit):
                    self.submit(unit, nxt)
        else:
            self.failed.setdefault(unit, task)
        self.start_group()
        self.pump()
        if self.busy(unit):
            return  # a task of this unit still runs or waits (its sibling stage): publish when it ends
        if unit in self.failed:
            for x in (x for x in self.graph if x not in self.started[unit]):
                self.record(TaskResult(unit, x, "skipped", error=f"after {self.failed[unit]} failed"))
        failure = failure_of(self.results, unit) if unit in self.failed else None
        publish(self.plan, unit, self.unit_dir[unit], failure)

    def run(self) -> list[TaskResult]:
        plan = self.plan
        for u in sorted(plan.reuse - {config.GROUP}):
            self.record(TaskResult(u, "all", "unchanged", 0.0, None), len(self.graph))
        for u in self.build:
            for task in self.ready(u):
                self.submit(u, task)
        if not self.build and config.GROUP in plan.reuse:  # no unit rebuilt: the published roll-up is current
            self.record(TaskResult(config.GROUP, "all", "unchanged", 0.0, None), 2)
            self.group_started = True
        self.start_group()
        self.pump()
        while self.pending:
            finished, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
            for fut in finished:
                unit, task = self.pending.pop(fut)
                try:
                    status, secs, err = fut.result()
                except Exception as exc:  # the worker was lost, and Dask gave up on the task (KilledWorker)
                    first = (str(exc).splitlines() or [""])[0]
                    status, secs, err = "failed", 0.0, f"{type(exc).__name__}: {first}"
                if unit == config.GROUP:
                    self.group_done(task, status, secs, err)
                    self.pump()
                else:
                    self.unit_done(unit, task, status, secs, err)
        return self.results
