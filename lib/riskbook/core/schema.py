"""The canonical tables of the data contract: columns, types, which are required."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One canonical column; ``kind`` is 'str', 'date', 'float', 'int' or 'bool'."""

    name: str
    kind: str
    required: bool = True
    choices: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Table:
    """A canonical table; ``key`` identifies a row (``unique``: no two rows may share it — an order may
    hold two lines of one product), ``date_col`` dates it."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    date_col: str | None = None
    unique: bool = True

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _c(name: str, kind: str = "str", required: bool = True, choices: tuple[str, ...] | None = None) -> Column:
    return Column(name, kind, required, choices)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "orders",
            (
                _c("order_id"),
                _c("order_date", "date"),
                _c("customer_id"),
                _c("unit"),
                _c("amount", "float"),
                _c("rep_id", required=False),
                _c("product_id", required=False),
                _c("quantity", "float", False),
                _c("list_price", "float", False),
                _c("unit_price", "float", False),
                _c("status", required=False, choices=("completed", "cancelled", "returned")),
                _c("discount_approved", "bool", False),
            ),
            key=("order_id", "product_id"),
            date_col="order_date",
            unique=False,  # a second line of one product in one order (another size, a free unit) is a sale
        ),
        Table(
            "customers",
            (
                _c("customer_id"),
                _c("customer_name"),
                _c("unit"),
                _c("segment", required=False),
                _c("industry", required=False),
                _c("region", required=False),
                _c("credit_limit", "float", False),
                _c("created_date", "date", False),
            ),
            key=("customer_id",),
        ),
        Table(
            "reps",
            (
                _c("rep_id"),
                _c("rep_name"),
                _c("unit"),
                _c("hire_date", "date"),
                _c("exit_date", "date", False),
                _c("quarterly_quota", "float", False),
            ),
            key=("rep_id",),
        ),
        Table(
            "invoices",
            (
                _c("invoice_id"),
                _c("customer_id"),
                _c("unit"),
                _c("issue_date", "date"),
                _c("due_date", "date"),
                _c("amount", "float"),
                _c("order_id", required=False),
                _c("disputed", "bool", False),
            ),
            key=("invoice_id",),
            date_col="issue_date",
        ),
        Table(
            "payments",
            (
                _c("invoice_id"),
                _c("payment_date", "date"),
                _c("amount", "float"),
            ),
            date_col="payment_date",
        ),
        Table(
            "opportunities",
            (
                _c("opportunity_id"),
                _c("unit"),
                _c("created_date", "date"),
                _c("status", choices=("open", "won", "lost")),
                _c("amount", "float"),
                _c("close_date", "date", False),
                _c("customer_id", required=False),
                _c("rep_id", required=False),
                _c("stage", required=False),
                _c("loss_reason", required=False),
                _c("competitor", required=False),
            ),
            key=("opportunity_id",),
            date_col="created_date",
        ),
        Table(
            "inventory",
            (
                _c("snapshot_date", "date"),
                _c("product_id"),
                _c("on_hand", "float"),
                _c("unit", required=False),
                _c("forecast_demand", "float", False),
                _c("actual_demand", "float", False),
            ),
            key=("snapshot_date", "product_id", "unit"),
            date_col="snapshot_date",
        ),
        Table(
            "incidents",
            (
                _c("incident_id"),
                _c("unit"),
                _c("date", "date"),
                _c("category", choices=("system_outage", "data_loss", "compliance", "complaint", "legal", "other")),
                _c("severity", "int"),
                _c("resolved_date", "date", False),
                _c("description", required=False),
            ),
            key=("incident_id",),
            date_col="date",
        ),
    )
}

REQUIRED_TABLES: tuple[str, ...] = ("orders",)
