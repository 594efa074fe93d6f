"""Key risk indicators: a registry of definitions, and their computation and status.

Each KRI is a small function of a :class:`Context` registered with :func:`kri`;
its value is compared with amber/red thresholds (defaults here, overridden in
``params/company.yaml`` and ``params/units/<unit>.yaml`` under ``kri:``).

Thresholds are stated for a quarter and fit to the report's period kind (``SCALES``): a count over the
period scales with its length, a coverage of the next period's quota inversely, a rate or a level not at
all; ``kri: {<id>: {month: {amber: …, red: …}}}`` sets a kind's own. A KRI with ``min_months`` 3 (churn,
attrition, Benford) is measured in a month report over the three months that end with it, since one
month is too short a window for it: a customer who buys every other month is not lost.

Each KRI declares where it applies (``applies``: checks that raise :class:`NotApplicable` with a reason a
manager understands), the population it measures, and its rule (``rule``): ``threshold`` — the thresholds
alone; ``both`` — a breach needs the threshold *and* a value unusual for the unit's own history (its
baseline: the periods before, :func:`baseline_periods`), for KRIs whose healthy level depends on the
business model; ``baseline`` — the unit's own history alone. ``kri: {<id>: {rule: …}}`` changes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.periods import TRAILING, Period
from riskbook.kris.context import Context, NotApplicable

FAMILIES: tuple[str, ...] = ("market", "customer", "operational", "financial", "compliance")
KINDS: dict[str, str] = {"month": "M", "quarter": "Q", "year": "Y"}  # period kinds, as settings name them
# how a quarter's thresholds fit a period of m months
SCALES: dict[str, Callable[[int], float]] = {
    "none": lambda m: 1.0,
    "length": lambda m: m / 3,
    "inverse": lambda m: 3 / m,
}
RULES: tuple[str, ...] = ("threshold", "both", "baseline")
UNUSUAL = 3.0  # a value is unusual for the unit beyond this many spreads from its baseline's median
MIN_BASELINE = 4  # earlier periods a baseline needs; with fewer, the thresholds alone judge
Measure = Callable[[Context], "float | tuple[float, str]"]  # a value, or a value and a note on it
Check = Callable[[Context], None]  # raises NotApplicable with the reason when the KRI does not apply


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
    title_en: str  # is left out of it (see riskbook.ingest.checks)
    title_zh: str
    fn: Measure
    scale: str = "none"  # how the thresholds fit the period's length: none | length (counts) | inverse
    min_months: int = (
        1  # the shortest window it is measured over (a month report measures it over that many months to date)
    )
    applies: tuple[Check, ...] = ()  # where it applies: each check raises NotApplicable with the reason
    rule: str = "threshold"  # threshold | both (threshold and unusual for the unit) | baseline
    population: str = ""  # what it is measured over, when not plain (e.g. recurring customers)

    def applicability(self) -> list[str]:
        """Where it applies, in words: the first line of each check's docstring."""
        return [(c.__doc__ or c.__name__).strip().splitlines()[0] for c in self.applies]

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
    *,
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
    applies: tuple[Check, ...] = (),
    rule: str = "threshold",
    population: str = "",
) -> Callable[[Measure], Measure]:
    """Register the decorated function as KRI ``id`` (every other argument by name); ``reads`` names the
    columns it depends on,
    ``amber`` and ``red`` are a quarter's thresholds, ``scale`` how they fit other period lengths,
    ``applies`` where it applies, ``rule`` how a breach is judged, ``population`` what it counts."""
    assert scale in SCALES, scale
    assert rule in RULES, rule

    def deco(fn: Measure) -> Measure:
        REGISTRY[id] = KRI(
            id, family, unit, direction, amber, red, reads, en, zh, fn, scale, min_months, applies, rule, population
        )
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
    return out | {
        "direction": own.get("direction", over.get("direction", k.direction)),
        "rule": own.get("rule", over.get("rule", k.rule)),
    }


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


def printed_status(value: float | None, amber: Any, red: Any, direction: str, status: str) -> str | None:
    """What the printed thresholds alone give ``value`` when that differs from the ``status`` the KRI has
    (the unit's own rule decided it: its usual range, its recurring customers); None when they agree or a
    threshold or the status is missing."""
    if status == "n/a" or amber is None or red is None or pd.isna(amber) or pd.isna(red):
        return None
    plain = status_of(value, {"amber": amber, "red": red, "direction": direction})
    return plain if plain != status else None


def evaluate(k: KRI, ctx: Context) -> tuple[float | None, str | None]:
    """Value of ``k`` at ``ctx.period`` and a note: when n/a, the reason; else what the value is over,
    where the KRI says (None otherwise)."""
    try:
        c = k.context(ctx)
        for check in k.applies:
            check(c)
        with np.errstate(all="ignore"):  # 0/0 and overflow become NaN or inf: reported as undefined below
            out = k.fn(c)
    except NotApplicable as exc:
        return None, str(exc)
    v, note = (float(out[0]), out[1]) if isinstance(out, tuple) else (float(out), None)
    if math.isnan(v) or math.isinf(v):
        return None, "undefined (division by zero)"
    return round(v, 6), note


def _settings_key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


def value_at(k: KRI, ctx: Context) -> tuple[float | None, str | None]:
    """:func:`evaluate`, once per KRI and period for a context and every ``at()`` of it (and its settings:
    a context given other settings evaluates again)."""
    key = (k.id, f"{ctx.period.kind}{ctx.period}", _settings_key(ctx.settings))
    if key not in ctx.memo:
        ctx.memo[key] = evaluate(k, ctx)
    return ctx.memo[key]


def baseline_periods(p: Period) -> list[Period]:
    """The periods before ``p`` whose values are a unit's usual range at ``p``: the trend's earlier periods
    (7 quarters, 11 months); for a year, the rolling years ending at each of the 7 quarter ends before."""
    if p.kind == "Y":
        return [Period(p.end_exclusive - pd.DateOffset(months=12 + 3 * i), "Y") for i in range(1, 8)]
    return [p.shift(-i) for i in range(1, TRAILING[p.kind])]


def baseline(k: KRI, ctx: Context) -> list[float]:
    """``k``'s values at the baseline periods of ``ctx.period`` that lie in the data (n/a ones left out)."""
    values = (value_at(k, ctx.at(p))[0] for p in ctx.in_data(baseline_periods(ctx.period)))
    return [v for v in values if v is not None]


def usual_range(values: list[float], th: dict[str, Any]) -> tuple[float, float] | None:
    """The unit's usual range from its baseline ``values``: the median ± UNUSUAL spreads, the spread being
    the robust σ (1.4826 × MAD) and at least half the gap between amber and red (a move smaller than that
    means nothing). None with fewer than MIN_BASELINE values."""
    if len(values) < MIN_BASELINE:
        return None
    v = np.asarray(values, dtype=float)
    med = float(np.median(v))
    spread = max(1.4826 * float(np.median(np.abs(v - med))), abs(float(th["red"]) - float(th["amber"])) / 2)
    return med - UNUSUAL * spread, med + UNUSUAL * spread


def judge(k: KRI, ctx: Context, value: float | None, th: dict[str, Any]) -> tuple[str, str | None]:
    """Status of ``value`` at ``ctx.period`` under ``k``'s rule, and a note on what decided it when the
    thresholds alone did not (a threshold breach usual for the unit is not a breach)."""
    status, note = status_of(value, th), None
    if k.id == "win_rate" and status == "green" and value is not None:
        prev, _ = value_at(k, ctx.at(ctx.period.previous))
        if prev is not None and prev - value >= 10:  # kri-reference: and a drop of 10 points vs previous
            status, note = "amber", "dropped 10 points or more since the previous period"
    rule = th.get("rule", k.rule)
    if value is None or rule == "threshold" or (rule == "both" and status == "green"):
        return status, note
    usual = usual_range(baseline(k, ctx), th)
    if usual is None:
        return _by_quarters(k, ctx, status) if ctx.period.kind == "Y" and rule == "both" else (status, note)
    lo, hi = usual
    worse = value > hi if th["direction"] == "up" else value < lo
    shown = _possible(k, lo, hi)
    over = f"the {len(baseline_periods(ctx.period))} {_kinds(ctx.period)} before ({_num(shown[0])} to {_num(shown[1])})"
    if rule == "both":
        return (status, note) if worse else ("green", f"usual for this unit: within its range over {over}")
    return ("red", f"outside this unit's usual range over {over}") if worse else ("green", None)


def _by_quarters(k: KRI, ctx: Context, status: str) -> tuple[str, str | None]:
    """A year without the history for its own baseline breaches no more than its worst quarter does, each
    quarter judged against its own baseline: a year raises no red that none of its quarters would."""
    worst = "green"
    for q in (Period(ctx.period.start + pd.DateOffset(months=3 * i), "Q") for i in range(4)):
        value, _ = value_at(k, ctx.at(q))
        if value is None:
            return status, None  # a quarter cannot be judged: the thresholds alone
        q_status, _ = judge(k, ctx.at(q), value, thresholds(k, ctx.settings, "Q"))
        worst = max(worst, q_status, key=["green", "amber", "red"].index)
    if ["green", "amber", "red"].index(worst) >= ["green", "amber", "red"].index(status):
        return status, None
    return worst, f"usual for this unit: no quarter of the year was {status} against its own baseline"


GROWTH: tuple[str, ...] = ("revenue_growth", "revenue_yoy", "net_revenue_retention")  # may pass 100 %


def _possible(k: KRI, lo: float, hi: float) -> tuple[float, float]:
    """A usual range as a reader sees it: within the values the KRI can take (no share below 0 or above
    100 %, no fall below −100 %)."""
    floor = -100.0 if k.id in ("revenue_growth", "revenue_yoy") else 0.0
    ceiling = 100.0 if k.unit == "%" and k.id not in GROWTH else math.inf
    return max(lo, floor), min(hi, ceiling)


def _kinds(p: Period) -> str:
    return {"Q": "quarters", "M": "months", "Y": "rolling years"}[p.kind]


def _num(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.0f}"


def compute(ctx: Context, ids: list[str] | None = None, known: dict[str, float | None] | None = None) -> pd.DataFrame:
    """Every KRI at the report period, with its previous value, thresholds and status (under the KRI's
    rule); all ``n/a`` when the unit has no order lines in the period (nothing is computed against zero).
    ``known`` gives values at the period already evaluated: they are not evaluated again."""
    prev_ctx = ctx.at(ctx.period.previous)
    empty = ctx.no_data
    vector.prefill(ctx, vector.report_periods(ctx.period))
    rows = []
    for k in (REGISTRY[i] for i in (ids or REGISTRY)):
        th = thresholds(k, ctx.settings, ctx.period.kind)
        if empty:
            value, reason = None, f"no data for {ctx.period}: the unit has no order lines in the period"
        elif known is not None and k.id in known and known[k.id] is None:
            value, reason = None, "not available"
        else:
            if known is not None and k.id in known:
                key = (k.id, f"{ctx.period.kind}{ctx.period}", _settings_key(ctx.settings))
                ctx.memo.setdefault(key, (known[k.id], None))
            value, reason = value_at(k, ctx)
        prev, _ = value_at(k, prev_ctx)
        window = k.context(ctx).period
        if value is not None and window != ctx.period:
            measured = f"measured over the {window.months} months to {ctx.period.end.date()}"
            reason = f"{measured}; {reason}" if reason else measured
        status, why = judge(k, ctx, value, th)
        previous_status, _ = judge(k, prev_ctx, prev, th)
        if why:
            reason = f"{reason}; {why}" if reason else why
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
                "previous_status": previous_status,
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
    previous period's frame, the one before that: none of them is evaluated again. Each status is judged
    under the KRI's rule, as :func:`compute` judges the report period's."""
    given: dict[str, dict[str, float | None]] = {}
    for frame, period in ((known, ctx.period), (before, ctx.period.previous)):
        if frame is not None:
            for p, col in ((period, "value"), (period.previous, "previous")):
                given.setdefault(str(p), values_of(frame, col))
    vector.prefill(ctx, vector.report_periods(ctx.period))
    rows = []
    for p in periods:
        values, c = given.get(str(p), {}), None
        for k in (REGISTRY[i] for i in (ids or REGISTRY)):
            if k.id in values:
                value = values[k.id]
            else:
                c = ctx.at(p) if c is None else c
                value, _ = value_at(k, c)
            rows.append(
                {
                    "period": str(p),
                    "id": k.id,
                    "value": value,
                    "status": judge(k, ctx.at(p), value, thresholds(k, ctx.settings, p.kind))[0],
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


from riskbook.kris import compliance, customer, financial, market, operational, vector  # noqa: E402,F401  (registers)

__all__ = [
    "KRI",
    "REGISTRY",
    "Context",
    "NotApplicable",
    "baseline_periods",
    "compute",
    "evaluate",
    "judge",
    "history",
    "status_of",
    "thresholds",
    "FAMILIES",
    "KINDS",
    "kind_name",
    "touched",
]
