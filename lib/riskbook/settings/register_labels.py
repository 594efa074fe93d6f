"""The register workbook's contract: its sheets and columns by code name, their headings in English and
Chinese, and the words of the columns an analyst fills from a list. riskbook.render.workbook writes it,
riskbook.settings.register_import reads it back, whatever the workbook's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from riskbook.core.errors import ParamError
from riskbook.risks import RESPONSES
from riskbook.settings.validate import STATUSES

REGISTER, ACTIONS, CONTROLS, ABOUT = "Register", "Actions", "Controls", "About"
OVERRIDE_COLS = ("override_likelihood", "override_impact", "override_reason")
ACTION_COLS = ("risk", "action", "owner", "due", "status", "days_overdue")
CONTROL_COLS = ("risk", "control", "reduces_likelihood", "reduces_impact")
RECOMMENDED = "recommended"  # an action the library suggests; not in the register until its status is changed

# Sheet names and column headings as the workbook shows them, in English and Chinese. The reader takes a
# heading in either language (or the code name), so a workbook reads back whatever its language.
LABELS: dict[str, tuple[str, str]] = {
    ABOUT: ("About", "说明"),
    REGISTER: ("Register", "风险登记册"),
    ACTIONS: ("Actions", "行动"),
    CONTROLS: ("Controls", "控制措施"),
    "KRIs": ("KRIs", "关键风险指标"),
    "KRI history": ("KRI history", "指标历史"),
    "Data quality": ("Data quality", "数据质量"),
    "unit": ("Unit", "单位"),
    "id": ("ID", "编号"),
    "family": ("Family", "类别"),
    "title": ("Title", "名称"),
    "likelihood": ("Likelihood", "可能性"),
    "impact": ("Impact", "影响"),
    "score": ("Score", "评分"),
    "rating": ("Rating", "评级"),
    "residual_likelihood": ("Residual likelihood", "剩余可能性"),
    "residual_impact": ("Residual impact", "剩余影响"),
    "residual_score": ("Residual score", "剩余评分"),
    "residual_rating": ("Residual rating", "剩余评级"),
    "exposure": ("Money at risk", "风险敞口"),
    "exposure_pct": ("Money at risk, % of revenue", "风险敞口占收入%"),
    "movement": ("Movement", "变动"),
    "previous_score": ("Previous score", "上期评分"),
    "response": ("Response", "应对策略"),
    "owner": ("Owner", "负责人"),
    "override_likelihood": ("Override likelihood", "调整后可能性"),
    "override_impact": ("Override impact", "调整后影响"),
    "override_reason": ("Override reason", "调整原因"),
    "kris": ("KRIs", "关键风险指标"),
    "controls": ("Controls", "控制措施"),
    "source": ("Source", "来源"),
    "model_likelihood": ("Model likelihood", "模型可能性"),
    "model_impact": ("Model impact", "模型影响"),
    "risk": ("Risk", "风险"),
    "action": ("Action", "行动"),
    "due": ("Due", "截止日期"),
    "status": ("Status", "状态"),
    "days_overdue": ("Days overdue", "逾期天数"),
    "control": ("Control", "控制措施"),
    "reduces_likelihood": ("Reduces likelihood by", "降低可能性"),
    "reduces_impact": ("Reduces impact by", "降低影响"),
    "value": ("Value", "数值"),
    "previous": ("Previous", "上期"),
    "amber": ("Amber", "黄色阈值"),
    "red": ("Red", "红色阈值"),
    "direction": ("Worse when", "恶化方向"),
    "reason": ("Note", "说明"),
}
ABOUT_LABELS: dict[str, tuple[str, str]] = {  # the About sheet's rows
    "company": ("Company", "公司"),
    "unit": ("Business unit", "业务单元"),
    "unit_name": ("Unit name", "单元名称"),
    "period": ("Period", "报告期"),
    "currency": ("Currency", "币种"),
    "data_through": ("Data through", "数据截至"),
    "period_complete": ("Period complete", "期间完整"),
    "prepared": ("Prepared", "编制日期"),
    "lang": ("Language", "语言"),
}
_ABOUT = {x.casefold(): code for code, pair in ABOUT_LABELS.items() for x in (code, *pair)} | {
    "data as at": "prepared"  # the label of workbooks written before riskbook said when the data ends
}
_CODES: dict[str, str] = {
    label.casefold(): code for code, pair in LABELS.items() for label in (code, *pair) if label not in ("KRIs",)
}


def _words() -> dict[str, dict[str, str]]:
    """Per column an analyst fills from a list, each word in English or Chinese → its code (转移 → transfer)."""
    from riskbook.core.i18n import t

    codes = {"response": RESPONSES, "status": (*STATUSES, RECOMMENDED), "source": ("kri", "analyst")}
    return {col: {w.casefold(): c for c in cs for w in (c, t(c, "zh"))} for col, cs in codes.items()}


WORDS = _words()


def word(col: str, value: Any) -> str:
    """A list cell's code: ``transfer`` for transfer, Transfer or 转移; anything else as typed (lower case)."""
    typed = cell_text(value)
    return WORDS[col].get(typed.casefold(), typed.lower())


def label(code: str, lang: str = "en") -> str:
    """A sheet's name or a column's heading in ``lang``."""
    en, zh = LABELS.get(code, (code, code))
    return zh if lang == "zh" else en


def code_of(heading: Any, sheet: str = "") -> str:
    """The code name of a heading in either language (``Override reason``, ``调整原因``); ``kris`` in the
    Register sheet, where the heading KRIs names the KRIs a risk follows."""
    h = str(heading).strip() if heading is not None else ""
    if h.casefold() in ("kris", "关键风险指标"):
        return "kris"
    if h.casefold() in _CODES:
        return _CODES[h.casefold()]
    return h.lower().replace(" %", "_pct").replace(" ", "_") if h.isascii() else h  # Customer id → customer_id


def find_sheet(wb: Any, code: str, path: Path | None = None) -> Any:
    """The sheet named ``code`` in English or Chinese, or None; ParamError (with ``path``) when the workbook
    has it in both languages, as two sheets that may disagree."""
    names = {n.casefold(): n for n in wb.sheetnames}
    found = list(dict.fromkeys(names[n.casefold()] for n in (code, *LABELS.get(code, ())) if n.casefold() in names))
    if len(found) > 1 and path is not None:
        raise ParamError(
            f"{path}: sheets {' and '.join(found)} are the same sheet in two languages; keep the one you edited"
        )
    return wb[found[0]] if found else None


def cell_text(v: Any) -> str:
    """A cell as text, the apostrophe riskbook put before a formula-like value taken off again."""
    s = str(v).strip()
    return s[1:] if s.startswith("'") and s[1:2] in ("=", "+", "-", "@") else s


def cell_date(v: Any) -> Any:
    """A due date as the register writes it: a date (YAML's 2026-12-31), or the text as typed."""
    import datetime as dt

    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = cell_text(v)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # check_register names it: "must be an ISO date"
