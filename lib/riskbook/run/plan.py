"""A run, fixed before any task starts: the plan it resolved once (riskbook.stages.plan), where it writes,
how it runs, and which published units it can reuse (by the stamp in their folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from riskbook.core import config, paths
from riskbook.core.periods import Period
from riskbook.stages.plan import Plan

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
    """A run: the plan it resolved once (its reports written to the staging folder), and how it runs."""

    plan: Plan  # riskbook.stages.plan: period, units, languages, settings, registers, keys
    jobs: int
    out: Path  # the outputs root, where reports are published
    staging: Path  # this run's own folder inside it, where notebooks write before publishing
    plan_file: Path  # the plan saved for the notebooks (one reference instead of their parameters)
    scheduler: str | None = None  # a Dask distributed scheduler address; None: a local process pool
    reuse: set[str] = field(default_factory=set)  # units whose published outputs are up to date
    cell_timeout: float = 1800.0  # seconds a notebook cell may run (--cell-timeout)

    @property
    def period(self) -> Period:
        return self.plan.period

    @property
    def units(self) -> tuple[str, ...]:
        return self.plan.units

    @property
    def lang(self) -> str:
        return self.plan.lang

    @property
    def keys(self) -> dict[str, str]:
        return self.plan.keys

    def lang_of(self, unit: str) -> str:
        """The report language of ``unit`` (the group's is the run's)."""
        return self.plan.lang_of(unit)


def stage_files(folder: Path, unit: str, period: Period) -> list[Path]:
    """The files a unit's stages write (the stage table's ``writes``), in its folder."""
    return [folder / w.format(unit=unit, period=period) for s in config.STAGE_TABLE for w in s.writes]


def reusable(plan: RunPlan) -> set[str]:
    """Units (and the group) whose published folder was built by a run with the same key and has all its
    outputs. The key is read from the folder's own stamp, written with it, never from the manifest alone: a
    run killed after publishing a unit and before writing the manifest leaves the truth in the folder."""
    out = set()
    for u in [*plan.units, config.GROUP]:
        d = paths.unit_dir(plan.out, plan.period, u)
        files = [paths.report_pdf(d, u, plan.period)] + (stage_files(d, u, plan.period) if u != config.GROUP else [])
        stamp = paths.read_stamp(d)
        if stamp.get("key") and stamp.get("key") == plan.keys.get(u) and all(f.exists() for f in files):
            out.add(u)
    return out
