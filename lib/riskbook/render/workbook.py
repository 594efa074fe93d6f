"""The analysts' Excel risk register: risks, actions, KRIs and evidence, one sheet each."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from riskbook.report.palettes import ACCENT, RAG, RATING

HEADER_FILL = PatternFill("solid", fgColor=ACCENT.lstrip("#").upper())
HEADER_FONT = Font(bold=True, color="FFFFFF")


def _sheet(wb: Workbook, title: str, df: pd.DataFrame) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for c in ws[1]:
        c.fill, c.font = HEADER_FILL, HEADER_FONT
    for i, col in enumerate(df.columns, 1):
        width = max([len(str(col))] + [len(str(_cell(v))) for v in df[col].head(200)]) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(60, width)
        colour = {"status": RAG, "rating": RATING, "residual_rating": RATING}.get(col)
        if colour:
            for cell in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                fill = colour.get(str(cell[0].value))
                if fill:
                    cell[0].fill = PatternFill("solid", fgColor=fill.lstrip("#"))
    ws.freeze_panes = "A2"
    if len(df):
        ws.auto_filter.ref = ws.dimensions
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=isinstance(c.value, str) and len(c.value) > 40)
    _text_cells(ws)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text that no spreadsheet reads as a formula: a leading = + - @ tab or CR is prefixed with an
    apostrophe (OWASP's advice against CSV and formula injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(v):
    if isinstance(v, (list, tuple)):
        v = "; ".join(str(x.get("action", x)) if isinstance(x, dict) else str(x) for x in v)
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime().date()
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, str):
        return inert(v)
    return v


def _text_cells(ws) -> None:
    """Every text cell stored as a string, never as a formula (openpyxl reads a leading = as one)."""
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"


DQ_ROWS = 20_000  # findings listed in the workbook's data-quality sheet (results.json counts them all)


def findings_sheet(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that touch a report, one row each, in the order a data owner fixes them."""
    cols = [
        "when",
        "period",
        "severity",
        "check",
        "table",
        "file",
        "row",
        "key",
        "column",
        "value",
        "note",
        "excluded",
        "unit",
    ]
    if findings is None or not len(findings):
        return pd.DataFrame(columns=cols)
    order = findings.assign(
        _w=findings["when"].map({"period": 0, "earlier": 1, "undated": 2, "future": 3}),
        _s=findings["severity"].ne("error"),
    )
    order = order.sort_values(["_w", "_s", "table", "check", "row"], kind="stable")
    return order[cols].head(DQ_ROWS).reset_index(drop=True)


def write_register(
    path: Path,
    risks: pd.DataFrame,
    actions: pd.DataFrame,
    kris: pd.DataFrame,
    evidence: dict[str, pd.DataFrame],
    meta: dict[str, str],
    findings: pd.DataFrame | None = None,
) -> None:
    """Write the register workbook atomically."""
    wb = Workbook()
    info = wb.active
    info.title = "About"
    for k, v in meta.items():
        info.append([k, _cell(v)])
    _text_cells(info)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 18, 60
    cols = [
        "id",
        "family",
        "title",
        "likelihood",
        "impact",
        "score",
        "rating",
        "residual_likelihood",
        "residual_impact",
        "residual_score",
        "residual_rating",
        "exposure",
        "exposure_pct",
        "movement",
        "previous_score",
        "response",
        "owner",
        "kris",
        "controls",
        "source",
        "model_likelihood",
        "model_impact",
        "override_reason",
    ]
    _sheet(wb, "Register", risks[[c for c in cols if c in risks.columns]])
    _sheet(wb, "Actions", actions)
    _sheet(
        wb,
        "KRIs",
        kris[["id", "family", "title", "value", "unit", "previous", "amber", "red", "direction", "status", "reason"]],
    )
    _sheet(wb, "Data quality", findings_sheet(findings))
    for name, df in evidence.items():
        _sheet(wb, name, df)
    tmp = Path(path).with_suffix(".tmp.xlsx")
    wb.save(tmp)
    tmp.replace(path)
