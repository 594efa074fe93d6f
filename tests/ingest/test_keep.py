"""keep: filters rows in a language that runs no code: comparisons, in, and/or/not over the file's columns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskbook.core.errors import ParamError
from riskbook.ingest.keep import keep_rows

DF = pd.DataFrame(
    {
        "状态": ["完成", "测试", "完成", ""],
        "Order Status": ["won", "lost", "open", "won"],
        "amount": ["100", "5", "x", "20"],
    }
)


@pytest.mark.parametrize(
    ("expr", "rows"),
    [
        ("状态 != '测试'", [0, 2, 3]),
        ("`Order Status` in ['won', 'open']", [0, 2, 3]),
        ("`Order Status` not in ('won',)", [1, 2]),
        ("amount > 10 and not 状态 == ''", [0]),  # numbers read as text compare as numbers; 'x' is no number
        ("10 < amount or `Order Status` == 'lost'", [0, 1, 3]),
        ("状态 == None", [3]),
        ("(amount >= 5) & (amount <= 20)", None),  # & is not in the language
    ],
)
def test_filters_keep_the_rows_they_say(expr: str, rows: list[int] | None) -> None:
    if rows is None:
        with pytest.raises(ParamError, match="not allowed"):
            keep_rows(DF, expr, "sources.orders.keep")
        return
    assert list(keep_rows(DF, expr, "sources.orders.keep").index) == rows


@pytest.mark.parametrize(
    "expr",
    [
        "@pd.io.common.os.system('touch {s}') == 0",
        "__import__('os').system('touch {s}') == 0",
        "amount.__class__ == 1",
        "amount.str.len() > 0",
        "amount[0] == '1'",
        "[x for x in ().__class__.__bases__[0].__subclasses__()] == 1",
        "(lambda: open('{s}', 'w'))() == 1",
        "amount + 1 > 2",
    ],
)
def test_code_in_a_filter_is_refused_with_one_line_and_never_runs(expr: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "ran"
    with pytest.raises(ParamError) as exc:
        keep_rows(DF, expr.format(s=sentinel), "sources.orders.keep")
    assert str(exc.value).startswith("sources.orders.keep: ")
    assert "\n" not in str(exc.value)
    assert not sentinel.exists()


def test_an_unknown_column_is_named_with_the_file_s_columns() -> None:
    with pytest.raises(ParamError, match=r"'status' is not a column of the file \(columns: 状态, Order Status"):
        keep_rows(DF, "status == 'x'", "sources.orders.keep")
