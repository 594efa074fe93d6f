"""Company and unit parameters: params/company.yaml overlaid by params/units/<unit>.yaml."""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskbook.core import config
from riskbook.core.errors import ParamError


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a settings file's YAML mapping (riskbook.settings.yamlfile: one line for anything untrustworthy);
    a missing file is an empty mapping."""
    from riskbook.settings.yamlfile import read_settings

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return {}
    data = read_settings(path) or {}
    if not isinstance(data, dict):
        raise ParamError(f"{path}: expected a mapping of keys to values at the top level")
    return data


_ENV = re.compile(r"\$\{(\w+)\}")


def expand(value: Any, where: str = "") -> Any:
    """Replace ${VAR} by the environment variable VAR in strings (recursively); an unset variable is
    an error, not an empty string (a path through it would quietly point somewhere else)."""

    def var(m: re.Match) -> str:
        if m[1] not in os.environ:
            raise ParamError(f"{where}: environment variable {m[1]} is not set (used as ${{{m[1]}}} in sources:)")
        return os.environ[m[1]]

    if isinstance(value, str):
        return _ENV.sub(var, value)
    if isinstance(value, dict):
        return {k: expand(v, where) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, where) for v in value]
    return value


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` onto a copy of ``base``."""
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else copy.deepcopy(v)
    return out


def localized(value: Any, lang: str, default: str = "") -> str:
    """A setting written once or per language ({en: …, zh: …}), in ``lang`` (else English, else ``default``)."""
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("en") or default)
    return str(value) if value else default


def display_name(params: dict[str, Any], unit: str, lang: str) -> str:
    """A unit's name in ``lang`` from its ``name:`` ({en: …, zh: …} or one string), else its id."""
    return localized(params.get("name"), lang, unit)


def company_file(path: str | Path | None = None) -> Path:
    """The company file: ``path`` or params/company.yaml."""
    return Path(path) if path else config.PARAMS_DIR / "company.yaml"


def load_company(path: str | Path | None = None) -> dict[str, Any]:
    """The company parameters, checked (riskbook.settings)."""
    from riskbook.settings.validate import check_company

    p = company_file(path)
    if path and not p.exists():
        raise ParamError(f"{p}: company file not found")
    doc = read_yaml(p)
    check_company(doc, p)
    return doc


def unit_params(unit: str, company: dict[str, Any], params_dir: Path | None) -> dict[str, Any]:
    """Company parameters overlaid by the unit's own file (none without a company folder)."""
    from riskbook.settings.validate import check_company

    if params_dir is None:
        return copy.deepcopy(company)
    path = Path(params_dir) / "units" / f"{unit}.yaml"
    own = read_yaml(path)
    check_company(own, path, unit=True)
    return merge(company, own)


SOURCE_KEYS = ("data", "sources", "as_of")  # where the data comes from: read once by the run, not a unit's


def unit_settings(unit: str, company: dict[str, Any], params_dir: Path | None) -> dict[str, Any]:
    """What a unit's stages read: its merged parameters without the source keys (which may hold a database
    password: they never reach a notebook), as plain JSON values — the same whether the run hands them
    down or a notebook opened alone reads them."""
    import json

    merged = {k: v for k, v in unit_params(unit, company, params_dir).items() if k not in SOURCE_KEYS}
    return json.loads(json.dumps(merged, default=str))


@dataclass(frozen=True)
class Company:
    """The company a run reports for: its settings and the folder of its units/ and register/
    (None for a bare --data folder, which has neither)."""

    settings: dict[str, Any]
    params_dir: Path | None

    @property
    def name(self) -> str:
        return localized(self.settings.get("company"), "en", "riskbook")

    def name_in(self, lang: str) -> str:
        """The company's name in ``lang`` (``company: {en: …, zh: …}``, or one name for both)."""
        return localized(self.settings.get("company"), lang, "riskbook")

    @property
    def currency(self) -> str:
        return str(self.settings.get("currency") or "")

    @property
    def neutral(self) -> bool:
        return self.params_dir is None


def company_dir(data: str | Path | None = None, config_file: str | Path | None = None) -> Path | None:
    """The folder of a run's units/ and register/: beside the company file; None for a bare --data folder."""
    return None if data and not config_file else company_file(config_file).resolve().parent


def resolve_company(data: str | Path | None = None, config_file: str | Path | None = None) -> Company:
    """The company of a run. A --data folder without a company file gets a neutral identity — its own
    folder's name, no currency, unit ids as names, no thresholds or register — and never the demo
    company's; otherwise the company file (default params/company.yaml) and the folder beside it."""
    if data and not config_file:
        return Company({"company": Path(data).resolve().name, "currency": "", "lang": "en"}, None)
    return Company(load_company(config_file), company_dir(data, config_file))
