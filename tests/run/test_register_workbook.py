"""The register workbook both ways: what an analyst can do in it, and their edits read back by
``riskbook register import`` into the next run."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from riskbook import cli
from riskbook.demo import company as demo
from riskbook.settings.register_import import code_of
from tests.conftest import demo_company, read_results

pytestmark = pytest.mark.slow
PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the demo company and its east unit's outputs."""
    root = tmp_path_factory.mktemp("book")
    cfg = demo_company(root / "params", demo.generate(root / "data"))
    out = root / "out"
    assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--unit", "east", "--period", PERIOD]) == 0
    return cfg, out / PERIOD / "east"


def test_the_workbook_is_one_an_analyst_can_work_in(built) -> None:
    _, d = built
    wb = load_workbook(d / f"east_{PERIOD}_risk_register.xlsx")
    assert {"Register", "Actions", "Controls", "KRIs", "KRI history"} <= set(wb.sheetnames)
    reg, act = wb["Register"], wb["Actions"]
    head = [code_of(c.value) for c in reg[1]]
    lists = {str(v.sqref).split(":")[0][:-1]: v.formula1 for v in reg.data_validations.dataValidation}
    col = {h: chr(ord("A") + i) for i, h in enumerate(head)}
    assert lists[col["response"]] == '"avoid,mitigate,transfer,accept"'
    assert any(
        v.type == "whole" and str(v.sqref).startswith(col["override_likelihood"])
        for v in reg.data_validations.dataValidation
    )
    act_head = [code_of(c.value) for c in act[1]]
    status_col = chr(ord("A") + act_head.index("status"))
    assert any(
        v.formula1 == '"open,in progress,done,cancelled,recommended"' and str(v.sqref).startswith(status_col)
        for v in act.data_validations.dataValidation
    )
    assert reg.freeze_panes == "A2" and reg.auto_filter.ref
    assert reg.cell(2, head.index("exposure") + 1).number_format == "#,##0"
    due = [r[act_head.index("due")] for r in act.iter_rows(min_row=2, values_only=True) if r[act_head.index("due")]]
    assert due and all(isinstance(x, dt.datetime) for x in due)  # dates, not text
    assert reg.conditional_formatting  # fills follow the rating as it is edited
    assert not [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_an_analysts_edits_come_back_in_the_next_run(built, tmp_path: Path, capsys, request) -> None:
    cfg, d = built
    register = cfg.parent / "register" / "east.yaml"
    saved = register.read_text(encoding="utf-8")
    request.addfinalizer(lambda: register.write_text(saved, encoding="utf-8"))  # the other tests read it as it was
    book = tmp_path / "edited.xlsx"
    wb = load_workbook(d / f"east_{PERIOD}_risk_register.xlsx")
    reg, act, ctl = wb["Register"], wb["Actions"], wb["Controls"]
    head = [code_of(c.value) for c in reg[1]]
    rows = {r[0].value: r for r in reg.iter_rows(min_row=2)}
    rows["R-FIN-01"][head.index("owner")].value = "Ann Analyst"
    rows["R-FIN-02"][head.index("override_likelihood")].value = 2
    rows["R-FIN-02"][head.index("override_reason")].value = "Two lost accounts re-signed in October"
    ah = [code_of(c.value) for c in act[1]]
    mine = next(
        r for r in act.iter_rows(min_row=2) if r[0].value == "R-FIN-02" and r[ah.index("status")].value == "recommended"
    )
    mine[ah.index("status")].value, mine[ah.index("owner")].value = "open", "Bo Li"
    mine[ah.index("due")].value = dt.datetime(2027, 1, 15)
    action = mine[ah.index("action")].value
    ctl.append(["R-FIN-02", "Weekly forecast review", 1, 0])
    wb.save(book)

    assert cli.main(["register", "import", str(book), "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "R-FIN-01: owner" in out and "'Ann Analyst'" in out and "R-FIN-02" in out
    doc = yaml.safe_load((cfg.parent / "register" / "east.yaml").read_text(encoding="utf-8"))
    assert doc["risks"]["R-FIN-01"]["owner"] == "Ann Analyst"
    assert doc["risks"]["R-FIN-02"]["override"] == {"likelihood": 2, "reason": "Two lost accounts re-signed in October"}
    from riskbook.risks import BY_ID

    zh = dict(zip(BY_ID["R-FIN-02"].actions_en, BY_ID["R-FIN-02"].actions_zh))[action]  # the library's translation
    assert doc["risks"]["R-FIN-02"]["actions"] == [
        {"action": action, "status": "open", "owner": "Bo Li", "due": dt.date(2027, 1, 15), "action_zh": zh}
    ]
    assert doc["risks"]["R-FIN-02"]["controls"] == [{"name": "Weekly forecast review", "reduces": {"likelihood": 1}}]
    assert any(a["id"] == "R-ADD-01" for a in doc["added"])  # the analysts' own risk kept

    out2 = tmp_path / "out"
    assert cli.main(["run", "--config", str(cfg), "--out", str(out2), "--unit", "east", "--period", PERIOD]) == 0
    res = {r["id"]: r for r in read_results(out2 / PERIOD / "east" / "results.json")["risks"]}
    assert res["R-FIN-01"]["owner"] == "Ann Analyst"
    assert res["R-FIN-02"]["likelihood"] == 2 and res["R-FIN-02"]["override"]["reason"].startswith("Two lost")
    assert res["R-FIN-02"]["residual_score"] == (res["R-FIN-02"]["likelihood"] - 1) * res["R-FIN-02"]["impact"]
    summary = (out2 / PERIOD / "east" / "04_summary.html").read_text(encoding="utf-8")
    assert action in summary and "Bo Li" in summary
    # an unedited workbook of that run imports as no change
    assert (
        cli.main(
            [
                "register",
                "import",
                str(out2 / PERIOD / "east" / f"east_{PERIOD}_risk_register.xlsx"),
                "--config",
                str(cfg),
            ]
        )
        == 0
    )
    assert "no change" in capsys.readouterr().out


def test_a_bad_edit_is_one_line_per_problem_and_nothing_is_written(built, tmp_path: Path, capsys) -> None:
    cfg, d = built
    before = (cfg.parent / "register" / "east.yaml").read_bytes()
    wb = load_workbook(d / f"east_{PERIOD}_risk_register.xlsx")
    act, reg = wb["Actions"], wb["Register"]
    ah, head = [code_of(c.value) for c in act[1]], [code_of(c.value) for c in reg[1]]
    act.cell(2, ah.index("status") + 1).value = "maybe"
    reg.cell(2, head.index("override_impact") + 1).value = 9
    book = tmp_path / "bad.xlsx"
    wb.save(book)
    assert cli.main(["register", "import", str(book), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert any(re.search(r"sheet Actions, row 2, column Status: 'maybe' is not one of", line) for line in err), err
    assert any(
        "sheet Register, row 2, column Override impact: must be a whole number from 1 to 5" in line for line in err
    ), err
    assert (cfg.parent / "register" / "east.yaml").read_bytes() == before


def test_a_chinese_workbook_reads_back_and_keeps_the_registers_translations(built, tmp_path: Path, capsys) -> None:
    """Sheets and headings in Chinese; the workbook shows the register's own text, so importing it unedited
    changes nothing (the owner_zh, action_zh, name_zh and reason_zh of the register file are kept), and an
    edited owner replaces the owner and drops its stale translation."""
    cfg, _ = built
    out = tmp_path / "zh"
    args = ["run", "--config", str(cfg), "--out", str(out), "--unit", "east", "--period", PERIOD, "--lang", "zh"]
    assert cli.main(args) == 0
    book = out / PERIOD / "east" / f"east_{PERIOD}_risk_register.xlsx"
    wb = load_workbook(book)
    assert {"说明", "风险登记册", "行动", "控制措施", "关键风险指标", "指标历史"} <= set(wb.sheetnames)
    reg = wb["风险登记册"]
    head = [c.value for c in reg[1]]
    assert {"编号", "应对策略", "负责人", "调整原因", "风险敞口"} <= set(head)
    rows = {r[0].value: r for r in reg.iter_rows(min_row=2)}
    assert rows["R-FIN-01"][head.index("名称")].value == "应收账款与坏账"
    # its values are Chinese too, and so are the drop-down lists Excel enforces
    values = {c.value for r in reg.iter_rows(min_row=2) for c in r if isinstance(c.value, str)}
    assert values & {"极高", "高", "中", "低"} and values & {"规避", "降低", "转移", "接受"}
    assert not values & {"critical", "high", "transfer", "mitigate", "accept"}
    lists = [v for v in reg.data_validations.dataValidation if v.type == "list"]
    assert any(v.formula1 == '"规避,降低,转移,接受"' and v.showErrorMessage for v in lists), [v.formula1 for v in lists]
    assert rows["R-FIN-02"][head.index("调整原因")].value.startswith("前三大客户")  # the register's translation
    notes = [r[-1] for r in wb["关键风险指标"].iter_rows(min_row=2, values_only=True) if r[-1]]
    assert notes and all(not str(n).isascii() for n in notes), notes  # KRI notes in Chinese
    act = wb["行动"]
    ah = [c.value for c in act[1]]
    statuses = {r[ah.index("状态")] for r in act.iter_rows(min_row=2, values_only=True)}
    assert "建议" in statuses and "recommended" not in statuses
    before = (cfg.parent / "register" / "east.yaml").read_text(encoding="utf-8")
    try:
        assert cli.main(["register", "import", str(book), "--config", str(cfg)]) == 0
        assert "no change" in capsys.readouterr().out
        rows["R-FIN-01"][head.index("负责人")].value = "Wang Fang"
        edited = tmp_path / "edited.xlsx"
        wb.save(edited)
        assert cli.main(["register", "import", str(edited), "--config", str(cfg)]) == 0
        capsys.readouterr()
        doc = yaml.safe_load((cfg.parent / "register" / "east.yaml").read_text(encoding="utf-8"))
        fin = doc["risks"]["R-FIN-01"]
        assert fin["owner"] == "Wang Fang" and "owner_zh" not in fin
        assert fin["actions"][0]["action_zh"] == "将逾期90天以上的客户暂停赊销"  # unchanged text: translation kept
        assert fin["controls"][0]["name_zh"] == "为前十大客户投保信用保险"
        assert doc["risks"]["R-FIN-02"]["override"]["reason_zh"].startswith("前三大客户")
        # a response typed in either language, and a recommended action taken on in Chinese keeps both texts
        resp = head.index("应对策略")
        first = next(k for k, r in rows.items() if k and k != "R-FIN-01" and r[resp].value != "转移")
        rows[first][resp].value, rows["R-FIN-01"][resp].value = "转移", "accept"
        taken = next(r for r in act.iter_rows(min_row=2) if r[ah.index("状态")].value == "建议")
        taken[ah.index("状态")].value = "推进中"
        taken[ah.index("截止日期")].value = dt.datetime(2027, 2, 1)
        risk, text = taken[0].value, taken[ah.index("行动")].value
        wb.save(edited)
        assert cli.main(["register", "import", str(edited), "--config", str(cfg), "--dry-run"]) == 0
        dry = capsys.readouterr().out
        assert "None" not in dry and "added (in progress)" in dry, dry
        assert cli.main(["register", "import", str(edited), "--config", str(cfg)]) == 0
        doc = yaml.safe_load((cfg.parent / "register" / "east.yaml").read_text(encoding="utf-8"))
        kept = {**doc["risks"], **{a["id"]: a for a in doc.get("added", [])}}
        assert kept[first]["response"] == "transfer" and kept["R-FIN-01"]["response"] == "accept"
        mine = next(a for a in doc["risks"][risk]["actions"] if a.get("action_zh") == text)
        assert mine["status"] == "in progress" and mine["action"].isascii() and mine["action"]
    finally:  # the module's other tests read the register as it was
        (cfg.parent / "register" / "east.yaml").write_text(before, encoding="utf-8")


def test_every_bad_cell_of_every_sheet_is_named_at_once(built, tmp_path: Path, capsys) -> None:
    """Problems in three sheets, one of them a due date only the register check would catch, come back
    together, each by sheet, row and column as the analyst sees them, never as a path in the YAML."""
    cfg, d = built
    before = (cfg.parent / "register" / "east.yaml").read_bytes()
    wb = load_workbook(d / f"east_{PERIOD}_risk_register.xlsx")
    act, reg, ctl = wb["Actions"], wb["Register"], wb["Controls"]
    ah, head = [code_of(c.value) for c in act[1]], [code_of(c.value) for c in reg[1]]
    open_row = next(r for r in act.iter_rows(min_row=2) if r[ah.index("status")].value != "recommended")
    open_row[ah.index("due")].value = "next Tuesday"
    reg.cell(3, head.index("response") + 1).value = "monitor"
    ctl.append(["R-FIN-02", "Weekly forecast review", 7, 0])
    book = tmp_path / "three.xlsx"
    wb.save(book)
    assert cli.main(["register", "import", str(book), "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert f"sheet Actions, row {open_row[0].row}, column Due" in err, err
    assert "sheet Register, row 3, column Response: 'monitor'" in err, err
    assert f"sheet Controls, row {ctl.max_row}, column" in err, err
    assert ".yaml: risks." not in err and "Traceback" not in err
    assert (cfg.parent / "register" / "east.yaml").read_bytes() == before
