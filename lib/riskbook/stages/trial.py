"""Thresholds an analyst tries in a notebook (its ``thresholds`` parameter): checked as a unit file's ``kri:``
section is, laid over the unit's own for that notebook only, said at the top of every page it shapes, and
written to the unit's ``trial/`` folder, so a trial never passes for the unit's settings nor replaces its
published report."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from riskbook.stages.plan import Plan

TRIAL = "trial_thresholds"  # the settings key that carries a trial to the pages (and changes the unit's key)
FOLDER = "trial"  # where a trial's stage results, results.json and workbook go: <unit>/trial/, not over the report


def apply(plan: Plan, unit: str, thresholds: dict[str, Any] | None) -> Plan:
    """``plan`` with ``thresholds`` ({kri id: {amber, red[, direction]}}) over ``unit``'s own; its key changes
    too, so no stage result saved under other thresholds is read. ParamError listing every bad entry."""
    if not thresholds:
        return plan
    from riskbook.kris import KINDS
    from riskbook.settings.validate import Problems, _thresholds

    p = Problems(Path("the notebook's thresholds parameter"))
    _thresholds(p, thresholds, "thresholds")
    p.raise_any()
    settings = dict(plan.settings[unit])
    kri = {k: dict(v or {}) for k, v in (settings.get("kri") or {}).items()}
    for kid, th in thresholds.items():  # the trial wins over a period kind's own thresholds too
        kri[kid] = {k: v for k, v in kri.get(kid, {}).items() if k not in KINDS} | dict(th)
    settings |= {"kri": kri, TRIAL: thresholds}
    said = json.dumps(thresholds, sort_keys=True, default=str)
    key = hashlib.sha256(f"{plan.keys[unit]}|{said}".encode()).hexdigest()
    return dataclasses.replace(plan, settings={**plan.settings, unit: settings}, keys={**plan.keys, unit: key})


def said(settings: dict[str, Any]) -> str:
    """The trial as a page says it: "dso amber 40 / red 55; …" ("" when there is none)."""
    trial = settings.get(TRIAL) or {}
    return "; ".join(
        f"{kid} " + " / ".join(f"{level} {th[level]:g}" for level in ("amber", "red") if level in th)
        for kid, th in trial.items()
    )
