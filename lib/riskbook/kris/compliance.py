"""Compliance KRIs: discount policy breaches and compliance/legal incidents."""

from __future__ import annotations

from riskbook.kris import kri
from riskbook.kris.context import Context, NotApplicable
from riskbook.kris.market import discounted_lines

APPROVAL_LIMIT = 20.0  # percent; company.yaml: policy.discount_approval_limit


def violations(ctx: Context):
    """(discounted lines, those beyond the approval limit without approval)."""
    d = discounted_lines(ctx)
    if "discount_approved" not in d.columns:
        raise NotApplicable("orders has no discount_approved column")
    limit = float((ctx.settings.get("policy") or {}).get("discount_approval_limit", APPROVAL_LIMIT)) / 100
    d = d[d["discount"] > 1e-9]
    if d.empty:
        raise NotApplicable("no discounted lines in the period")
    return d, d[(d["discount"] > limit + 1e-9) & ~d["discount_approved"].fillna(False).astype(bool)]


@kri(
    "discount_policy_violations",
    family="compliance",
    unit="%",
    direction="up",
    amber=2,
    red=5,
    reads={"orders": ("order_date", "status", "list_price", "unit_price", "discount_approved")},
    en="Discounts beyond the approval limit without approval",
    zh="超权限未审批折扣",
)
def discount_policy_violations(ctx: Context) -> float:
    d, bad = violations(ctx)
    return len(bad) / len(d) * 100


@kri(
    "compliance_incidents",
    family="compliance",
    unit="count",
    direction="up",
    amber=1,
    red=2,
    reads={"incidents": ("date", "category")},
    en="Compliance and legal incidents",
    zh="合规与法律事件",
)
def compliance_incidents(ctx: Context) -> float:
    inc = ctx.in_period(ctx.table("incidents"), "date")
    return float(inc["category"].isin(["compliance", "legal"]).sum())
