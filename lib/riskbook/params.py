"""Company and unit parameters: params/company.yaml overlaid by params/units/<unit>.yaml."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from . import config
from .exceptions import ParamError


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping; a missing file is an empty mapping."""
    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ParamError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(data, dict):
        raise ParamError(f"{path}: expected a mapping of keys to values at the top level")
    return data


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` onto a copy of ``base``."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def display_name(params: dict[str, Any], unit: str, lang: str) -> str:
    """A unit's name in ``lang`` from its ``name:`` ({en: …, zh: …} or one string), else its id."""
    names = params.get("name")
    if isinstance(names, dict):
        return str(names.get(lang) or names.get("en") or unit)
    return str(names) if names else unit


def company_file(path: str | Path | None = None) -> Path:
    """The company file: ``path`` or params/company.yaml."""
    return Path(path) if path else config.PARAMS_DIR / "company.yaml"


def load_company(path: str | Path | None = None) -> dict[str, Any]:
    """The company parameters."""
    p = company_file(path)
    if path and not p.exists():
        raise ParamError(f"{p}: company file not found")
    return read_yaml(p)


def unit_params(unit: str, company: dict[str, Any], params_dir: Path | None = None) -> dict[str, Any]:
    """Company parameters overlaid by the unit's own file."""
    folder = Path(params_dir or config.PARAMS_DIR)
    return merge(company, read_yaml(folder / "units" / f"{unit}.yaml"))
