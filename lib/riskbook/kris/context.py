"""The data one unit's KRIs are computed from, with the period slicing they share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from riskbook.core.coverage import Coverage
from riskbook.core.periods import Period
from riskbook.kris.receivables import Receivables
from riskbook.kris.slices import Slices


class NotApplicable(Exception):
    """A KRI cannot be computed; the message says why (shown as status n/a)."""


# What the KRIs read, for ``reads=`` (a row whose value there is defective is left out of the KRI)
REVENUE: tuple[str, ...] = ("order_date", "amount", "status")
CUSTOMER_REVENUE: tuple[str, ...] = REVENUE + ("customer_id",)
RECEIVABLES: tuple[str, ...] = ("invoice_id", "issue_date", "amount")
PAYMENTS: tuple[str, ...] = ("invoice_id", "payment_date", "amount")
EVERY_TABLE: dict[str, tuple[str, ...]] = {
    t: () for t in ("orders", "customers", "reps", "invoices", "payments", "opportunities", "inventory", "incidents")
}


@dataclass
class Context:
    """One unit's tables and parameters, evaluated at ``period``."""

    tables: dict[str, pd.DataFrame]
    period: Period
    settings: dict[str, Any] = field(default_factory=dict)  # the unit's merged settings (thresholds, policies)
    data_start: pd.Timestamp | None = None
    raw: dict[str, pd.DataFrame] | None = None  # every row, defective ones included (the data-quality KRIs)
    as_of: pd.Timestamp | None = None  # the day the data stands at: later dates are future-dated
    findings: pd.DataFrame | None = None  # the unit's data-quality findings (riskbook.ingest.checks)
    coverage: Coverage = field(default_factory=Coverage)  # how far the data covers the report period
    memo: dict[tuple[str, str, str], tuple[float | None, str | None]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # KRI values already evaluated at a period (shared by every ``at()`` of this context)
    slices: Slices = field(default_factory=Slices, repr=False, compare=False)
    # period slices and values derived once from the tables (shared by every ``at()`` of this context)

    def __post_init__(self) -> None:
        if self.raw is None:  # the KRIs see the rows the checks did not leave out
            self.raw = self.tables
            self.tables = {
                k: v[~v["_drop"].to_numpy()] if "_drop" in v.columns and v["_drop"].any() else v
                for k, v in self.tables.items()
            }
            self.slices.register(*self.tables.values(), *self.raw.values())

    def at(self, period: Period) -> Context:
        """The same data evaluated at another period (shares cached tables)."""
        return replace(self, period=period)

    @property
    def through(self) -> pd.Timestamp | None:
        """The data's last day, where it falls inside the period (a partial period), else None."""
        t = self.coverage.through
        return t if t is not None and self.period.start <= t < self.period.end else None

    @property
    def thin(self) -> str | None:
        """Why the period's last month is incomplete, where this period ends with that month."""
        return self.coverage.thin if self.period.end == self.coverage.period_end else None

    @property
    def partial(self) -> bool:
        """The data does not cover the whole period: it stops inside it, or its last month is thin."""
        return self.through is not None or self.thin is not None

    @property
    def end(self) -> pd.Timestamp:
        """The last day the period's data reaches: the period's end, or the data's last day before it."""
        return self.through if self.through is not None else self.period.end

    def partial_note(self) -> str:
        """Why the period is partial, in words (empty when it is complete)."""
        if self.through is not None:
            return f"the period is partial: data through {self.through.date()}"
        return f"the period is partial: {self.thin}" if self.thin else ""

    def between(self, df: pd.DataFrame, col: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
        """Rows of ``df`` whose ``col`` falls from ``start`` to ``end``, both included (cut once: Slices)."""
        return self.slices.window(df, col, start, end, closed=True)

    # -- tables --------------------------------------------------------------
    def table(self, name: str, *columns: str) -> pd.DataFrame:
        """Table ``name``; NotApplicable when it or one of ``columns`` is absent or empty."""
        df = self.tables.get(name)
        if df is None:
            raise NotApplicable(f"no {name} table in the data")
        if not len(df) and name != "orders":
            raise NotApplicable(f"the unit has no rows in the {name} table")
        missing = [c for c in columns if c not in df.columns or df[c].isna().all()]
        if missing:
            raise NotApplicable(f"{name} has no {', '.join(missing)} column")
        return df

    def in_period(self, df: pd.DataFrame, col: str, period: Period | None = None) -> pd.DataFrame:
        """Rows of ``df`` whose ``col`` falls in ``period`` (default: the report period)."""
        p = period or self.period
        return self.slices.window(df, col, p.start, p.end_exclusive, closed=False)

    @property
    def no_data(self) -> bool:
        """No usable order line is dated in the period: nothing to compute KRIs from."""
        return self.in_period(self.orders, "order_date").empty

    def in_data(self, periods: list[Period]) -> list[Period]:
        """Those of ``periods`` (going back in time) that start within the data, up to the first that does not."""
        out = []
        for p in periods:
            try:
                self.check_in_data(p, "period")
            except NotApplicable:
                break
            out.append(p)
        return out

    def check_in_data(self, period: Period, what: str) -> None:
        """NotApplicable when ``period`` starts before the data does."""
        start = self.data_start if self.data_start is not None else self.orders["order_date"].min()
        if pd.isna(start) or period.start < start.normalize().replace(day=1):
            raise NotApplicable(f"{what} {period} lies before the data starts")

    @property
    def orders(self) -> pd.DataFrame:
        return self.table("orders")

    @property
    def completed(self) -> pd.DataFrame:
        """Order lines that count as revenue: status completed or not given, with a usable amount."""
        return self.slices.value("completed", self._completed)

    def _completed(self) -> pd.DataFrame:
        o = self.orders
        if "status" in o.columns:
            o = o[o["status"].isna() | o["status"].eq("completed")]
        o = o[o["amount"].notna()] if o["amount"].hasnans else o
        self.slices.register(o)
        return o

    def last_three_months(self) -> tuple[pd.Timestamp, pd.Timestamp, int]:
        """The first and last day of the three months to the period's end (or the data's last day in a
        partial period), and their number of days: what a period-end balance is set against."""
        end = self.end
        start = end + pd.Timedelta(days=1) - pd.DateOffset(months=3)
        return start, end, int((end - start).days) + 1

    def lines(self, period: Period | None = None) -> pd.DataFrame:
        """Completed order lines dated in ``period``."""
        return self.in_period(self.completed, "order_date", period)

    def revenue(self, period: Period | None = None) -> float:
        return float(self.lines(period)["amount"].sum())

    def revenue_by_customer(self, period: Period | None = None) -> pd.Series:
        """Period revenue per known customer (blank customer ids are not customers)."""

        def make() -> pd.Series:
            lines = self.lines(period)
            lines = lines[lines["customer_id"].notna()]
            return lines.groupby("customer_id", observed=True)["amount"].sum()

        p = period or self.period
        return self.slices.value(("revenue_by_customer", p.kind, str(p)), make)

    def open_balances(self) -> pd.DataFrame:
        """Invoices open at period end: invoice rows with ``balance`` and ``days_past_due``."""
        inv = self.table("invoices")
        book = self.slices.value("receivables", lambda: Receivables(inv, self.tables.get("payments")))
        return self.slices.value(("open_balances", self.end), lambda: book.open_at(self.end))

    def aged_balances(self) -> pd.DataFrame:
        """Open invoices that can be aged: those with a usable due date."""
        out = self.open_balances()
        return out[out["due_date"].notna()]

    def employed(self, day: pd.Timestamp) -> pd.Series:
        """Mask of reps employed on ``day``."""
        reps = self.table("reps")
        on = reps["hire_date"] <= day
        if "exit_date" in reps.columns:
            on &= reps["exit_date"].isna() | (reps["exit_date"] > day)
        return on

    def headcount(self, day: pd.Timestamp) -> int:
        """Reps employed on ``day``."""
        return int(self.employed(day).sum())

    def quota(self) -> float:
        """Quota of the next period: quarterly quotas of reps employed at period end, scaled to its length."""
        reps = self.table("reps", "quarterly_quota")
        return float(reps.loc[self.employed(self.end), "quarterly_quota"].sum() * self.period.months / 3)


def needs(table: str, *columns: str) -> Callable[[Context], None]:
    """A check that the unit has rows in ``table`` (and ``columns`` in it): a KRI over a table the unit
    does not keep (no opportunities in a web shop) does not apply."""

    def check(ctx: Context) -> None:
        df = ctx.tables.get(table)
        if df is None:
            raise NotApplicable(f"no {table} table in the data")
        absent = [c for c in columns if c not in df.columns]
        if absent:
            raise NotApplicable(f"{table} has no {', '.join(absent)} column")
        if not len(df):
            raise NotApplicable(f"the unit has no rows in the {table} table")

    cols = f" (with {', '.join(columns)})" if columns else ""
    check.__doc__ = f"units with rows in the {table} table{cols}"
    return check


def complete_period(ctx: Context) -> None:
    """a complete period: a customer who has not bought yet in a partial period may still buy"""
    if ctx.partial:
        raise NotApplicable(f"{ctx.partial_note()}: a customer who has not bought yet may still buy")


def full_last_month(ctx: Context) -> None:
    """a period whose last month holds its usual volume (nothing compares a thin month)"""
    if ctx.thin:
        raise NotApplicable(f"the period is partial: {ctx.thin}")
