"""The register workbook read back: an analyst's edits of owners, responses, overrides, controls and
actions in ``<unit>_<period>_risk_register.xlsx`` become ``register/<unit>.yaml``.

The sheets and columns (riskbook.settings.register_labels) are the contract between the workbook riskbook
writes (riskbook.render.workbook) and this reader: ``Register`` (one row per risk; response, owner and the
override columns are the analyst's), ``Actions`` (one row per action; a recommended action becomes the
analyst's when its status is set to open), ``Controls`` (one row per control). Every problem of every
sheet is said at once, by sheet, row and column, in the workbook's own names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskbook.core import paths
from riskbook.core.errors import ParamError
from riskbook.core.paths import one_line
from riskbook.risks import RESPONSES
from riskbook.settings.params import read_yaml
from riskbook.settings.register_labels import (
    _ABOUT,
    ABOUT,
    ACTION_COLS,
    ACTIONS,
    CONTROL_COLS,
    CONTROLS,
    OVERRIDE_COLS,
    RECOMMENDED,
    REGISTER,
    cell_date,
    cell_text,
    code_of,
    find_sheet,
    label,
    word,
)
from riskbook.settings.register_merge import changes, merge
from riskbook.settings.validate import STATUSES, check_register


@dataclass
class Origins:
    """Where each value of a workbook came from: its sheets' names and headings as the analyst sees them,
    and the row of each risk, action and control, so a problem is said at the cell to fix."""

    path: Path
    headings: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)  # sheet → (title, code → heading)
    rows: dict[tuple[Any, ...], int] = field(default_factory=dict)  # (sheet, risk[, index]) → row
    problems: list[str] = field(default_factory=list)

    def title(self, sheet: str) -> str:
        """The sheet's name in the workbook (行动 in a Chinese one)."""
        return self.headings.get(sheet, (label(sheet), {}))[0]

    def at(self, sheet: str, row: int, col: str | None = None) -> str:
        title, heads = self.headings.get(sheet, (label(sheet), {}))
        where = f"{self.path}: sheet {title}, row {row}"
        return where + (f", column {heads.get(col, label(col))}" if col else "")

    def add(self, sheet: str, row: int, col: str | None, problem: str) -> None:
        self.problems.append(f"{self.at(sheet, row, col)}: {problem}")


def _rows(ws: Any, sheet: str, origins: Origins, need: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row, {column: value}) of each non-empty row of ``ws``; a missing column is a problem."""
    it = ws.iter_rows(values_only=True)
    raw = list(next(it, ()))
    head = [code_of(h) for h in raw]
    origins.headings[sheet] = (ws.title, {c: str(h) for c, h in zip(head, raw) if c})
    missing = [label(c) for c in need if c not in head]
    if missing:
        origins.problems.append(
            f"{origins.path}: sheet {ws.title}: column(s) {', '.join(missing)} missing (the header row is row 1)"
        )
        return []
    out = []
    for n, values in enumerate(it, start=2):
        row = {h: (v.strip() if isinstance(v, str) else v) for h, v in zip(head, values) if h}
        row = {k: (None if v == "" else v) for k, v in row.items()}
        if any(v is not None for v in row.values()):
            out.append((n, row))
    return out


def read_workbook(path: Path) -> tuple[str, dict[str, dict[str, Any]], Origins]:
    """The unit of a register workbook, what its sheets say of each risk (register entries) and where each
    came from, with the problems of every sheet (``Origins.problems``)."""
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
        raise ParamError(f"{path}: sheet {sheets[ABOUT].title}: no unit row")
    if not paths.is_unit_id(unit):
        raise ParamError(
            f"{path}: sheet {sheets[ABOUT].title}: unit {one_line(unit)[:60]!r} is not a unit id (a lowercase "
            f"slug [a-z0-9_]+, not group or failed)"
        )
    origins = Origins(path)
    entries: dict[str, dict[str, Any]] = {}
    _register_sheet(sheets[REGISTER], origins, entries)  # first: the actions and controls name its risks
    _actions_sheet(sheets[ACTIONS], origins, entries)
    _controls_sheet(sheets[CONTROLS], origins, entries)
    return unit, entries, origins


def _not_whole(v: Any, low: int, high: int) -> str:
    return f"must be a whole number from {low} to {high}, but {v!r} was given"


def _score(v: Any, low: int, high: int) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() and low <= v <= high


def _register_sheet(ws: Any, origins: Origins, entries: dict[str, dict[str, Any]]) -> None:
    """The Register sheet: each risk's response, owner and override."""
    for n, r in _rows(ws, REGISTER, origins, ("id", "source", "response", "owner", *OVERRIDE_COLS)):
        rid = cell_text(r["id"])
        origins.rows[(REGISTER, rid)] = n
        e: dict[str, Any] = {}
        if r.get("response") is not None:
            e["response"] = word("response", r["response"])
            if e["response"] not in RESPONSES:
                origins.add(REGISTER, n, "response", f"{e['response']!r} is not one of {list(RESPONSES)}")
        if r.get("owner") is not None:
            e["owner"] = cell_text(r["owner"])
        over = {k: r.get(f"override_{k}") for k in ("likelihood", "impact")}
        if any(v is not None for v in over.values()) or r.get("override_reason") is not None:
            ov: dict[str, Any] = {}
            for k, v in over.items():
                if v is not None and not _score(v, 1, 5):
                    origins.add(
                        REGISTER, n, f"override_{k}", f"must be a whole number from 1 to 5, but {v!r} was given"
                    )
                elif v is not None:
                    ov[k] = int(v)
            if r.get("override_reason") is None:
                origins.add(REGISTER, n, "override_reason", "an override needs a reason")
            else:
                ov["reason"] = cell_text(r["override_reason"])
            e["override"] = ov
        e["_source"] = word("source", r.get("source") or "")
        entries[rid] = e


def _actions_sheet(ws: Any, origins: Origins, entries: dict[str, dict[str, Any]]) -> None:
    """The Actions sheet: the analysts' actions (a recommended one until its status changes), by risk."""
    for n, r in _rows(ws, ACTIONS, origins, ACTION_COLS[:5]):
        rid, status = cell_text(r.get("risk") or ""), word("status", r.get("status") or "open")
        if status == RECOMMENDED:
            continue
        if rid not in entries:
            origins.add(ACTIONS, n, "risk", f"{rid!r} is not a risk of the {origins.title(REGISTER)} sheet")
            continue
        if status not in STATUSES:
            origins.add(ACTIONS, n, "status", f"{status!r} is not one of {[*STATUSES, RECOMMENDED]}")
            continue
        if r.get("action") is None:
            origins.add(ACTIONS, n, "action", "empty")
            continue
        a: dict[str, Any] = {"action": cell_text(r["action"]), "status": status}
        if r.get("owner") is not None:
            a["owner"] = cell_text(r["owner"])
        if r.get("due") is not None:
            a["due"] = cell_date(r["due"])
        mine = entries[rid].setdefault("actions", [])
        origins.rows[(ACTIONS, rid, len(mine))] = n
        mine.append(a)


def _controls_sheet(ws: Any, origins: Origins, entries: dict[str, dict[str, Any]]) -> None:
    """The Controls sheet: each risk's controls and what they reduce."""
    for n, r in _rows(ws, CONTROLS, origins, CONTROL_COLS):
        rid = cell_text(r.get("risk") or "")
        if rid not in entries:
            origins.add(CONTROLS, n, "risk", f"{rid!r} is not a risk of the {origins.title(REGISTER)} sheet")
            continue
        c: dict[str, Any] = {"name": cell_text(r.get("control") or "")}
        reduces = {}
        for k in ("likelihood", "impact"):
            v = r.get(f"reduces_{k}")
            if v is not None and not _score(v, 0, 4):
                origins.add(CONTROLS, n, f"reduces_{k}", _not_whole(v, 0, 4))
            elif v:
                reduces[k] = int(v)
        if reduces:
            c["reduces"] = reduces
        mine = entries[rid].setdefault("controls", [])
        origins.rows[(CONTROLS, rid, len(mine))] = n
        mine.append(c)


_WHERE = re.compile(
    r"(?:risks\.(?P<rid>[^.\[]+)|added\[(?P<j>\d+)\])(?:\.(?P<list>actions|controls)\[(?P<i>\d+)\])?"
    r"(?:\.(?P<field>[a-z_]+))?(?:\.(?P<sub>[a-z_]+))?"
)
_COLUMN = {"name": "control", "reduces": "reduces_likelihood", "override": "override_reason"}


def placed(line: str, target: Path, after: dict[str, Any], origins: Origins) -> str:
    """A problem the register check found in the file it would write (``register/east.yaml:
    risks.R-FIN-01.actions[1].due: …``) said at the workbook's cell instead (``sheet Actions, row 3,
    column Due: …``); a problem of the file's own content stays as it was."""
    prefix = f"{target}: "
    where, _, problem = line.removeprefix(prefix).partition(": ")
    m = _WHERE.fullmatch(where)
    if not line.startswith(prefix) or not m:
        return line
    rid = m["rid"] or ((after.get("added") or [{}] * (int(m["j"]) + 1))[int(m["j"])] or {}).get("id")
    sheet = {"actions": ACTIONS, "controls": CONTROLS}.get(m["list"] or "", REGISTER)
    key = (sheet, rid, int(m["i"])) if m["list"] else (sheet, rid)
    if key not in origins.rows:
        return line
    col = m["field"] or ("response" if problem.startswith("response") else None)
    if m["field"] in ("override", "reduces") and m["sub"]:
        col = f"{m['field']}_{m['sub']}" if m["field"] == "reduces" else f"override_{m['sub']}"
    col = _COLUMN.get(col or "", col)
    return f"{origins.at(sheet, origins.rows[key], col)}: {problem}"


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
    unit, entries, origins = read_workbook(path)
    known = sorted(p.stem for p in (Path(params_dir) / "units").glob("*.yaml"))
    if known and unit not in known:
        raise ParamError(
            f"{path}: sheet About: unit '{unit}' is not a unit of the company in {params_dir} "
            f"(units: {', '.join(known)})"
        )
    target = register_path(unit, params_dir)
    before = read_yaml(target)
    after = merge(before, entries)
    problems = list(origins.problems)
    try:
        check_register(after, target)
    except ParamError as exc:  # said at the workbook's cells, with the sheets' own problems: all at once
        problems += [placed(line, target, after, origins) for line in str(exc).splitlines()]
    if problems:
        raise ParamError("\n".join(dict.fromkeys(problems)))
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
