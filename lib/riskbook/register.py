"""The analysts' register: params/register/<unit>.yaml — owners, responses, controls, actions."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from . import config
from .exceptions import ParamError
from .library import RESPONSES
from .params import read_yaml


def register_path(unit: str, params_dir: Path | None = None) -> Path:
    return Path(params_dir or config.PARAMS_DIR) / "register" / f"{unit}.yaml"


def load_register(unit: str, params_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Register entries by risk id, validated."""
    path = register_path(unit, params_dir)
    risks = read_yaml(path).get("risks") or {}
    if not isinstance(risks, dict):
        raise ParamError(f"{path}: 'risks' must map risk ids to entries")
    for rid, entry in risks.items():
        entry = entry or {}
        if entry.get("response") and entry["response"] not in RESPONSES:
            raise ParamError(f"{path}: {rid}.response must be one of {list(RESPONSES)}, "
                             f"but {entry['response']!r} was given")
        for i, a in enumerate(entry.get("actions") or []):
            if not isinstance(a, dict) or "action" not in a:
                raise ParamError(f"{path}: {rid}.actions[{i}] needs an 'action' (and owner, due, status)")
        risks[rid] = entry
    return risks


def overdue_actions(actions: list[dict[str, Any]], as_of: pd.Timestamp) -> list[dict[str, Any]]:
    """Actions not done whose due date has passed at ``as_of``."""
    out = []
    for a in actions:
        due = pd.to_datetime(a.get("due"), errors="coerce")
        if a.get("status", "open") != "done" and pd.notna(due) and due < as_of:
            out.append(a)
    return out
