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

from riskbook.core.errors import ParamError
from riskbook.risks import BY_ID, RESPONSES
from riskbook.settings.checks import STATUSES, check_register
from riskbook.settings.params import read_yaml

REGISTER, ACTIONS, CONTROLS, ABOUT = "Register", "Actions", "Controls", "About"
OVERRIDE_COLS = ("override_likelihood", "override_impact", "override_reason")
ACTION_COLS = ("risk", "action", "owner", "due", "status", "days_overdue")
CONTROL_COLS = ("risk", "control", "reduces_likelihood", "reduces_impact")
RECOMMENDED = "recommended"  # an action the library suggests; not in the register until its status is changed


def _rows(ws: Any, sheet: str, path: Path, need: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, {column: value}) of each non-empty row of ``ws``; ParamError when a column is missing."""
    it = ws.iter_rows(values_only=True)
    head = [str(h).strip() if h is not None else "" for h in next(it, ())]
    missing = [c for c in need if c not in head]
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
    for sheet in (ABOUT, REGISTER, ACTIONS, CONTROLS):
        if sheet not in wb.sheetnames:
            raise ParamError(f"{path}: sheet {sheet} missing (is this a riskbook register workbook?)")
    about = {str(r[0]): r[1] for r in wb[ABOUT].iter_rows(values_only=True) if r and r[0]}
    unit = str(about.get("unit") or "")
    if not unit:
        raise ParamError(f"{path}: sheet About: no unit row")
    problems: list[str] = []
    entries: dict[str, dict[str, Any]] = {}
    for n, r in _rows(wb[REGISTER], REGISTER, path, ("id", "source", "response", "owner", *OVERRIDE_COLS)):
        rid = _text(r["id"])
        e: dict[str, Any] = {}
        if r.get("response") is not None:
            e["response"] = _text(r["response"]).lower()
            if e["response"] not in RESPONSES:
                problems.append(
                    f"{path}: sheet {REGISTER}, row {n}, column response: {e['response']!r} is not one "
                    f"of {list(RESPONSES)}"
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
                        f"{path}: sheet {REGISTER}, row {n}, column override_{k}: must be a whole number "
                        f"from 1 to 5, but {v!r} was given"
                    )
                    continue
                ov[k] = int(v)
            if r.get("override_reason") is None:
                problems.append(
                    f"{path}: sheet {REGISTER}, row {n}, column override_reason: an override needs a reason"
                )
            else:
                ov["reason"] = _text(r["override_reason"])
            e["override"] = ov
        e["_source"] = _text(r.get("source") or "")
        entries[rid] = e
    for n, r in _rows(wb[ACTIONS], ACTIONS, path, ACTION_COLS[:5]):
        rid, status = _text(r.get("risk") or ""), _text(r.get("status") or "open").lower()
        if status == RECOMMENDED:
            continue
        where = f"{path}: sheet {ACTIONS}, row {n}"
        if rid not in entries:
            problems.append(f"{where}, column risk: {rid!r} is not a risk of the Register sheet")
            continue
        if status not in STATUSES:
            problems.append(f"{where}, column status: {status!r} is not one of {[*STATUSES, RECOMMENDED]}")
            continue
        if r.get("action") is None:
            problems.append(f"{where}, column action: empty")
            continue
        a: dict[str, Any] = {"action": _text(r["action"]), "status": status}
        if r.get("owner") is not None:
            a["owner"] = _text(r["owner"])
        if r.get("due") is not None:
            a["due"] = _date(r["due"])
        entries[rid].setdefault("actions", []).append(a)
    for n, r in _rows(wb[CONTROLS], CONTROLS, path, CONTROL_COLS):
        rid = _text(r.get("risk") or "")
        where = f"{path}: sheet {CONTROLS}, row {n}"
        if rid not in entries:
            problems.append(f"{where}, column risk: {rid!r} is not a risk of the Register sheet")
            continue
        c: dict[str, Any] = {"name": _text(r.get("control") or "")}
        reduces = {}
        for k in ("likelihood", "impact"):
            v = r.get(f"reduces_{k}")
            if v is None:
                continue
            if not (isinstance(v, (int, float)) and float(v).is_integer() and 0 <= v <= 4):
                problems.append(f"{where}, column reduces_{k}: must be a whole number from 0 to 4, but {v!r} was given")
                continue
            if int(v):
                reduces[k] = int(v)
        if reduces:
            c["reduces"] = reduces
        entries[rid].setdefault("controls", []).append(c)
    if problems:
        raise ParamError("\n".join(problems))
    return unit, entries


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
                for k in ("owner", "response", "actions", "controls"):
                    a.pop(k, None)
                a.update({k: v for k, v in e.items() if k != "override"})
            continue
        lib = BY_ID.get(rid)
        entry = {k: v for k, v in (risks.get(rid) or {}).items() if k.startswith("_")}
        for k, v in e.items():
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
    from riskbook.settings.register import register_path

    path = Path(path)
    if not path.is_file():
        raise ParamError(f"{path}: file not found")
    unit, entries = read_workbook(path)
    target = register_path(unit, params_dir)
    before = read_yaml(target)
    after = merge(before, entries)
    check_register(after, target)
    diff = changes(before, after)
    if write and diff:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".yaml.tmp")
        head = f"# Analysts' register of {unit}; imported from {path.name} by riskbook register import.\n"
        tmp.write_text(head + yaml.safe_dump(after, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
        tmp.replace(target)
    return target, diff
