"""The KRIs that are sums over rows, at every period a report needs, in one pass over the unit's rows.

A report judges each KRI at its period, the previous one, the trend's periods and the baseline of each:
sixteen quarters or twenty-four months. Each row is given its month once (:class:`Months`); a period's sum is
then the sum of its months. The per-period functions (riskbook.kris.market, …) stay the reference: a period
these forms do not cover the usual way (partial, before the data, with nothing to divide by) is left to
them, so its value and its reason are theirs; tests/kris/test_vector.py holds the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from riskbook.core.periods import TRAILING, Period
from riskbook.core.schema import TABLES
from riskbook.kris.context import Context, NotApplicable

Values = dict[str, float]  # str(period) → value, for the periods a form covers
Form = Callable[[Context, "Months", list[Period]], dict[str, Values]]  # KRI id → its values
FORMS: dict[str, Form] = {}  # KRI id → the form that gives it (one form may give several KRIs)


def form(*ids: str) -> Callable[[Form], Form]:
    """Register the decorated function as the form of the KRIs ``ids``."""

    def deco(fn: Form) -> Form:
        FORMS.update(dict.fromkeys(ids, fn))
        return fn

    return deco


def _mask(s: pd.Series) -> np.ndarray:
    """A boolean Series as a numpy mask (a missing value is False)."""
    return np.asarray(s.fillna(False), dtype=bool)


class Months:
    """Month bins from the earliest to the latest month of the periods asked, and each row's bin."""

    def __init__(self, periods: list[Period]) -> None:
        lo = min(p.start for p in periods)
        hi = max(p.end_exclusive for p in periods)
        self.edges = pd.date_range(lo, hi, freq="MS").to_numpy()
        self.n = len(self.edges) - 1

    def of(self, dates: pd.Series) -> np.ndarray:
        """Each date's month bin; -1 outside the bins or without a date."""
        d = dates.to_numpy()
        b = np.searchsorted(self.edges.astype(d.dtype), d, side="right") - 1
        b[(b >= self.n) | np.isnat(d)] = -1
        return b

    def sums(self, bins: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per month bin: the count of rows, or the sum of ``weights`` (a blank weight adds nothing)."""
        keep = bins >= 0
        if weights is None:
            return np.bincount(bins[keep], minlength=self.n).astype(float)
        w = np.asarray(weights, dtype=float)[keep]
        return np.bincount(bins[keep], weights=np.where(np.isnan(w), 0.0, w), minlength=self.n)

    def span(self, p: Period) -> slice:
        """The bins of period ``p``."""
        e = self.edges
        return slice(int(np.searchsorted(e, p.start.to_datetime64())), int(np.searchsorted(e, p.end_exclusive)))

    def total(self, per_month: np.ndarray, p: Period) -> np.float64:
        """The sum of ``per_month`` over period ``p`` (a numpy number: dividing by zero gives inf or nan)."""
        return per_month[self.span(p)].sum()


def _covered(ctx: Context, periods: list[Period]) -> list[Period]:
    """The periods the data covers whole (a partial one is left to the per-period functions)."""
    return [p for p in periods if not ctx.at(p).partial]


@form("revenue_growth", "revenue_yoy")
def _growth(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    c = ctx.completed
    rev = m.sums(m.of(c["order_date"]), c["amount"].to_numpy(dtype=float, na_value=np.nan))
    out: dict[str, Values] = {"revenue_growth": {}, "revenue_yoy": {}}
    for p in _covered(ctx, periods):
        for kid, base_p in (("revenue_growth", p.previous), ("revenue_yoy", p.year_ago)):
            try:
                ctx.check_in_data(base_p, "")
            except NotApplicable:
                continue
            base = m.total(rev, base_p)
            if base > 0:
                out[kid][str(p)] = (m.total(rev, p) / base - 1) * 100
    return out


@form("customer_concentration_top10", "customer_hhi")
def _concentration(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    c = ctx.completed
    code, _ = pd.factorize(c["customer_id"])
    b = m.of(c["order_date"])
    keep = (b >= 0) & (code >= 0)
    amount = c["amount"].to_numpy(dtype=float, na_value=np.nan)[keep]
    b, code, amount = b[keep], code[keep], np.where(np.isnan(amount), 0.0, amount)
    order = np.argsort(b, kind="stable")
    b, code, amount = b[order], code[order], amount[order]
    out: dict[str, Values] = {"customer_concentration_top10": {}, "customer_hhi": {}}
    for p in periods:
        s = m.span(p)
        lo, hi = np.searchsorted(b, s.start), np.searchsorted(b, s.stop)
        present = np.unique(code[lo:hi])
        rev = np.bincount(code[lo:hi], weights=amount[lo:hi], minlength=code.max(initial=0) + 1)[present]
        rev = rev[rev > 0]
        if not len(rev):
            continue
        total = rev.sum()
        top = np.sort(rev)[::-1][:10].sum()
        out["customer_concentration_top10"][str(p)] = top / total * 100
        out["customer_hhi"][str(p)] = float(((rev / total * 100) ** 2).sum())
    return out


@form("win_rate", "competitive_loss_share")
def _opportunities(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    opp = ctx.table("opportunities", "close_date")
    b = m.of(opp["close_date"])
    won, lost = _mask(opp["status"].eq("won")), _mask(opp["status"].eq("lost"))
    n_won, n_lost = m.sums(b, won), m.sums(b, lost)
    named = m.sums(b, lost & _mask(opp["competitor"].notna())) if "competitor" in opp.columns else None
    out: dict[str, Values] = {"win_rate": {}, "competitive_loss_share": {}}
    for p in periods:
        w, lo = m.total(n_won, p), m.total(n_lost, p)
        if w + lo:
            out["win_rate"][str(p)] = w / (w + lo) * 100
        if lo and named is not None:
            out["competitive_loss_share"][str(p)] = m.total(named, p) / lo * 100
    return out


@form("discount_depth", "discount_policy_violations")
def _discounts(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    from riskbook.kris.compliance import APPROVAL_LIMIT

    o = ctx.table("orders", "list_price", "unit_price")
    c = ctx.completed
    lp, up = (c[col].to_numpy(dtype=float, na_value=np.nan) for col in ("list_price", "unit_price"))
    ok = ~np.isnan(lp) & ~np.isnan(up) & (lp > 0)
    qty = c["quantity"].to_numpy(dtype=float, na_value=np.nan) if "quantity" in o.columns else np.ones(len(c))
    qty = np.where(np.isnan(qty), 1.0, qty)
    b = np.where(ok, m.of(c["order_date"]), -1)
    n, gross, off = m.sums(b), m.sums(b, lp * qty), m.sums(b, (lp - up) * qty)
    out: dict[str, Values] = {"discount_depth": {}, "discount_policy_violations": {}}
    with np.errstate(all="ignore"):
        discount = 1 - up / lp
    bad = None
    if "discount_approved" in c.columns:
        limit = float((ctx.settings.get("policy") or {}).get("discount_approval_limit", APPROVAL_LIMIT)) / 100
        approved = np.asarray(c["discount_approved"].fillna(False).astype(bool), dtype=bool)
        given = m.sums(np.where(discount > 1e-9, b, -1))
        bad = m.sums(np.where((discount > 1e-9) & (discount > limit + 1e-9) & ~approved, b, -1))
    for p in periods:
        if m.total(n, p):
            out["discount_depth"][str(p)] = m.total(off, p) / m.total(gross, p) * 100
        if bad is not None and m.total(given, p):
            out["discount_policy_violations"][str(p)] = m.total(bad, p) / m.total(given, p) * 100
    return out


@form("cancellation_rate")
def _cancellations(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    o = ctx.table("orders", "status")
    b = m.of(o["order_date"])
    amount = o["amount"].to_numpy(dtype=float, na_value=np.nan)
    done = m.sums(np.where(_mask(o["status"].isna() | o["status"].eq("completed")), b, -1), amount)
    back = m.sums(np.where(_mask(o["status"].isin(["cancelled", "returned"])), b, -1), np.abs(amount))
    out: Values = {}
    for p in periods:
        d = m.total(done, p)
        if d > 0:
            out[str(p)] = m.total(back, p) / d * 100
    return {"cancellation_rate": out}


@form("dispute_rate")
def _disputes(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    inv = ctx.table("invoices", "disputed").drop_duplicates("invoice_id")
    inv = inv[inv["disputed"].notna()]
    b = m.of(inv["issue_date"])
    n, yes = m.sums(b), m.sums(b, inv["disputed"].astype(bool).to_numpy(dtype=float))
    return {"dispute_rate": {str(p): m.total(yes, p) / m.total(n, p) * 100 for p in periods if m.total(n, p)}}


@form("incident_count", "compliance_incidents")
def _incidents(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    inc = ctx.table("incidents")
    b = m.of(inc["date"])
    out: dict[str, Values] = {}
    if "severity" in inc.columns:
        sev = m.sums(b, inc["severity"].to_numpy(dtype=float, na_value=np.nan))
        out["incident_count"] = {str(p): m.total(sev, p) for p in periods}
    if "category" in inc.columns:
        legal = m.sums(np.where(_mask(inc["category"].isin(["compliance", "legal"])), b, -1))
        out["compliance_incidents"] = {str(p): m.total(legal, p) for p in periods}
    return out


def _flag_tables(ctx: Context) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per dated table of every row (defective ones included, as riskbook.kris.operational.period_records
    counts them): its dates, whether it fails a check, and whether it is a duplicate."""

    def make() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        out = []
        for name, df in (ctx.raw or ctx.tables).items():
            col = TABLES[name].date_col if name in TABLES else None
            if col and col in df.columns and "_dq" in df.columns:
                dup = df["_dup"].to_numpy(dtype=float, na_value=np.nan) if "_dup" in df.columns else None
                out.append((df[col].to_numpy(), df["_dq"].notna().to_numpy(), dup))
        return out

    return ctx.slices.value("record flags", make)


@form("data_quality_error_rate", "duplicate_record_rate")
def _records(ctx: Context, m: Months, periods: list[Period]) -> dict[str, Values]:
    n, dq, dup, dup_n = (np.zeros(m.n) for _ in range(4))
    later = np.zeros(4)  # rows dated after the as-of date count in every period: n, dq, dup, dup_n
    later_in = [np.zeros(m.n) for _ in range(4)]  # … once, where they fall in the period too
    for dates, failed, dupe in _flag_tables(ctx):
        b = m.of(pd.Series(dates))
        has = ~np.isnan(dupe) if dupe is not None else np.zeros(len(dates), dtype=bool)
        d = np.where(has, dupe, 0.0) if dupe is not None else np.zeros(len(dates))
        cols = (None, failed.astype(float), d, has.astype(float))
        for acc, w in zip((n, dq, dup, dup_n), cols):
            acc += m.sums(b, w)
        if ctx.as_of is not None:
            future = dates > ctx.as_of.to_datetime64()
            for i, w in enumerate(cols):
                later[i] += future.sum() if w is None else w[future].sum()
                later_in[i] += m.sums(np.where(future, b, -1), w)
    out: dict[str, Values] = {"data_quality_error_rate": {}, "duplicate_record_rate": {}}
    for p in periods:
        tot = [m.total(acc, p) + later[i] - m.total(later_in[i], p) for i, acc in enumerate((n, dq, dup, dup_n))]
        if tot[0]:
            out["data_quality_error_rate"][str(p)] = tot[1] / tot[0] * 100
            if tot[3]:
                out["duplicate_record_rate"][str(p)] = tot[2] / tot[3] * 100
    return out


def values(ctx: Context, periods: list[Period], ids: list[str]) -> dict[str, Values]:
    """KRI id → its value at each period its form covers (the others are left to the per-period function).
    A form that cannot read its tables (absent, a column missing or of odd type) covers no period: the
    per-period function evaluates them and says why, as it did before there were forms."""
    m = Months([q for p in periods for q in (p, p.previous, p.year_ago)])
    out: dict[str, Values] = {}
    for fn in dict.fromkeys(FORMS[i] for i in ids if i in FORMS):
        try:
            with np.errstate(all="ignore"):
                out |= fn(ctx, m, periods)
        except Exception:  # a table the form cannot read (absent, odd types): the per-period
            pass  # functions, the reference, evaluate it and say what they say
    return {i: out.get(i, {}) for i in ids if i in FORMS}


def report_periods(p: Period) -> list[Period]:
    """Every period a report at ``p`` judges a KRI at: its trend's periods, the one before each and the
    baseline of each."""
    from riskbook.kris import baseline_periods

    out: dict[str, Period] = {}
    for q in p.trailing(TRAILING[p.kind]):
        out |= {f"{r.kind}{r}": r for r in (q, q.previous, *baseline_periods(q))}
    return list(out.values())


def prefill(ctx: Context, periods: list[Period]) -> None:
    """Evaluate the KRIs that have a vector form (riskbook.kris.vector) at every one of ``periods`` in one
    pass over the rows, into the memo :func:`value_at` reads; a period a form leaves is evaluated alone."""
    from riskbook.kris import REGISTRY, _settings_key

    skey = _settings_key(ctx.settings)
    done: set[str] = ctx.slices.value(("prefilled", skey), set)  # the periods the forms have been given
    todo = [p for p in periods if f"{p.kind}{p}" not in done]
    if not todo or ctx.no_data:
        return
    done.update(f"{p.kind}{p}" for p in todo)
    for kid, found in values(ctx, todo, [i for i in FORMS if i in REGISTRY]).items():
        k = REGISTRY[kid]
        for p in todo:
            key = (kid, f"{p.kind}{p}", skey)
            if key in ctx.memo or str(p) not in found or k.context(ctx.at(p)).period != p:
                continue
            try:
                for check in k.applies:
                    check(ctx.at(p))
            except NotApplicable as exc:
                ctx.memo[key] = (None, str(exc))
                continue
            v = found[str(p)]
            ctx.memo[key] = (None, "undefined (division by zero)") if not math.isfinite(v) else (round(v, 6), None)
