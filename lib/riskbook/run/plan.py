"""A run's plan, fixed before any task starts: the period, units, languages and settings it resolved,
the key of everything each unit depends on, and which published units it can reuse (by the stamp in their
folder).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskbook import __version__
from riskbook.core import config, paths

RENDER = "render"


@dataclass
class TaskResult:
    """What one task did: its status, time and error (cell and exception) if it failed."""

    unit: str
    stage: str
    status: str  # ok | failed | skipped (after a failure) | unchanged (outputs up to date, not rebuilt)
    seconds: float = 0.0
    error: str | None = None


@dataclass
class RunPlan:
    """Everything a run needs, fixed before any task starts."""

    period: str
    units: list[str]
    lang: str
    jobs: int
    out: Path
    staging: Path
    data: str | None = None
    config_file: str | None = None
    store: str = ""
    scheduler: str | None = None  # a Dask distributed scheduler address; None: a local process pool
    keys: dict[str, str] = field(default_factory=dict)  # unit (and group) → hash of everything it depends on
    reuse: set[str] = field(default_factory=set)  # units whose published outputs are up to date
    as_of: str = ""  # the run's one date (the store's): future rows, overdue actions, the cover
    company: str | dict[str, str] = "riskbook"  # the company's name ({en: …, zh: …} or one) and currency
    currency: str = ""
    classification: str = ""  # the company's classification: line for covers (default: confidential)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit → its merged settings
    langs: dict[str, str] = field(default_factory=dict)  # unit → its report language (--lang, else its lang:)
    cell_timeout: float = 1800.0  # seconds a notebook cell may run (--cell-timeout)

    def lang_of(self, unit: str) -> str:
        """The report language of ``unit`` (the group's is the run's)."""
        return self.langs.get(unit, self.lang)


def code_files() -> list[Path]:
    """The package, its templates and the notebooks: what a report's content depends on besides data."""
    pkg = config.PACKAGE_DIR
    return sorted([*pkg.rglob("*.py"), *pkg.rglob("templates/*"), *config.NOTEBOOKS_DIR.glob("*.ipynb")])


def task_keys(
    units: list[str],
    period: str,
    langs: dict[str, str] | str,
    store_hash: str,
    params_dir: Path | None,
    as_of: str = "",
) -> dict[str, str]:
    """A key per unit (and the group) that changes whenever its report could: data, period, language,
    parameters, register, code, and the run's as-of date (overdue actions and future-dated rows depend on it)."""
    import xxhash

    common = xxhash.xxh3_128(f"{store_hash}|{period}|{as_of}|{__version__}".encode())
    for p in code_files():
        common.update(p.read_bytes())
    company = params_dir / "company.yaml" if params_dir is not None else None
    common.update(company.read_bytes() if company is not None and company.exists() else b"neutral")
    keys = {}
    for u in units:
        h = common.copy()
        h.update(f"{u}|{langs if isinstance(langs, str) else langs.get(u, '')}".encode())
        if params_dir is not None:
            for p in (params_dir / "units" / f"{u}.yaml", params_dir / "register" / f"{u}.yaml"):
                h.update(p.read_bytes() if p.exists() else b"-")
        keys[u] = h.hexdigest()
    return keys


def reusable(plan: RunPlan) -> set[str]:
    """Units (and the group) whose published folder was built by a run with the same key and has all its
    outputs. The key is read from the folder's own stamp, written with it, never from the manifest alone: a
    run killed after publishing a unit and before writing the manifest leaves the truth in the folder."""
    out = set()
    for u in [*plan.units, config.GROUP]:
        d = paths.unit_dir(plan.out, plan.period, u)
        files = [paths.report_pdf(d, u, plan.period)] + ([paths.results_json(d)] if u != config.GROUP else [])
        stamp = paths.read_stamp(d)
        if stamp.get("key") and stamp.get("key") == plan.keys.get(u) and all(f.exists() for f in files):
            out.add(u)
    return out
