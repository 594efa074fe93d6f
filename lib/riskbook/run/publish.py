"""Publishing a unit's staged folder: a success replaces the published folder, stamped with its run's key;
a failure goes to failed/<unit>/ and never replaces a good report; and the period's manifest.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riskbook import __version__
from riskbook.core import config, paths
from riskbook.run.plan import RunPlan, TaskResult
from riskbook.settings.params import display_name


def failure_of(results: list[TaskResult], unit: str) -> dict[str, str]:
    """The first failed task of ``unit`` in this run: its stage and error."""
    r = next(r for r in results if r.unit == unit and r.status == "failed")
    return {"stage": r.stage, "error": r.error or ""}


def write_failures(plan: RunPlan, failures: dict[str, dict[str, str]]) -> None:
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
    last = paths.read_stamp(paths.unit_dir(plan.out, plan.period, unit))
    doc = {"unit": unit, "period": str(plan.period), "failed": built, **failure, "last_good": last.get("built")}
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
        "period": str(plan.period),
        "lang": plan.lang,
        "units": sorted({x["unit"] for x in tasks} - {config.GROUP}),
        "params": {"data": plan.plan.data, "config": plan.plan.config_file, "jobs": plan.jobs},
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
            **{u: display_name(plan.plan.settings.get(u, {}), u, plan.lang) for u in plan.units},
        },
        "tasks": tasks,
        "failed": failed,  # units whose latest run failed: the step, the error, where its notebooks are kept
    }
    with paths.replacing(path) as tmp:
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
