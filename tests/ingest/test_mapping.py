"""Mappings from users' own exports: Chinese headers, GBK, day-first dates, Excel title rows, SQL-free."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from riskbook import cli
from riskbook.ingest import store, storekey
from riskbook.settings.sources import resolve
from tests.conftest import read_results

HEAD = "订单编号,下单日期,客户编号,事业部,数量,单价,折扣,状态\n"
ROWS = [  # day-first dates; 华东 → east, 华南 → south; amount = 数量 × 单价 × (1 − 折扣)
    "A1,15/04/2026,K1,华东事业部,2,100,10%,完成",
    "A2,20/05/2026,K2,华东事业部,1,50,NULL,完成",
    "A3,03/07/2026,K1,华东事业部,4,100,0.25,完成",
    "A4,30/09/2026,K3,华南事业部,10,10,-,完成",
    "A5,01/08/2026,K2,华东事业部,1,999,0,测试",
]


def write_company(tmp_path: Path, orders: dict, extra: dict | None = None) -> Path:
    cfg = tmp_path / "company.yaml"
    doc = {"company": "测试公司", "currency": "CNY", "sources": {"orders": orders, **(extra or {})}}
    cfg.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return cfg


ORDERS_MAP = {
    "file": "orders.csv",
    "dates": {"dayfirst": True},
    "keep": "状态 != '测试'",
    "columns": {"order_id": "订单编号", "order_date": "下单日期", "customer_id": "客户编号"},
    "amount": {"quantity": "数量", "price": "单价", "discount": "折扣"},
    "unit": {"column": "事业部", "map": {"华东事业部": "east", "华南事业部": "south"}},
}


def gbk_csv(tmp_path: Path, rows: list[str] = ROWS) -> Path:
    (tmp_path / "orders.csv").write_bytes((HEAD + "\n".join(rows) + "\n").encode("gbk"))
    return tmp_path


def load(cfg: Path, tmp_path: Path, unit: str) -> dict[str, pd.DataFrame]:
    st = store.ingest(resolve(None, cfg), root=tmp_path / "store")
    return store.load_unit(st, unit)


def test_gbk_chinese_headers_dayfirst(tmp_path: Path) -> None:
    cfg = write_company(gbk_csv(tmp_path), ORDERS_MAP)
    east = load(cfg, tmp_path, "east")["orders"].sort_values("order_id")
    assert list(east["order_id"]) == ["A1", "A2", "A3"], "the test row is not kept"
    assert list(east["order_date"].dt.strftime("%Y-%m-%d")) == ["2026-04-15", "2026-05-20", "2026-07-03"]
    assert list(east["amount"]) == pytest.approx([2 * 100 * 0.9, 50.0, 4 * 100 * 0.75])
    assert list(east["list_price"]) == [100, 50, 100]
    south = load(cfg, tmp_path, "south")["orders"]
    assert list(south["amount"]) == [100.0]


@pytest.mark.slow
def test_excel_with_title_rows_runs_a_pack(tmp_path: Path) -> None:
    rows = [r.split(",") for r in ROWS]
    body = pd.DataFrame(rows, columns=HEAD.strip().split(","))
    path = tmp_path / "销售明细.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["2026年销售明细（内部）"], ["导出时间：2026-10-01"]]).to_excel(
            xl, sheet_name="明细", header=False, index=False
        )
        body.to_excel(xl, sheet_name="明细", startrow=2, index=False)
    spec = {**ORDERS_MAP, "file": path.name, "sheet": "明细", "header_row": 3}
    cfg = write_company(tmp_path, spec)
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--unit", "east"]) == 0
    doc = read_results(out / "2026Q3" / "east" / "results.json")
    growth = next(k for k in doc["kris"] if k["id"] == "revenue_growth")
    assert growth["value"] == pytest.approx((300 / (180 + 50) - 1) * 100)
    assert (out / "2026Q3" / "east" / "east_2026Q3_risk_report.pdf").exists()


def test_unit_via_customer_and_constant(tmp_path: Path) -> None:
    (tmp_path / "cust.csv").write_text("编号,名称,区域\nK1,甲,East\nK2,乙,East\nK3,丙,South\n", encoding="utf-8")
    orders = {**ORDERS_MAP, "unit": {"via": "customer"}}
    customers = {
        "file": "cust.csv",
        "columns": {"customer_id": "编号", "customer_name": "名称"},
        "unit": {"column": "区域"},
    }
    cfg = write_company(gbk_csv(tmp_path), orders, {"customers": customers})
    assert sorted(load(cfg, tmp_path, "east")["orders"]["order_id"]) == ["A1", "A2", "A3"]
    const = write_company(tmp_path, {**ORDERS_MAP, "unit": {"value": "all"}})
    assert len(load(const, tmp_path, "all")["orders"]) == 4


def test_overflowing_field_is_put_back(tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_text(
        "id,date,cust,address,unit,amount\n"
        "1,2026-07-01,C1,12, rue des Bouchers,east,10\n"
        "2,2026-09-30,C2,Main St,east,20\n",
        encoding="utf-8",
    )
    spec = {
        "file": "o.csv",
        "overflow": "address",
        "unit": {"column": "unit"},
        "columns": {"order_id": "id", "order_date": "date", "customer_id": "cust", "amount": "amount"},
    }
    orders = load(write_company(tmp_path, spec), tmp_path, "east")["orders"]
    assert list(orders["amount"]) == [10, 20]


@pytest.mark.parametrize(
    "change,message",
    [
        (
            {"columns": {**ORDERS_MAP["columns"], "order_id": "单号"}},
            "column '单号' (mapped to order_id) is not in the file",
        ),
        (
            {"unit": {"column": "事业部", "map": {"华南事业部": "south"}}},
            "row 2, column '事业部': 3 rows have a unit value the unit map does not know ('华东事业部') — add them to "
            "unit: map: in the mapping",
        ),
        (
            {"dates": {"format": "%Y-%m-%d"}},
            "row 2, column '下单日期': 4 of 4 values are not dates (first: '15/04/2026') — check dates: in the mapping",
        ),
        (
            {"dates": {}},
            "row 2, column '下单日期': 4 of 4 values are not dates (first: '15/04/2026') — they look "
            "day-first (31/12/2026): set dates: {dayfirst: true} in the mapping",
        ),
        ({"colums": {}}, "sources.orders: unknown key(s) colums"),
        (
            {"columns": {**ORDERS_MAP["columns"], "amount": "状态"}, "amount": None},  # the wrong column
            "row 2, column '状态': 4 of 4 values are not numbers (first: '完成') — remove currency signs and thousands "
            "separators",
        ),
        (
            {"encoding": "utf-8"},
            "cannot be decoded as utf-8: it looks like gb18030 — set encoding: gb18030 in the mapping",
        ),
    ],
)
def test_mapping_errors_are_one_line(tmp_path: Path, capsys, change: dict, message: str) -> None:
    cfg = write_company(gbk_csv(tmp_path), {**ORDERS_MAP, **change})
    code = cli.main(["validate", "--config", str(cfg)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and message in err, err


def test_rows_after_title_rows_are_numbered_as_in_the_sheet(tmp_path: Path, capsys) -> None:
    rows = [r.split(",") for r in ROWS]
    rows[1][1] = "2026/13/45"
    path = tmp_path / "t.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame([["标题"], [""]]).to_excel(xl, sheet_name="S", header=False, index=False)
        pd.DataFrame(rows, columns=HEAD.strip().split(",")).to_excel(xl, sheet_name="S", startrow=2, index=False)
    cfg = write_company(tmp_path, {**ORDERS_MAP, "file": "t.xlsx", "sheet": "S", "header_row": 3})
    assert cli.main(["validate", "--config", str(cfg)]) == 0  # one bad date is a finding, not a stop
    out = capsys.readouterr().out
    assert "unparseable_value  orders.order_date" in out and "t.xlsx [S]: row 5 (A2) '2026/13/45'" in out


def test_a_sheet_taken_by_position_is_cited_by_its_name(tmp_path: Path, capsys) -> None:
    rows = [r.split(",") for r in ROWS]
    rows[1][1] = "2026/13/45"
    with pd.ExcelWriter(tmp_path / "t.xlsx") as xl:
        pd.DataFrame(rows, columns=HEAD.strip().split(",")).to_excel(xl, sheet_name="订单 2026", index=False)
    cfg = write_company(tmp_path, {**ORDERS_MAP, "file": "t.xlsx"})  # no sheet: the first one
    assert cli.main(["validate", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "t.xlsx [订单 2026]: row 3 (A2) '2026/13/45'" in out and "[sheet 0]" not in out, out


def test_a_value_the_unit_map_does_not_know_is_a_finding(tmp_path: Path) -> None:
    rows = [*ROWS, "A6,05/08/2026,K1,华北事业部,1,10,0,完成"]
    cfg = write_company(gbk_csv(tmp_path, rows), ORDERS_MAP)
    st = store.ingest(resolve(None, cfg), root=tmp_path / "store")
    f = store.load_findings(st)
    hit = f[f["check"] == "unmapped_value"]
    assert hit[["row", "column", "value", "excluded", "severity"]].values.tolist() == [
        [7, "unit", "华北事业部", "row", "error"]
    ]
    assert "A6" not in set(store.load_unit(st, "east")["orders"]["order_id"])


@pytest.mark.parametrize("name", ["broken.xlsx", "broken.xls"])
def test_a_file_that_is_not_a_spreadsheet_is_one_line(tmp_path: Path, capsys, name: str) -> None:
    (tmp_path / name).write_bytes(b"order_id,amount\nA1,5\n")  # a CSV saved with a spreadsheet's name
    cfg = write_company(tmp_path, {**ORDERS_MAP, "file": name})
    assert cli.main(["validate", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and f"{name} [first sheet]: cannot be read" in err, err


def test_data_and_sources_are_exclusive(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "company.yaml"
    cfg.write_text("data: somewhere\nsources:\n  orders: {file: o.csv}\n")
    assert cli.main(["validate", "--config", str(cfg)]) == 2
    assert "either data:" in capsys.readouterr().err


def test_second_ingest_reads_nothing_from_the_source(tmp_path: Path, monkeypatch) -> None:
    cfg = write_company(gbk_csv(tmp_path), ORDERS_MAP)
    first = store.ingest(resolve(None, cfg), root=tmp_path / "store")

    def refuse(*a, **k):
        raise AssertionError("the source was read again")

    monkeypatch.setattr(store, "_load", refuse)
    monkeypatch.setattr(storekey, "open", refuse, raising=False)
    assert store.ingest(resolve(None, cfg), root=tmp_path / "store") == first
    monkeypatch.undo()
    gbk_csv(tmp_path, ROWS[:3])  # the export changed: a new store
    assert store.ingest(resolve(None, cfg), root=tmp_path / "store") != first


def test_arrow_and_row_readers_agree(tmp_path: Path, both_readers) -> None:
    title = "销售明细导出\n\n"  # a title row and a blank row above the header (header_row: 3)
    rows = [*ROWS, 'A6,02/08/2026,"K,4",华南事业部,3,20,,完成', "A7,03/08/2026, K2 ,华东事业部,1,5,5%,完成"]
    (tmp_path / "orders.csv").write_bytes((title + HEAD + "\n".join(rows) + "\n").encode("gbk"))
    cfg = write_company(tmp_path, {**ORDERS_MAP, "header_row": 3})
    fast = both_readers(cfg)  # asserts that the row-by-row reader stores the same
    south = fast["south"]["orders"].sort_values("order_id")
    assert list(south["customer_id"]) == ["K3", "K,4"]
    assert list(south["amount"]) == [100.0, 60.0]
    assert list(fast["east"]["orders"].sort_values("order_id")["customer_id"]) == ["K1", "K2", "K1", "K2"]
    from riskbook.ingest import mapread

    text = (tmp_path / "orders.csv").read_bytes().decode("gbk")
    assert mapread._arrow_csv(text, None, ",", 2) is not None, "the file should take Arrow's reader"
    assert mapread._arrow_csv(text + "A8,1,2\n", None, ",", 2) is None, "a short row is left to the row reader"


def test_files_named_through_environment_variables_are_in_the_key(tmp_path: Path, monkeypatch, capsys) -> None:
    data = tmp_path / "exports"
    data.mkdir()
    gbk_csv(data)
    cfg = write_company(tmp_path, {**ORDERS_MAP, "file": "${EXPORTS}/orders.csv"})
    monkeypatch.setenv("EXPORTS", str(data))
    assert cli.main(["validate", "--config", str(cfg)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("EXPORTS", str(tmp_path / "nowhere"))  # the old store must not answer for it
    assert cli.main(["validate", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "nowhere/orders.csv: file not found" in err and len(err.strip().splitlines()) == 1
    monkeypatch.delenv("EXPORTS")
    assert cli.main(["validate", "--config", str(cfg)]) == 2
    assert "environment variable EXPORTS is not set" in capsys.readouterr().err


def test_values_map_the_exports_own_words(tmp_path: Path) -> None:
    rows = [r.replace(",完成", ",已完成") for r in ROWS[:4]] + [
        "A6,05/08/2026,K1,华东事业部,1,10,0,已取消",
        "A7,06/08/2026,K1,华东事业部,1,10,0,处理中",
    ]
    spec = {
        **ORDERS_MAP,
        "keep": None,
        "columns": {**ORDERS_MAP["columns"], "status": "状态"},
        "values": {"status": {"已完成": "completed", "已取消": "cancelled"}},
    }
    cfg = write_company(gbk_csv(tmp_path, rows), spec)
    st = store.ingest(resolve(None, cfg), root=tmp_path / "store")
    east = store.load_unit(st, "east")["orders"].set_index("order_id")
    assert east.loc["A1", "status"] == "completed" and east.loc["A6", "status"] == "cancelled"
    f = store.load_findings(st)
    hit = f[f["check"] == "invalid_value"]  # 处理中 is in no values: map: a finding naming column and value
    assert hit[["row", "column", "value", "excluded"]].values.tolist() == [[7, "status", "处理中", "row"]]
    assert store.read_meta(st)["names"]["orders"]["status"] == "状态"
    assert "A7" in east.index and east.loc["A7", "_drop"]  # neither revenue nor a cancellation


def test_a_semicolon_export_is_read_as_such(tmp_path: Path) -> None:
    text = (HEAD + "\n".join(ROWS) + "\n").replace(",", ";")
    (tmp_path / "orders.csv").write_bytes(text.encode("gbk"))
    east = load(write_company(tmp_path, ORDERS_MAP), tmp_path, "east")["orders"]
    assert sorted(east["order_id"]) == ["A1", "A2", "A3"]


def test_a_join_on_a_file_whose_header_is_elsewhere_says_so(tmp_path: Path, capsys) -> None:
    (tmp_path / "lines.csv").write_text("单号,数量,单价\nA1,2,100\n", encoding="utf-8")
    (tmp_path / "heads.csv").write_text(
        "订单导出\n单号,日期,客户,事业部\nA1,2026-07-01,K1,华东事业部\n", encoding="utf-8"
    )
    spec = {
        "file": "lines.csv",
        "join": [{"file": "heads.csv", "on": "单号"}],  # heads.csv needs header_row: 2
        "columns": {"order_id": "单号", "order_date": "日期", "customer_id": "客户"},
        "amount": {"quantity": "数量", "price": "单价"},
        "unit": {"column": "事业部", "map": {"华东事业部": "east"}},
    }
    assert cli.main(["validate", "--config", str(write_company(tmp_path, spec))]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert (
        "heads.csv: row 1, taken as the header, has 1 field(s) where most rows have 4 — is the header on "
        "row 2? set header_row: 2 in the mapping" in err
    )
    spec["join"][0]["header_row"] = 2
    assert cli.main(["validate", "--config", str(write_company(tmp_path, spec))]) == 0
    spec["join"][0]["on"] = "订单号"  # a join column the header does not have
    assert cli.main(["validate", "--config", str(write_company(tmp_path, spec))]) == 2
    err = capsys.readouterr().err
    assert "join column '订单号' not found in the header on row 1 (it has: 单号, 数量, 单价)" in err
    assert "header_row" in err


def test_the_columns_a_message_lists_are_all_there_or_counted(tmp_path: Path, capsys) -> None:
    head = ",".join(f"c{i}" for i in range(40))
    (tmp_path / "wide.csv").write_text(head + "\n" + ",".join("1" * 40) + "\n", encoding="utf-8")
    spec = {"file": "wide.csv", "columns": {"order_id": "订单编号"}, "unit": {"value": "east"}}
    assert cli.main(["validate", "--config", str(write_company(tmp_path, spec))]) == 2
    err = capsys.readouterr().err
    assert "c0, c1," in err and "c29, … and 10 more" in err


def test_init_from_a_mapping_keeps_its_sources(tmp_path: Path, capsys) -> None:
    (tmp_path / "exports").mkdir()
    cfg = write_company(gbk_csv(tmp_path / "exports"), ORDERS_MAP)
    folder = tmp_path / "mine"
    assert cli.main(["init", str(folder), "--config", str(cfg)]) == 0
    doc = yaml.safe_load((folder / "company.yaml").read_text(encoding="utf-8"))
    assert doc["company"] == "测试公司" and doc["sources"]["orders"]["file"] == "../exports/orders.csv"
    assert sorted(p.stem for p in (folder / "units").glob("*.yaml")) == ["east", "south"]
    capsys.readouterr()
    assert cli.main(["validate", "--config", str(folder / "company.yaml")]) == 0
    assert "units east, south" in capsys.readouterr().out
