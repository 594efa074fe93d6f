"""The plan: what a run (or a notebook opened alone) resolves once, and every stage reads.

``resolve()`` is the one function that turns the command line's (or a notebook's) words into values: the
store ingested, the period parsed and checked against the data, the units checked, each unit's language and
merged settings, its register read and checked, the company, the as-of date, and one key per unit of
everything its report depends on. ``riskbook run`` resolves it once and hands every notebook a file of it
(``save``/``load``, signed like stage products); a notebook opened alone resolves it from its parameters.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook import __version__
from riskbook.core import config, coverage, paths, sign
from riskbook.core.errors import ParamError, check_choice
from riskbook.core.periods import Period
from riskbook.ingest.store import ingest, read_meta
from riskbook.settings import sources
from riskbook.settings.params import Company, resolve_company
from riskbook.settings.register import Register
from riskbook.settings.units import checked_settings

LANGS: tuple[str, ...] = ("en", "zh")


@dataclass(frozen=True)
class Plan:
    """Everything a unit's report depends on besides its data rows, resolved once (frozen: read, never set)."""

    period: Period
    units: tuple[str, ...]  # the units reported on (all the data's, unless the run named some)
    lang: str  # the group's language (--lang, else the company's lang:, else en)
    langs: dict[str, str]  # unit → its report language (--lang, else its own lang:, else the group's)
    settings: dict[str, dict[str, Any]]  # unit → its merged settings (company.yaml and units/<unit>.yaml)
    registers: dict[str, Register]  # unit → its analysts' register, read and checked
    company: Company
    store: Path  # the ingested data (riskbook.ingest.store)
    meta: dict[str, Any]  # the store's meta.json: units, dates, as-of date, source
    keys: dict[str, str]  # unit (and the group) → a hash of everything its report depends on
    out: Path  # where this plan's reports are written (a run's staging folder)
    published: Path  # the outputs root whose published results the group also reads
    data: str | None = None  # the source as given (absolute): for the manifest
    config_file: str | None = None

    @property
    def as_of(self) -> str:
        """The run's one date (the company's as_of:, else the day the data was ingested)."""
        return str(self.meta["as_of"])

    def lang_of(self, unit: str) -> str:
        """The report language of ``unit`` (the group's is the plan's)."""
        return self.langs.get(unit, self.lang)

    def save(self, path: Path) -> Path:
        """Write the plan for the notebooks of a run (signed: only this user's riskbook writes one)."""
        blob = sign.sign(pickle.dumps(self, protocol=pickle.HIGHEST_PROTOCOL))
        with paths.replacing(path) as tmp:
            tmp.write_bytes(blob)
        return path


def load(path: str | Path) -> Plan:
    """The plan a run saved for its notebooks (ParamError when it is not one this user's riskbook wrote)."""
    try:
        payload = sign.verified(Path(path).read_bytes())
        plan = pickle.loads(payload) if payload is not None else None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        plan = None
    if not isinstance(plan, Plan):
        raise ParamError(f"plan {path}: not a plan riskbook run wrote (leave plan=None to resolve one here)")
    return plan


def open_store(data: str | Path | None = None, config_file: str | Path | None = None) -> Path:
    """Ingest the run's source once (checked before anything is written) and return its store folder."""
    return ingest(sources.resolve(data, config_file))


def data_end(meta: dict[str, Any]) -> pd.Timestamp:
    """The last day the data covers: the latest date of any dated table (or the company's as_of:)."""
    return pd.Timestamp(meta.get("data_end") or meta["last_date"])


def check_period(p: Period, meta: dict[str, Any]) -> None:
    """ParamError unless the data overlaps ``p``."""
    if p.start > data_end(meta):
        raise ParamError(
            f"period {p} starts after the data ends (data through {data_end(meta).date()}); pick an earlier period"
        )
    if p.end < pd.Timestamp(meta["first_date"]):
        raise ParamError(f"period {p} ends before the data starts ({meta['first_date']})")


def period_of(period: str | Period | None, meta: dict[str, Any]) -> Period:
    """``period`` parsed (the only place a period's words become a value), else the latest quarter the data
    covers completely (riskbook.core.coverage); checked against the data."""
    if isinstance(period, Period):
        p = period
    elif period:
        p = Period.parse(period)
    else:
        p = coverage.latest_complete(meta, pd.Timestamp(meta["as_of"]) if meta.get("as_of") else None)
    check_period(p, meta)
    return p


def code_files() -> list[Path]:
    """The package, its templates and the notebooks: what a report's content depends on besides data."""
    pkg = config.PACKAGE_DIR
    return sorted([*pkg.rglob("*.py"), *pkg.rglob("templates/*"), *config.NOTEBOOKS_DIR.glob("*.ipynb")])


def task_keys(
    units: list[str], period: Period, langs: dict[str, str], store_hash: str, params_dir: Path | None, as_of: str
) -> dict[str, str]:
    """A key per unit that changes whenever its report could: data, period, language, settings, register,
    code, and the as-of date (overdue actions and future-dated rows depend on it)."""
    import xxhash

    common = xxhash.xxh3_128(f"{store_hash}|{period}|{as_of}|{__version__}".encode())
    for p in code_files():
        common.update(p.read_bytes())
    company = params_dir / "company.yaml" if params_dir is not None else None
    common.update(company.read_bytes() if company is not None and company.exists() else b"neutral")
    keys = {}
    for u in units:
        h = common.copy()
        h.update(f"{u}|{langs.get(u, '')}".encode())
        if params_dir is not None:
            for p in (params_dir / "units" / f"{u}.yaml", params_dir / "register" / f"{u}.yaml"):
                h.update(p.read_bytes() if p.exists() else b"-")
        keys[u] = h.hexdigest()
    return keys


def _keys(units: list[str], p: Period, langs: dict[str, str], lang: str, store: str, plan_dir: Path | None, as_of: str):
    keys = task_keys(units, p, langs, store, plan_dir, as_of)
    # the group's key also covers every unit of the period, rebuilt or not
    every = store + "".join(sorted(f"{u}:{k}" for u, k in keys.items()))
    keys[config.GROUP] = task_keys([config.GROUP], p, {config.GROUP: lang}, every, plan_dir, as_of)[config.GROUP]
    return keys


def provenance(source: sources.Source, meta: dict[str, Any]) -> dict[str, Any]:
    """What this run read: its source and its files by table. The store is keyed by content, so a store
    ingested first from another folder holding the same exports names that folder; the reports, the
    workbook and the manifest name this run's (``renamed``: the stored path → this run's)."""
    files: dict[str, str] = {}
    if source.folder is not None:
        from riskbook.ingest.loader import find_tables

        try:
            files = {name: str(path) for name, path in find_tables(source.folder).items()}
        except Exception:  # noqa: BLE001  (ingest read the same folder a moment ago; never fail over a label)
            files = {}
    else:
        for name, spec in source.specs.items():
            if spec.get("file"):
                f = Path(spec["file"])
                files[name] = str(f if f.is_absolute() else source.base / f)
    stored = meta.get("files") or {}
    renamed = {str(stored[t]): files[t] for t in files if t in stored and str(stored[t]) != files[t]}
    return {"source": source.label, "files": {**stored, **files}, "renamed": renamed}


def out_root(out_dir: str | Path | None) -> Path:
    """The outputs root, relative paths taken from the project root."""
    p = Path(out_dir) if out_dir else config.OUTPUTS_DIR
    return p if p.is_absolute() else config.PROJ_ROOT / p


def resolve(
    data: str | Path | None = None,
    config_file: str | Path | None = None,
    period: str | Period | None = None,
    lang: str | None = None,
    units: list[str] | None = None,
    out: str | Path | None = None,
    *,
    store: Path | None = None,
    published: str | Path | None = None,
) -> Plan:
    """The plan of a run or of a notebook opened alone: the one place the command line's words become values.
    ``store`` is a store already ingested (the run checks the data before it locks the outputs)."""
    source = sources.resolve(data, config_file)
    st = store or ingest(source)
    meta = read_meta(st)
    p = period_of(period, meta)
    chosen = list(units or meta["units"])
    for u in chosen:
        check_choice("unit", u, meta["units"])
    company = resolve_company(data, config_file)
    settings, registers = checked_settings(company, list(meta["units"]), chosen)
    group_lang = lang or company.settings.get("lang", "en")
    check_choice("lang", group_lang, LANGS)
    langs = {u: lang or settings[u].get("lang") or group_lang for u in chosen}  # a unit's lang: is its own
    for u, ul in langs.items():
        check_choice(f"lang of unit {u}", ul, LANGS)
    keys = _keys(chosen, p, langs, group_lang, st.name, company.params_dir, str(meta["as_of"]))
    root = out_root(out)
    return Plan(
        period=p,
        units=tuple(chosen),
        lang=group_lang,
        langs=langs,
        settings=settings,
        registers=registers,
        company=company,
        store=st,
        meta=meta | {"store": st.name} | provenance(source, meta),
        keys=keys,
        out=root,
        published=out_root(published) if published else root,
        data=str(Path(data).resolve()) if data else None,
        config_file=str(Path(config_file).resolve()) if config_file else None,
    )
