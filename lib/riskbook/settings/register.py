"""The analysts' register: params/register/<unit>.yaml — owners, responses, controls, actions,
likelihood/impact overrides (with a reason) and risks analysts add by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import config
from riskbook.core.errors import ParamError
from riskbook.kris import FAMILIES
from riskbook.risks import BY_ID, RESPONSES
from riskbook.settings.params import read_yaml


@dataclass
class Register:
    """Analysts' entries by library risk id, and the risks they added by hand."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    added: list[dict[str, Any]] = field(default_factory=list)
    path: Path | None = None

    def entry(self, risk_id: str) -> dict[str, Any]:
        return self.entries.get(risk_id) or {}


def register_path(unit: str, params_dir: Path | None = None) -> Path:
    return Path(params_dir or config.PARAMS_DIR) / "register" / f"{unit}.yaml"


def _score_part(path: Path, where: str, name: str, value: Any) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ParamError(f"{path}: {where}.{name} must be a whole number from 1 to 5, but {value!r} was given")


def _check_entry(path: Path, where: str, entry: dict[str, Any]) -> None:
    if entry.get("response") and entry["response"] not in RESPONSES:
        raise ParamError(
            f"{path}: {where}.response must be one of {list(RESPONSES)}, but {entry['response']!r} was given"
        )
    for i, a in enumerate(entry.get("actions") or []):
        if not isinstance(a, dict) or "action" not in a:
            raise ParamError(f"{path}: {where}.actions[{i}] needs an 'action' (and owner, due, status)")
    ov = entry.get("override")
    if ov is not None:
        if not isinstance(ov, dict) or not str(ov.get("reason") or "").strip():
            raise ParamError(f"{path}: {where}.override needs a reason: an override is shown as one, with why")
        for part in ("likelihood", "impact"):
            if part in ov:
                _score_part(path, f"{where}.override", part, ov[part])


def load_register(unit: str, params_dir: Path | None = None) -> Register:
    """The unit's register, validated."""
    from riskbook.settings.validate import check_register

    path = register_path(unit, params_dir)
    doc = read_yaml(path)
    check_register(doc, path)
    risks = doc.get("risks") or {}
    if not isinstance(risks, dict):
        raise ParamError(f"{path}: 'risks' must map risk ids to entries")
    for rid, entry in risks.items():
        risks[rid] = entry or {}
        _check_entry(path, f"risks.{rid}", risks[rid])
    added = doc.get("added") or []
    for i, a in enumerate(added):
        where = f"added[{i}]"
        if not isinstance(a, dict) or not a.get("id") or not a.get("title"):
            raise ParamError(f"{path}: {where} needs at least id, title, family, likelihood and impact")
        if a["id"] in BY_ID:
            raise ParamError(f"{path}: {where}.id {a['id']} is a library risk; describe it under risks: instead")
        if a.get("family") not in FAMILIES:
            raise ParamError(
                f"{path}: {where}.family must be one of {list(FAMILIES)}, but {a.get('family')!r} was given"
            )
        for part in ("likelihood", "impact"):
            _score_part(path, where, part, a.get(part))
        _check_entry(path, where, a)
    return Register(risks, list(added), path)


def overdue_actions(actions: list[dict[str, Any]], as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Actions not done whose due date has passed at ``as_of``."""
    out = []
    for a in actions:
        due = pd.to_datetime(a.get("due"), errors="coerce")
        if a.get("status", "open") != "done" and pd.notna(due) and due < as_of:
            out.append(a)
    return out
