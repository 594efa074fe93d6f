"""Key risk indicators: a registry of definitions, and their computation and status.

Each KRI is a small function of a :class:`Context` registered with :func:`kri`;
its value is compared with amber/red thresholds (defaults here, overridden in
``params/company.yaml`` and ``params/units/<unit>.yaml`` under ``kri:``).

Thresholds are stated for a quarter and fit to the report's period kind (``SCALES``): a count over the
period scales with its length, a coverage of the next period's quota inversely, a rate or a level not at
all; ``kri: {<id>: {month: {amber: …, red: …}}}`` sets a kind's own. A KRI with ``min_months`` 3 (churn,
attrition, Benford) is measured in a month report over the three months that end with it, since one
month is too short a window for it: a customer who buys every other month is not lost.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.periods import Period
from riskbook.kris.context import Context, NotApplicable

FAMILIES: tuple[str, ...] = ("market", "customer", "operational", "financial", "compliance")
KINDS: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}  # period kinds, as settings name them
# how a quarter's thresholds fit a period of m months
SCALES: dict[str, Callable[[int], float]] = {
    "none": lambda m: 1.0,
    "length": lambda m: m / 3,
    "inverse": lambda m: 3 / m,
}


@dataclass(frozen=True)
class KRI:
    """A KRI definition; percentages are in percent (23.5 means 23.5%)."""

    id: str
    family: str
    unit: str
    direction: str  # "up": higher is worse; "down": lower is worse
    amber: float
    red: float
    reads: dict[str, tuple[str, ...]]  # table -> the columns it reads: a row whose value there is defective
    title_en: str  # is left out of it (see riskbook.checks)
    title_zh: str
    fn: Callable[[Context], float]
    scale: str = "none"  # how the thresholds fit the period's length: none | length (counts) | inverse
    min_months: int = (
        1  # the shortest window it is measured over (a month report measures it over that many months to date)
    )

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def context(self, ctx: Context) -> Context:
        """``ctx`` over the window this KRI is measured on: the report period, or for a KRI with
        ``min_months`` longer than it, the span of that many months that ends with it."""
        if ctx.period.months >= self.min_months:
            return ctx
        return ctx.at(ctx.period.span(self.min_months))


REGISTRY: dict[str, KRI] = {}


def kri(
    id: str,
    family: str,
    unit: str,
    direction: str,
    amber: float,
    red: float,
    reads: dict[str, tuple[str, ...]],
    en: str,
    zh: str,
    scale: str = "none",
    min_months: int = 1,
) -> Callable[[Callable[[Context], float]], Callable[[Context], float]]:
    """Register the decorated function as KRI ``id``; ``reads`` names the columns it depends on,
    ``amber`` and ``red`` are a quarter's thresholds, ``scale`` how they fit other period lengths."""
    assert scale in SCALES, scale

    def deco(fn: Callable[[Context], float]) -> Callable[[Context], float]:
        REGISTRY[id] = KRI(id, family, unit, direction, amber, red, reads, en, zh, fn, scale, min_months)
        return fn

    return deco


def kind_name(kind: str) -> str:
    """'month', 'quarter' or 'year' for a period kind ('M', 'Q', 'Y')."""
    return {v: k for k, v in KINDS.items()}[kind]


def thresholds(k: KRI, params: dict[str, Any], kind: str = "Q") -> dict[str, Any]:
    """Amber/red/direction of ``k`` for periods of ``kind`` ('M', 'Q', 'Y') after company and unit
    overrides: the kind's own (``kri.<id>.<month|quarter|year>``), else the quarter's fitted to the
    period's length."""
    over = (params.get("kri") or {}).get(k.id) or {}
    own = over.get(kind_name(kind)) or {}
    factor = SCALES[k.scale]({"M": 1, "Q": 3, "Y": 12}[kind])
    out = {}
    for level in ("amber", "red"):
        if level in own:
            out[level] = float(own[level])
        else:
            value = float(over.get(level, getattr(k, level)))
            out[level] = value if factor == 1 else float(f"{value * factor:.3g}")
    return out | {"direction": own.get("direction", over.get("direction", k.direction))}


def status_of(value: float | None, th: dict[str, Any]) -> str:
    """'green', 'amber', 'red' or 'n/a' for ``value`` against thresholds ``th``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    worse = (lambda a, b: a >= b) if th["direction"] == "up" else (lambda a, b: a <= b)
    if worse(value, th["red"]):
        return "red"
    if worse(value, th["amber"]):
        return "amber"
    return "green"


def evaluate(k: KRI, ctx: Context) -> tuple[float | None, str | None]:
    """Value of ``k`` at ``ctx.period`` and, when n/a, the reason."""
    try:
        with np.errstate(all="ignore"):  # 0/0 and overflow become NaN or inf: reported as undefined below
            v = float(k.fn(k.context(ctx)))
    except NotApplicable as exc:
        return None, str(exc)
    if math.isnan(v) or math.isinf(v):
        return None, "undefined (division by zero)"
    return round(v, 6), None


def compute(ctx: Context, ids: list[str] | None = None, known: dict[str, float | None] | None = None) -> pd.DataFrame:
    """Every KRI at the report period, with its previous value, thresholds and status; all ``n/a`` when
    the unit has no order lines in the period (nothing is computed against zero). ``known`` gives values
    at the period already evaluated (the next period's ``previous`` column): they are not evaluated again."""
    prev_ctx = ctx.at(ctx.period.previous)
    empty = ctx.no_data
    rows = []
    for k in (REGISTRY[i] for i in (ids or REGISTRY)):
        th = thresholds(k, ctx.params, ctx.period.kind)
        if empty:
            value, reason = None, f"no data for {ctx.period}: the unit has no order lines in the period"
        elif known is not None and k.id in known:
            value, reason = known[k.id], None if known[k.id] is not None else "not available"
        else:
            value, reason = evaluate(k, ctx)
        prev, _ = evaluate(k, prev_ctx)
        window = k.context(ctx).period
        if reason is None and value is not None and window != ctx.period:
            reason = f"measured over the {window.months} months to {ctx.period.end.date()}"
        status = status_of(value, th)
        if k.id == "win_rate" and status == "green" and value is not None and prev is not None and prev - value >= 10:
            status, reason = "amber", "dropped 10 points or more since the previous period"
        rows.append(
            {
                "id": k.id,
                "family": k.family,
                "title": k.title_en,
                "title_zh": k.title_zh,
                "value": value,
                "unit": k.unit,
                "status": status,
                "previous": prev,
                "previous_status": status_of(prev, th),
                "amber": th["amber"],
                "red": th["red"],
                "direction": th["direction"],
                "reason": reason,
            }
        )
    return pd.DataFrame(rows)


def values_of(frame: pd.DataFrame, col: str = "value") -> dict[str, float | None]:
    """KRI id → the value in ``col`` of a :func:`compute` frame (None where n/a)."""
    return {i: None if pd.isna(v) else float(v) for i, v in zip(frame["id"], frame[col])}


def history(
    ctx: Context,
    periods: list[Period],
    ids: list[str] | None = None,
    known: pd.DataFrame | None = None,
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Long table (period, id, value, status) of KRIs over ``periods``. ``known``, the :func:`compute`
    frame of ``ctx``'s period, gives that period's values and the previous period's, and ``before``, the
    previous period's frame, the one before that: none of them is evaluated again."""
    given: dict[str, dict[str, float | None]] = {}
    for frame, period in ((known, ctx.period), (before, ctx.period.previous)):
        if frame is not None:
            for p, col in ((period, "value"), (period.previous, "previous")):
                given.setdefault(str(p), values_of(frame, col))
    rows = []
    for p in periods:
        values, c = given.get(str(p), {}), None
        for k in (REGISTRY[i] for i in (ids or REGISTRY)):
            if k.id in values:
                value = values[k.id]
            else:
                c = ctx.at(p) if c is None else c
                value, _ = evaluate(k, c)
            rows.append(
                {
                    "period": str(p),
                    "id": k.id,
                    "value": value,
                    "status": status_of(value, thresholds(k, ctx.params, p.kind)),
                }
            )
    return pd.DataFrame(rows)


def touched(table: str, column: str | None) -> list[str]:
    """The KRIs a defect in ``table``.``column`` can move (``column`` None: the whole row)."""
    return [
        k.id
        for k in REGISTRY.values()
        if table in k.reads and (column is None or not k.reads[table] or column in k.reads[table])
    ]


from riskbook.kris import compliance, customer, financial, market, operational  # noqa: E402,F401  (registers)

__all__ = [
    "KRI",
    "REGISTRY",
    "Context",
    "NotApplicable",
    "compute",
    "history",
    "status_of",
    "thresholds",
    "FAMILIES",
    "KINDS",
    "kind_name",
    "touched",
]
