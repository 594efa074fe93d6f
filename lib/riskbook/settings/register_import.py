"""The register workbook read back: an analyst's edits of owners, responses, overrides, controls and
actions in ``<unit>_<period>_risk_register.xlsx`` become ``register/<unit>.yaml``.

The sheets and columns named here are the contract between the workbook riskbook writes
(riskbook.render.workbook) and this reader: ``Register`` (one row per risk; response, owner and the
override columns are the analyst's), ``Actions`` (one row per action; a recommended action becomes the
analyst's when its status is set to open), ``Controls`` (one row per control).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from riskbook.core import paths
from riskbook.core.errors import ParamError
from riskbook.core.paths import one_line
from riskbook.risks import BY_ID, RESPONSES
from riskbook.settings.params import read_yaml
from riskbook.settings.validate import STATUSES, check_register

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


def _rows(ws: Any, sheet: str, path: Path, need: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, {column: value}) of each non-empty row of ``ws``; ParamError when a column is missing."""
    it = ws.iter_rows(values_only=True)
    head = [code_of(h) for h in next(it, ())]
    missing = [label(c) for c in need if c not in head]
    if missing:
        raise ParamError(f"{path}: sheet {sheet}: column(s) {', '.join(missing)} missing (the header row is row 1)")
    out = []
    for n, values in enumerate(it, start=2):
        row = {h: (v.strip() if isinstance(v, str) else v) for h, v in zip(head, values) if h}
        row = {k: (None if v == "" else v) for k, v in row.items()}
        if any(v is not None for v in row.values()):
            out.append((n, row))
    return out


def _text(v: Any) -> str:
    """A cell as text, the apostrophe riskbook put before a formula-like value taken off again."""
    s = str(v).strip()
    return s[1:] if s.startswith("'") and s[1:2] in ("=", "+", "-", "@") else s


def _date(v: Any) -> Any:
    """A due date as the register writes it: a date (YAML's 2026-12-31), or the text as typed."""
    import datetime as dt

    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    text = _text(v)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return text  # check_register names it: "must be an ISO date"


def read_workbook(path: Path) -> tuple[str, dict[str, dict[str, Any]]]:
    """The unit of a register workbook and what its sheets say of each risk (register entries)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, or damaged: one line
        raise ParamError(f"{path}: not a register workbook riskbook wrote ({type(exc).__name__})") from None
    sheets = {code: find_sheet(wb, code, path) for code in (ABOUT, REGISTER, ACTIONS, CONTROLS)}
    for code, ws in sheets.items():
        if ws is None:
            raise ParamError(f"{path}: sheet {code} missing (is this a riskbook register workbook?)")
    about = {
        _ABOUT.get(str(r[0]).strip().casefold()): r[1] for r in sheets[ABOUT].iter_rows(values_only=True) if r and r[0]
    }
    unit = str(about.get("unit") or "")
    if not unit:
        raise ParamError(f"{path}: sheet About: no unit row")
    if not paths.is_unit_id(unit):
        raise ParamError(
            f"{path}: sheet About: unit {one_line(unit)[:60]!r} is not a unit id (a lowercase slug [a-z0-9_]+, "
            f"not group or failed)"
        )
    problems: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    _register_sheet(sheets[REGISTER], path, entries, problems)  # first: the actions and controls name its risks
    _actions_sheet(sheets[ACTIONS], path, entries, problems)
    _controls_sheet(sheets[CONTROLS], path, entries, problems)
    if problems:
        raise ParamError("\n".join(problems))
    return unit, entries


def _register_sheet(ws: Any, path: Path, entries: dict[str, dict[str, Any]], problems: list[str]) -> None:
    """The Register sheet: each risk's response, owner and override (problems: one line each, by row and column)."""
    at = f"{path}: sheet {label(REGISTER)}, row"
    for n, r in _rows(ws, label(REGISTER), path, ("id", "source", "response", "owner", *OVERRIDE_COLS)):
        rid = _text(r["id"])
        e: dict[str, Any] = {}
        if r.get("response") is not None:
            e["response"] = _text(r["response"]).lower()
            if e["response"] not in RESPONSES:
                problems.append(
                    f"{at} {n}, column {label('response')}: {e['response']!r} is not one of {list(RESPONSES)}"
                )
        if r.get("owner") is not None:
            e["owner"] = _text(r["owner"])
        over = {k: r.get(f"override_{k}") for k in ("likelihood", "impact")}
        if any(v is not None for v in over.values()) or r.get("override_reason") is not None:
            ov: dict[str, Any] = {}
            for k, v in over.items():
                if v is None:
                    continue
                if not (isinstance(v, (int, float)) and float(v).is_integer() and 1 <= v <= 5):
                    problems.append(
                        f"{at} {n}, column {label('override_' + k)}: must be a whole number "
                        f"from 1 to 5, but {v!r} was given"
                    )
                    continue
                ov[k] = int(v)
            if r.get("override_reason") is None:
                problems.append(f"{at} {n}, column {label('override_reason')}: an override needs a reason")
            else:
                ov["reason"] = _text(r["override_reason"])
            e["override"] = ov
        e["_source"] = _text(r.get("source") or "")
        entries[rid] = e


def _actions_sheet(ws: Any, path: Path, entries: dict[str, dict[str, Any]], problems: list[str]) -> None:
    """The Actions sheet: the analysts' actions (a recommended one until its status changes), by risk."""
    for n, r in _rows(ws, label(ACTIONS), path, ACTION_COLS[:5]):
        rid, status = _text(r.get("risk") or ""), _text(r.get("status") or "open").lower()
        if status == RECOMMENDED:
            continue
        where = f"{path}: sheet {label(ACTIONS)}, row {n}"
        if rid not in entries:
            problems.append(f"{where}, column {label('risk')}: {rid!r} is not a risk of the Register sheet")
            continue
        if status not in STATUSES:
            problems.append(f"{where}, column {label('status')}: {status!r} is not one of {[*STATUSES, RECOMMENDED]}")
            continue
        if r.get("action") is None:
            problems.append(f"{where}, column {label('action')}: empty")
            continue
        a: dict[str, Any] = {"action": _text(r["action"]), "status": status}
        if r.get("owner") is not None:
            a["owner"] = _text(r["owner"])
        if r.get("due") is not None:
            a["due"] = _date(r["due"])
        entries[rid].setdefault("actions", []).append(a)


def _controls_sheet(ws: Any, path: Path, entries: dict[str, dict[str, Any]], problems: list[str]) -> None:
    """The Controls sheet: each risk's controls and what they reduce."""
    for n, r in _rows(ws, label(CONTROLS), path, CONTROL_COLS):
        rid = _text(r.get("risk") or "")
        where = f"{path}: sheet {label(CONTROLS)}, row {n}"
        if rid not in entries:
            problems.append(f"{where}, column {label('risk')}: {rid!r} is not a risk of the Register sheet")
            continue
        c: dict[str, Any] = {"name": _text(r.get("control") or "")}
        reduces = {}
        for k in ("likelihood", "impact"):
            v = r.get(f"reduces_{k}")
            if v is None:
                continue
            if not (isinstance(v, (int, float)) and float(v).is_integer() and 0 <= v <= 4):
                problems.append(
                    f"{where}, column {label('reduces_' + k)}: must be a whole number from 0 to 4, but {v!r} was given"
                )
                continue
            if int(v):
                reduces[k] = int(v)
        if reduces:
            c["reduces"] = reduces
        entries[rid].setdefault("controls", []).append(c)


def _translated(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` with the ``<field>_zh`` translations of ``old`` kept where the field's text did not change
    (the workbook shows the register's own text; its Chinese stays in the register file)."""
    out = dict(new)
    for k, v in old.items():
        base = k[:-3]
        if k.endswith("_zh") and base in out and out[base] == old.get(base):
            out[k] = v
    for key, by in (("actions", "action"), ("controls", "name")):
        before = {x.get(by): x for x in old.get(key) or [] if isinstance(x, dict)}
        if out.get(key):
            out[key] = [_translated(before.get(x.get(by)) or {}, x) for x in out[key]]
    if isinstance(out.get("override"), dict) and isinstance(old.get("override"), dict):
        out["override"] = _translated(old["override"], out["override"])
    return out


def merge(doc: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``doc`` (a register file) with the workbook's view of each of its risks. A library risk's owner or
    response equal to the library's default is not written; risks not in the workbook are kept as they are."""
    out = copy.deepcopy(doc) if doc else {}
    risks = out.setdefault("risks", {}) or {}
    out["risks"] = risks
    added = {a.get("id"): a for a in out.get("added") or []}
    for rid, e in entries.items():
        source = e.pop("_source")
        if source == "analyst":  # a risk the analysts added: its scores stay as its register entry gives them
            a = added.get(rid)
            if a is not None:
                old = dict(a)
                for k in ("owner", "owner_zh", "response", "actions", "controls"):
                    a.pop(k, None)
                a.update(_translated(old, {k: v for k, v in e.items() if k != "override"}))
            continue
        lib = BY_ID.get(rid)
        old = risks.get(rid) or {}
        entry = {k: v for k, v in old.items() if k.startswith("_")}
        for k, v in _translated(old, e).items():
            if lib is not None and k in ("owner", "response") and v == getattr(lib, k):
                continue
            entry[k] = v
        if entry:
            risks[rid] = entry
        else:
            risks.pop(rid, None)
    if added:
        out["added"] = list(added.values())
    if not out["risks"]:
        out.pop("risks")
    return out


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per risk whose register entry the import changes."""
    lines = []
    b_all = {**(before.get("risks") or {}), **{a.get("id"): a for a in before.get("added") or []}}
    a_all = {**(after.get("risks") or {}), **{a.get("id"): a for a in after.get("added") or []}}
    for rid in sorted(set(b_all) | set(a_all)):
        b, a = b_all.get(rid) or {}, a_all.get(rid) or {}
        if a == b:
            continue
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        parts = []
        for k in keys:
            if k == "actions":
                n_b, n_a = len(b.get(k) or []), len(a.get(k) or [])
                parts.append(f"actions {n_b} → {n_a}" if n_b != n_a else "actions edited")
            elif isinstance(a.get(k), (dict, list)) or isinstance(b.get(k), (dict, list)):
                parts.append(f"{k} edited")
            else:
                parts.append(f"{k} {b.get(k)!r} → {a.get(k)!r}")
        lines.append(f"  {rid}: " + "; ".join(parts))
    return lines


def import_workbook(path: Path, params_dir: Path, write: bool = True) -> tuple[Path, list[str]]:
    """Read an analyst's register workbook into ``params_dir``/register/<unit>.yaml (checked before it is
    written, atomically); returns the file and the changes, one line per risk."""
    from riskbook.core.errors import DataError
    from riskbook.core.guard import check_file
    from riskbook.settings.register import register_path

    path = Path(path)
    try:
        check_file(path, fix="pass the register workbook riskbook wrote, edited")
    except DataError as exc:
        raise ParamError(str(exc)) from None
    unit, entries = read_workbook(path)
    known = sorted(p.stem for p in (Path(params_dir) / "units").glob("*.yaml"))
    if known and unit not in known:
        raise ParamError(
            f"{path}: sheet About: unit '{unit}' is not a unit of the company in {params_dir} "
            f"(units: {', '.join(known)})"
        )
    target = register_path(unit, params_dir)
    before = read_yaml(target)
    after = merge(before, entries)
    check_register(after, target)
    diff = changes(before, after)
    if write and diff:
        target.parent.mkdir(parents=True, exist_ok=True)
        head = f"# Analysts' register of {unit}; imported from {one_line(path.name)} by riskbook register import.\n"
        body = yaml.safe_dump(after, allow_unicode=True, sort_keys=False, width=110)
        try:
            paths.write_text_in(params_dir, target, head + body)
        except PermissionError as exc:
            raise ParamError(str(exc)) from None
    return target, diff
