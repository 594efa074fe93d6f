"""The risk library: each risk in one place — the KRIs that show it present, the evidence behind it, how
its money at risk is measured, its default response, owner and recommended actions (en/zh).

A risk is declared with :func:`risk` in the module of its family; identification and assessment
(riskbook.stages) are generic engines over :data:`LIBRARY`, so a new risk touches one file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from riskbook.kris import Context, NotApplicable

RESPONSES: tuple[str, ...] = ("avoid", "mitigate", "transfer", "accept")
# the pools of money that risks' exposures measure (money at risk counts each pool once: its largest risk)
POOLS: dict[str, tuple[str, str]] = {
    "revenue": (
        "revenue lost or exposed (decline, churn, orphaned accounts, the largest customer)",
        "收入损失或敞口（下滑、流失、遗留客户、最大客户）",
    ),
    "pricing": ("discount given away (beyond normal depth, or without approval)", "让利（超常规折扣或未经审批的折扣）"),
    "receivables": ("receivables at risk (overdue, or owed beyond credit limits)", "应收风险（逾期或超信用额度）"),
    "pipeline": ("pipeline missing to cover next period's quota", "覆盖下期配额所缺的商机"),
    "records": ("order amounts on bad or duplicate records", "问题或重复记录上的订单金额"),
    "cancellations": ("cancelled and returned orders", "取消与退货订单"),
}
BALANCE_POOLS: frozenset[str] = frozenset({"receivables"})  # money owed at period end, not earned over the period
EVIDENCE_ROWS = 15  # rows per evidence table

Evidence = Callable[[Context], dict[str, pd.DataFrame]]


def pace(ctx: Context, months: int | None = None) -> float:
    """The unit's revenue over ``months`` (default: the report period's length) at its usual pace: the larger
    of the revenue of the ``months`` to the period's end and its average over the four spans of that length
    before them (those in the data). What a revenue pool can lose is bounded by it, and impact is a share of it."""
    months = months or ctx.period.months
    start = ctx.data_start if ctx.data_start is not None else ctx.completed["order_date"].min()
    spans = []
    for k in range(5):
        last = ctx.end - pd.DateOffset(months=months * k)
        first = last + pd.Timedelta(days=1) - pd.DateOffset(months=months)
        if k and (pd.isna(start) or first < start.normalize().replace(day=1)):
            break
        spans.append(float(ctx.between(ctx.completed, "order_date", first, last)["amount"].sum()))
    before = spans[1:]
    return max(spans[0], sum(before) / len(before) if before else 0.0)


def open_receivables(ctx: Context) -> float:
    """What customers owe at the period's end (0 without receivables data)."""
    try:
        return float(ctx.open_balances()["balance"].sum())
    except NotApplicable:
        return 0.0


def discount_given(ctx: Context) -> float:
    """The discount given away in the period: list price less unit price, times quantity (0 without prices)."""
    from riskbook.kris.market import discounted_lines

    try:
        d = discounted_lines(ctx)
    except NotApplicable:
        return 0.0
    return float(((d["list_price"] - d["unit_price"]).clip(lower=0) * d["qty"]).sum())


def order_amounts(ctx: Context) -> float:
    """The absolute amount of the period's order lines, defective ones included."""
    o = ctx.raw.get("orders") if ctx.raw else None
    o = ctx.orders if o is None else o
    return float(ctx.in_period(o, "order_date")["amount"].abs().sum())


# the most a pool's money at risk can be: the money it measures
BOUNDS: dict[str, Callable[[Context], float]] = {
    "revenue": pace,
    "pipeline": pace,
    "receivables": open_receivables,
    "pricing": discount_given,
    "records": order_amounts,
}


def no_money(ctx: Context) -> float:
    """A risk whose money at risk cannot be measured (impact then follows the KRIs' severity)."""
    return 0.0


def no_evidence(ctx: Context) -> dict[str, pd.DataFrame]:
    return {}


@dataclass(frozen=True)
class Risk:
    """A library risk: its KRIs, evidence (tables of the rows behind them, titled in ``tables``) and
    exposure (the money at risk in the period)."""

    id: str
    family: str
    kris: tuple[str, ...]
    response: str
    owner: str
    title_en: str
    title_zh: str
    desc_en: str
    desc_zh: str
    actions_en: tuple[str, ...]
    actions_zh: tuple[str, ...]
    exposure: Callable[[Context], float] = no_money
    evidence: Evidence = no_evidence
    tables: dict[str, tuple[str, str]] = field(default_factory=dict)  # evidence table → (en, zh) title
    pool: str = ""  # the money its exposure measures: risks of one pool overlap, and count once (the largest)
    action_kris: tuple[tuple[str, ...], ...] = ()  # per action, the KRIs it answers (empty: any of the risk's)

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def description(self, lang: str = "en") -> str:
        return self.desc_zh if lang == "zh" else self.desc_en

    def actions(self, lang: str = "en", breached: set[str] | None = None) -> tuple[str, ...]:
        """The recommended actions; with ``breached`` (the KRIs in breach), those that answer one of them:
        no call to lost customers when retention, not churn, raised the risk."""
        texts = self.actions_zh if lang == "zh" else self.actions_en
        if breached is None or not self.action_kris:
            return texts
        fits = [not kris or bool(set(kris) & breached) for kris in self.action_kris]
        return tuple(a for a, ok in zip(texts, fits) if ok)


LIBRARY: list[Risk] = []  # in the order of the family modules imported below, then of declaration
BY_ID: dict[str, Risk] = {}


def risk(**fields) -> Risk:
    """Declare and register a library risk."""
    r = Risk(**fields)
    assert r.id not in BY_ID, r.id
    assert r.response in RESPONSES, (r.id, r.response)
    assert r.pool in POOLS or (r.pool == "" and r.exposure is no_money), (r.id, r.pool)
    assert not r.action_kris or len(r.action_kris) == len(r.actions_en), r.id
    assert all(set(k) <= set(r.kris) for k in r.action_kris), r.id
    LIBRARY.append(r)
    BY_ID[r.id] = r
    return r


def with_names(ctx: Context, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with customer_name beside customer_id, where a customers table is present."""
    cust = ctx.tables.get("customers")
    if cust is None or "customer_id" not in df.columns:
        return df
    names = cust.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]
    df = df.copy()
    df.insert(df.columns.get_loc("customer_id") + 1, "customer_name", df["customer_id"].map(names))
    return df


def evidence_title(name: str, lang: str = "en") -> str:
    """The title of an evidence table, from the risk that makes it."""
    for r in LIBRARY:
        if name in r.tables:
            en, zh = r.tables[name]
            return zh if lang == "zh" else en
    return name


from riskbook.risks import compliance, customer, financial, market, operational  # noqa: E402,F401  (registers)

# the library's order: by family as the reports list them
LIBRARY.sort(key=lambda r: ("market", "customer", "operational", "financial", "compliance").index(r.family))
