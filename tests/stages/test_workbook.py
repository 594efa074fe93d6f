"""The register workbook as Excel reads it (its XML): validations Excel enforces, with their message in the
workbook's language; fills that follow an action's status and lateness; the unit's name on About."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from riskbook import stages
from riskbook.render.outputs import write_outputs
from riskbook.stages.unit import open_unit

pytestmark = pytest.mark.slow  # the tiny company's four stages, twice (7 s)


def company(tiny_dir: Path, root: Path, lang: str) -> str:
    (root / "register").mkdir(parents=True)
    (root / "units").mkdir()
    (root / "company.yaml").write_text(f"company: Tiny\nas_of: 2026-10-20\nlang: {lang}\ndata: {tiny_dir}\n")
    (root / "units" / "u.yaml").write_text("name: {en: Unit Upstream, zh: 上游事业部}\n", encoding="utf-8")
    (root / "register" / "u.yaml").write_text(
        "risks:\n  R-FIN-01:\n    actions:\n"
        "      - {action: Chase A, owner: Ann, due: 2026-10-15, status: open}\n"
        "      - {action: Chase C, owner: Bo, due: 2026-09-01, status: done}\n",
        encoding="utf-8",
    )
    return str(root / "company.yaml")


def sheet_xml(path: Path, title: str) -> str:
    """The XML of the sheet named ``title``."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet [^>]*name="{re.escape(title)}"[^>]*r:id="(rId\d+)"', book)[1]
        target = re.search(rf'Id="{rid}"[^>]*Target="/?(?:xl/)?([^"]+)"', rels) or re.search(
            rf'Target="/?(?:xl/)?([^"]+)"[^>]*Id="{rid}"', rels
        )
        return z.read(f"xl/{target[1]}").decode()


@pytest.mark.parametrize(
    ("lang", "actions", "about", "one_of"),
    [("en", "Actions", "About", "One of: "), ("zh", "行动", "说明", "请从以下选择：")],
)
def test_excel_enforces_the_lists_and_fills_follow_the_status(
    tiny_dir: Path, tmp_path: Path, lang: str, actions: str, about: str, one_of: str
) -> None:
    u = open_unit("u", "2026Q3", None, None, company(tiny_dir, tmp_path / "co", lang), tmp_path / "out")
    write_outputs(u, stages.summary(u))
    path = u.out / "u_2026Q3_risk_register.xlsx"
    xml = sheet_xml(path, actions)
    validations = re.findall(r"<dataValidation [^>]*>", xml)
    assert validations and all(
        'showErrorMessage="1"' in v and 'errorStyle="stop"' not in v or 'showErrorMessage="1"' in v for v in validations
    )
    assert all('showErrorMessage="1"' in v for v in validations)  # Excel refuses "monitor" or 9, not only warns
    assert any(one_of in v for v in validations)  # the message in the workbook's language
    from riskbook.core.i18n import t

    done = t("done", lang)  # the word the workbook shows
    assert f"&quot;{done}&quot;" in xml or f'"{done}"' in xml  # a done action fills green
    assert re.search(r"N\([A-Z]+2\)&gt;0|N\([A-Z]+2\)>0", xml)  # a late action's days overdue fill red
    wb = load_workbook(path)
    rows = {r[0].value: r[1].value for r in wb[about].iter_rows()}
    assert rows["Unit name" if lang == "en" else "单元名称"] == ("Unit Upstream" if lang == "en" else "上游事业部")
    assert rows["Business unit" if lang == "en" else "业务单元"] == "u"  # the id the import reads back


def test_the_kri_history_reads_like_a_table_of_periods(tiny_dir: Path, tmp_path: Path) -> None:
    """Its headers are the periods as written (2026Q3, not 2026q3), each KRI is named, values show two
    decimals."""
    u = open_unit("u", "2026Q3", "en", None, company(tiny_dir, tmp_path / "co", "en"), tmp_path / "out")
    write_outputs(u, stages.summary(u))
    ws = load_workbook(u.out / "u_2026Q3_risk_register.xlsx")["KRI history"]
    header = [c.value for c in ws[1]]
    assert header[:2] == ["ID", "Title"] and "2026Q3" in header and "2026Q2" in header
    row = {h: c for h, c in zip(header, ws[2])}
    assert isinstance(row["Title"].value, str) and row["Title"].value
    assert row["2026Q3"].number_format == "#,##0.00"


def test_a_long_tab_name_is_cut_at_a_words_end_and_says_so() -> None:
    from riskbook.render.workbook import _sheet_name

    assert _sheet_name("Customers over their credit limit") == "Customers over their credit…"
    assert _sheet_name("KRI history") == "KRI history" and _sheet_name("Risk: [x]") == "Risk x"
    assert all(len(_sheet_name(n)) <= 31 for n in ("x" * 40, "客户" * 30, "word " * 20))


def test_the_data_quality_sheet_follows_the_report_not_the_defects(tmp_path: Path) -> None:
    """2,500 findings: the sheet lists the first 2,000 in the order to fix them and says on its last line how
    many more there are; a formula-looking value stays text."""
    import pandas as pd

    from riskbook.render import workbook as W

    n = 2_500
    findings = pd.DataFrame(
        {
            "when": ["period"] * n,
            "period": ["2026Q3"] * n,
            "severity": ["error"] * 10 + ["warning"] * (n - 10),
            "check": ["missing_value"] * n,
            "table": ["orders"] * n,
            "file": ["orders.csv"] * n,
            "row": range(2, n + 2),
            "key": [f"O-{i}" for i in range(n)],
            "column": ["customer_id"] * n,
            "value": ["=HYPERLINK(1)"] * n,
            "note": ["missing"] * n,
            "excluded": ["row"] * n,
            "unit": ["u"] * n,
        }
    )
    empty = pd.DataFrame(columns=["id"])
    path = tmp_path / "book.xlsx"
    W.write_register(
        path,
        empty.assign(**{c: [] for c in W.REGISTER_COLS}),
        empty,
        empty.assign(**{c: [] for c in W.KRI_COLS}),
        {},
        {"unit": "u"},
        findings=findings,
    )
    ws = load_workbook(path)["Data quality"]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + W.DQ_ROWS + 1
    assert rows[1][2] == "error" and rows[-2][6] == W.DQ_ROWS + 1  # errors first, then by row
    assert (
        rows[-1][0]
        == "… and 500 more findings (2,500 in all): results.json counts them by check, riskbook validate lists them"
    )
    assert not [c for r in ws.iter_rows() for c in r if c.data_type == "f"]
