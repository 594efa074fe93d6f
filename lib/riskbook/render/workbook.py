"""The analysts' Excel risk register: risks, actions, KRIs and evidence, one sheet each."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from riskbook.core import paths
from riskbook.core.i18n import column, t
from riskbook.display.palettes import ACCENT, RAG, RATING
from riskbook.render.workbook_zh import coloured, localised
from riskbook.risks import RESPONSES
from riskbook.settings.register_labels import (
    ABOUT,
    ABOUT_LABELS,
    ACTION_COLS,
    ACTIONS,
    CONTROL_COLS,
    CONTROLS,
    LABELS,
    OVERRIDE_COLS,
    RECOMMENDED,
    REGISTER,
    label,
)
from riskbook.settings.validate import STATUSES

HEADER_FILL = PatternFill("solid", fgColor=ACCENT.lstrip("#").upper())
HEADER_FONT = Font(bold=True, color="FFFFFF")


# number formats by column: amounts grouped, shares in percent, scores whole, dates as dates
FORMATS: dict[str, str] = {
    "exposure": "#,##0",
    "balance": "#,##0.00",
    "amount": "#,##0.00",
    "open_balance": "#,##0.00",
    "credit_limit": "#,##0",
    "previous_revenue": "#,##0",
    "revenue": "#,##0",
    "overdue": "#,##0.00",
    "exposure_pct": '0.00"%"',
    "share_pct": '0.0"%"',
    "discount_pct": '0.0"%"',
    "value": "#,##0.00",
    "previous": "#,##0.00",
    "amber": "#,##0.00",
    "red": "#,##0.00",
    "due": "yyyy-mm-dd",
    "issue_date": "yyyy-mm-dd",
    "due_date": "yyyy-mm-dd",
    "order_date": "yyyy-mm-dd",
    "date": "yyyy-mm-dd",
    "exit_date": "yyyy-mm-dd",
    "hire_date": "yyyy-mm-dd",
    "close_date": "yyyy-mm-dd",
}
COLOURED = {"status": RAG, "rating": RATING, "residual_rating": RATING}
# an action's status is not a RAG word: done is green, cancelled grey; a late one is red in Days overdue
ACTION_COLOURED = {"status": {"done": RATING["low"], "cancelled": RAG["n/a"]}}


def _fill(hex_colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=hex_colour.lstrip("#").upper(), bgColor=hex_colour.lstrip("#").upper())


def _sheet(
    wb: Workbook,
    title: str,
    df: pd.DataFrame,
    lists: dict[str, tuple[str, ...]] | None = None,
    whole: dict[str, tuple[int, int]] | None = None,
    lang: str = "en",
    coloured: dict[str, dict[str, str]] | None = None,
) -> None:
    """One sheet of ``df``: a styled header, number and date formats, drop-down lists (``lists``) and
    whole-number ranges (``whole``) on the columns an analyst edits, conditional fills by status and rating
    (they follow an edit), frozen header, filters, landscape print on one page's width."""
    ws = wb.create_sheet(_sheet_name(label(title, lang)))
    ws.append([label(c, lang) if c in LABELS else str(c) if _period(c) else column(c, lang) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for c in ws[1]:
        c.fill, c.font = HEADER_FILL, HEADER_FONT
    last = max(ws.max_row, 2)
    for i, col in enumerate(df.columns, 1):
        letter = get_column_letter(i)
        wide = max([_width(ws.cell(1, i).value)] + [_width(_cell(v)) for v in df[col].head(200)]) + 2
        ws.column_dimensions[letter].width = min(60, wide)
        fmt = FORMATS.get(col) or (PERIOD_FORMAT if _period(col) else None)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        _colours(ws, col, letter, last, (coloured if coloured is not None else COLOURED).get(col))
        rng = f"{letter}2:{letter}{last + 500}"  # rows an analyst adds are covered too
        if lists and col in lists:
            dv = _validation("list", label(col, lang), t("xl_one_of", lang, items=", ".join(lists[col])))
            dv.formula1 = '"' + ",".join(lists[col]) + '"'
            ws.add_data_validation(dv)
            dv.add(rng)
        if whole and col in whole:
            lo, hi = whole[col]
            dv = _validation("whole", label(col, lang), t("xl_whole", lang, lo=lo, hi=hi))
            dv.operator, dv.formula1, dv.formula2 = "between", str(lo), str(hi)
            ws.add_data_validation(dv)
            dv.add(rng)
    ws.freeze_panes = "A2"
    if len(df):
        ws.auto_filter.ref = ws.dimensions
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=isinstance(c.value, str) and len(c.value) > 40)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    _text_cells(ws)


PERIOD_FORMAT = "#,##0.00"  # a KRI's value in a period column of the history


def _period(col: object) -> bool:
    """A column named by a period (2026Q3, 2026-09, 2026): its name is shown as it is, its values as numbers."""
    return bool(re.fullmatch(r"\d{4}(Q[1-4]|-\d{2})?", str(col)))


def _validation(kind: str, title: str, message: str) -> DataValidation:
    """A validation Excel enforces: a wrong value is refused on entry with ``message`` (openpyxl writes
    validations that only warn nothing unless the error message is switched on)."""
    dv = DataValidation(type=kind, allow_blank=True, showErrorMessage=True, errorStyle="stop")
    dv.error, dv.errorTitle = message, title
    dv.prompt, dv.promptTitle, dv.showInputMessage = message, title, True
    return dv


def _colours(ws: Any, col: str, letter: str, last: int, colours: dict[str, str] | None) -> None:
    """Fills that follow the words of a column (a status, a rating), or a late action's days overdue."""
    rng = f"{letter}2:{letter}{last + 500}"
    for word, colour in (colours or {}).items():
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f'{letter}2="{word}"'], fill=_fill(colour)))
    if col == "days_overdue":
        ws.conditional_formatting.add(rng, FormulaRule(formula=[f"N({letter}2)>0"], fill=_fill(RATING["critical"])))


def _sheet_name(name: str) -> str:
    """A valid sheet name: at most 31 characters, none of : \\ / ? * [ ]; a longer one is cut at a word's
    end and says so (Customers over their credit…, not Customers over their credit lim)."""
    name = " ".join(re.sub(r"[:\\/?*\[\]]", " ", name).split())
    if len(name) <= 31:
        return name
    head = name[:30]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(" ,;-") + "…"


def _width(v: object) -> int:
    """A cell's display width: a Chinese character takes two columns."""
    s = str(v) if v is not None else ""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text that no spreadsheet reads as a formula: a leading = + - @ tab or CR is prefixed with an
    apostrophe (OWASP's advice against CSV and formula injection); control characters, which no cell may
    hold (openpyxl refuses the whole workbook), are taken out."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
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


DQ_ROWS = 2_000  # findings listed in the workbook's data-quality sheet, in the order to fix them; the rest
# are counted on its last line (results.json counts them by check, riskbook validate lists them). At 20,000
# rows the sheet took 10.4 s to write on the 2-core machine; at 2,000, 1.6 s (issue 20 note)


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


def _quality_sheet(wb: Workbook, findings: pd.DataFrame | None, lang: str) -> None:
    """The data-quality sheet: the first DQ_ROWS findings, then a line counting the rest (the cost follows
    the report, not the defects)."""
    listed = findings_sheet(findings)
    _sheet(wb, "Data quality", listed, lang=lang)
    total = 0 if findings is None else len(findings)
    if total > len(listed):
        ws = wb[_sheet_name(label("Data quality", lang))]
        ws.append([t("xl_more_findings", lang, n=f"{total - len(listed):,}", total=f"{total:,}")])


def register_controls(risks: pd.DataFrame, register: object) -> pd.DataFrame:
    """The Controls sheet: one row per control recorded for a live risk, with what it reduces."""
    rows = []
    for r in risks[risks["movement"] != "closed"].itertuples():
        entry = (
            register.entry(r.id)
            if r.source != "analyst"
            else next((a for a in register.added if a.get("id") == r.id), {})
        )
        for c in entry.get("controls") or []:
            red = c.get("reduces") or {}
            rows.append(
                {
                    "risk": r.id,
                    "control": c.get("name", ""),
                    "control_zh": c.get("name_zh"),
                    "reduces_likelihood": red.get("likelihood", 0),
                    "reduces_impact": red.get("impact", 0),
                }
            )
    return pd.DataFrame(rows, columns=[*CONTROL_COLS, "control_zh"])


# the Register sheet's columns, in order (those the risks have)
REGISTER_COLS: tuple[str, ...] = (
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
    *OVERRIDE_COLS,
    "kris",
    "controls",
    "source",
    "model_likelihood",
    "model_impact",
)
KRI_COLS: tuple[str, ...] = (
    "id",
    "family",
    "title",
    "value",
    "unit",
    "previous",
    "amber",
    "red",
    "direction",
    "status",
    "reason",
)


def write_register(
    path: Path,
    risks: pd.DataFrame,
    actions: pd.DataFrame,
    kris: pd.DataFrame,
    evidence: dict[str, pd.DataFrame],
    meta: dict[str, str],
    findings: pd.DataFrame | None = None,
    controls: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    lang: str = "en",
) -> None:
    """Write the register workbook atomically, its sheet names and headings in ``lang``. Its Register,
    Actions and Controls sheets are read back by ``riskbook register import`` (riskbook.settings.register_import)."""
    from riskbook.risks import evidence_title

    wb = Workbook()
    _about_sheet(wb, meta, lang)
    controls = controls if controls is not None else pd.DataFrame(columns=list(CONTROL_COLS))
    reg = _with_overrides(risks)
    if lang == "zh":  # titles, owners, actions and words in the workbook's language; ids and numbers as they are
        reg, actions, controls, kris = localised(reg, actions, controls, kris)
    words = {x: t(x, lang) for x in (*RESPONSES, *STATUSES, RECOMMENDED)}
    _sheet(
        wb,
        REGISTER,
        reg[[c for c in REGISTER_COLS if c in reg.columns]],
        lists={"response": tuple(words[x] for x in RESPONSES)},
        whole={"override_likelihood": (1, 5), "override_impact": (1, 5)},
        lang=lang,
        coloured=coloured(COLOURED, lang),
    )
    _sheet(
        wb,
        ACTIONS,
        actions[[c for c in ACTION_COLS if c in actions.columns]],
        lists={"status": tuple(words[x] for x in (*STATUSES, RECOMMENDED))},
        lang=lang,
        coloured=coloured(ACTION_COLOURED, lang),
    )
    _sheet(
        wb,
        CONTROLS,
        controls[list(CONTROL_COLS)],
        whole={"reduces_likelihood": (0, 4), "reduces_impact": (0, 4)},
        lang=lang,
    )
    _sheet(wb, "KRIs", kris[list(KRI_COLS)], lang=lang, coloured=coloured(COLOURED, lang))
    if history is not None and len(history):
        hist = history.pivot_table(index="id", columns="period", values="value", sort=False).reset_index()
        hist.columns = [str(c) for c in hist.columns]
        titles = dict(zip(kris["id"], kris["title_zh" if lang == "zh" else "title"], strict=False))
        hist.insert(1, "title", hist["id"].map(titles))
        _sheet(wb, "KRI history", hist, lang=lang)
    _quality_sheet(wb, findings, lang)
    for name, df in evidence.items():
        _sheet(wb, evidence_title(name, lang), df, lang=lang)
    with paths.replacing(Path(path)) as tmp:
        wb.save(tmp)


def _about_sheet(wb: Workbook, meta: dict[str, str], lang: str) -> None:
    """The first sheet: what the workbook is of (company, unit, period, …), one labelled row each."""
    info = wb.active
    info.title = label(ABOUT, lang)
    for k, v in {**meta, "lang": lang}.items():
        en, zh = ABOUT_LABELS.get(k, (k, k))
        info.append([zh if lang == "zh" else en, _cell(v)])
    _text_cells(info)
    info.column_dimensions["A"].width, info.column_dimensions["B"].width = 18, 60


def _with_overrides(risks: pd.DataFrame) -> pd.DataFrame:
    """The risks with the analyst's overrides as their own columns: the likelihood or impact where a reason
    is given and it differs from the model's, else empty."""
    return risks.assign(
        override_likelihood=[
            lk if isinstance(why, str) and m is not None and lk != m else None
            for lk, m, why in zip(risks["likelihood"], risks["model_likelihood"], risks["override_reason"])
        ],
        override_impact=[
            im if isinstance(why, str) and m is not None and im != m else None
            for im, m, why in zip(risks["impact"], risks["model_impact"], risks["override_reason"])
        ],
    )
