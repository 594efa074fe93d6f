"""Open one unit's data and parameters for a period: the entry point of every notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import config, coverage, paths
from riskbook.core.errors import ParamError, check_choice
from riskbook.core.periods import Period
from riskbook.ingest.store import ingest, load_findings, read_meta
from riskbook.ingest.store import load_unit as load_slice
from riskbook.kris import Context
from riskbook.settings import sources
from riskbook.settings.params import company_dir, display_name, localized, resolve_company, unit_settings

LANGS: tuple[str, ...] = ("en", "zh")


@dataclass
class Unit:
    """A unit evaluated at a period: its data slice, parameters and output folder."""

    id: str
    period: Period
    lang: str
    params: dict[str, Any]
    ctx: Context
    out: Path
    meta: dict[str, Any]
    params_dir: Path | None  # the company folder (units/, register/); None for a bare --data folder

    @property
    def findings(self) -> pd.DataFrame | None:
        """The data-quality findings of this unit (and of rows that belong to no unit)."""
        return self.ctx.findings

    @property
    def no_data(self) -> bool:
        """The unit has no order lines in the period: the report says so and computes no KRI."""
        return self.ctx.no_data

    @property
    def data_through(self) -> str:
        """The last day the data reaches in the period: its end, or where the data stops before it."""
        return data_through(self.period, self.meta) if self.ctx.through is None else str(self.ctx.through.date())

    @property
    def period_complete(self) -> bool:
        """The data covers the whole period (it reaches its end, and its last month holds a usual volume)."""
        return not self.ctx.partial

    def register(self) -> Any:
        """The analysts' register of this unit (params/register/<unit>.yaml)."""
        from riskbook.settings.register import Register, load_register

        return Register() if self.params_dir is None else load_register(self.id, self.params_dir)

    @property
    def as_of(self) -> pd.Timestamp:
        """The run's one date: the day the data stands at (the company's as_of:, else the day of the run)."""
        return pd.Timestamp(self.meta["as_of"])

    @cached_property
    def key(self) -> str:
        """A hash of everything a stage product depends on besides code: the store (data and as-of
        date), period, language, settings and register file. A saved product with another key is stale."""
        import json

        import xxhash

        from riskbook.settings.register import register_path

        h = xxhash.xxh3_128(f"{self.meta.get('store', '')}|{self.period}|{self.lang}|".encode())
        h.update(json.dumps(self.params, sort_keys=True, default=str).encode())
        if self.params_dir is not None:
            reg = register_path(self.id, self.params_dir)
            h.update(reg.read_bytes() if reg.exists() else b"-")
        return h.hexdigest()

    @property
    def name(self) -> str:
        return display_name(self.params, self.id, self.lang)

    @property
    def currency(self) -> str:
        return str(self.params.get("currency") or "")

    @property
    def company(self) -> str:
        return localized(self.params.get("company"), self.lang, "riskbook")


def open_store(data: str | Path | None = None, config_file: str | Path | None = None) -> Path:
    """Ingest the run's source once and return its store folder."""
    return ingest(sources.resolve(data, config_file))


def _store(store_dir: str | Path | None, data: str | Path | None, config_file: str | Path | None) -> Path:
    """The store a run handed down (read, never queried again), else the source ingested now."""
    if store_dir:
        path = Path(store_dir)
        if not (path / "meta.json").exists():
            raise ParamError(
                f"store {path}: not an ingested store (riskbook run hands one down; leave store=None to read the data)"
            )
        return path
    return open_store(data, config_file)


def data_end(meta: dict[str, Any]) -> pd.Timestamp:
    """The last day the data covers: the latest date of any dated table (or the company's as_of:)."""
    return pd.Timestamp(meta.get("data_end") or meta["last_date"])


def resolve_period(period: str | None, meta: dict[str, Any]) -> Period:
    """``period`` parsed, or the latest quarter the data covers completely (riskbook.core.coverage)."""
    if period:
        return Period.parse(period)
    return coverage.latest_complete(meta, pd.Timestamp(meta["as_of"]) if meta.get("as_of") else None)


def check_period(p: Period, meta: dict[str, Any]) -> None:
    """ParamError unless the data overlaps ``p``."""
    if p.start > data_end(meta):
        raise ParamError(
            f"period {p} starts after the data ends (data through {data_end(meta).date()}); pick an earlier period"
        )
    if p.end < pd.Timestamp(meta["first_date"]):
        raise ParamError(f"period {p} ends before the data starts ({meta['first_date']})")


def data_through(p: Period, meta: dict[str, Any]) -> str:
    """The last day the data reaches in ``p``: its end, or the data's last date where that is earlier."""
    return str(min(data_end(meta), p.end).date())


def out_root(out_dir: str | Path | None) -> Path:
    """The outputs root, relative paths taken from the project root."""
    p = Path(out_dir) if out_dir else config.OUTPUTS_DIR
    return p if p.is_absolute() else config.PROJ_ROOT / p


def open_unit(
    unit: str,
    period: str | None = None,
    lang: str | None = None,
    data: str | None = None,
    config_file: str | None = None,
    out_dir: str | Path | None = None,
    *,
    store: str | Path | None = None,
    settings: dict[str, Any] | None = None,
) -> Unit:
    """Load ``unit``'s slice and parameters for ``period`` (default: latest complete quarter).

    ``store`` and ``settings`` are what ``riskbook run`` resolved once for every task: the ingested store
    and the unit's merged settings. Without them (a notebook opened alone) the same are resolved here."""
    st = _store(store, data, config_file)
    meta = read_meta(st) | {"store": st.name}
    check_choice("unit", unit, meta["units"])
    p = resolve_period(period, meta)
    params_dir = company_dir(data, config_file)
    if settings is None:
        params = unit_settings(unit, resolve_company(data, config_file).settings, params_dir)
    else:
        params = settings
    lang = lang or params.get("lang", "en")
    check_choice("lang", lang, LANGS)
    check_period(p, meta)
    tables = load_slice(st, unit)
    ends = {t: d[1] for t, d in meta.get("dates", {}).items()}
    ctx = Context(
        tables,
        p,
        params,
        pd.Timestamp(meta["first_date"]),
        as_of=pd.Timestamp(meta["as_of"]),
        findings=load_findings(st, unit),
        coverage=coverage.coverage(tables, p, ends, pd.Timestamp(meta["as_of"]), meta.get("gap_days")),
    )
    out = paths.unit_dir(out_root(out_dir), p, unit)
    out.mkdir(parents=True, exist_ok=True)
    return Unit(unit, p, lang, params, ctx, out, meta, params_dir)


@dataclass
class Group:
    """The group roll-up of a period: every unit's results."""

    period: Period
    lang: str
    company: str
    currency: str
    units: list[str]
    docs: dict[str, dict[str, Any]]
    names: dict[str, str] = field(default_factory=dict)  # unit → its display name in the report's language
    failed: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit → its last run's failure (stage, error)

    @property
    def missing(self) -> list[str]:
        """Units in the data without results for the period (their run failed or did not happen)."""
        return [u for u in self.units if u not in self.docs]


def failures(period_dir: Path, staging_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Units whose last run failed: the published ``failed/<unit>/error.json`` files, updated by this run's
    ``failed.json`` in ``staging_dir`` (a unit this run rebuilt with results is no longer failed)."""
    import json

    out: dict[str, dict[str, Any]] = {}
    for f in sorted((period_dir / config.FAILED).glob("*/error.json")):
        try:
            doc = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(doc, dict) and f.parent.name != config.GROUP:
            out[f.parent.name] = doc
    if staging_dir is not None:
        rebuilt = {d.name for d in staging_dir.glob("*") if paths.results_json(d).exists()}
        out = {u: d for u, d in out.items() if u not in rebuilt}
        try:
            now = json.loads((staging_dir / "failed.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            now = {}
        out.update({u: d for u, d in now.items() if isinstance(d, dict)})
    for u, d in out.items():  # when the report still published was built
        if not d.get("last_good"):
            built = paths.read_stamp(period_dir / u).get("built")
            d["last_good"] = built if paths.results_json(period_dir / u).exists() else None
    return out


def open_group(
    period: str | None = None,
    lang: str | None = None,
    data: str | None = None,
    config_file: str | None = None,
    out_dir: str | Path | None = None,
    *,
    store: str | Path | None = None,
    staging: str | Path | None = None,
) -> Group:
    """Read every unit's results.json for ``period``: published under ``out_dir``, or newer under ``staging``
    (the run's outputs not yet published: the roll-up starts while the last units' PDFs render)."""
    from riskbook.stages.portfolio import load_results

    meta = read_meta(_store(store, data, config_file))
    p = resolve_period(period, meta)
    company = resolve_company(data, config_file)
    lang = lang or company.settings.get("lang", "en")
    check_choice("lang", lang, LANGS)
    dirs = [paths.period_dir(out_root(out_dir), p)] + ([paths.period_dir(Path(staging), p)] if staging else [])
    docs = load_results(*dirs)
    names = {
        unit: display_name(unit_settings(unit, company.settings, company.params_dir), unit, lang)
        for unit in meta["units"]
    }
    failed = failures(dirs[0], dirs[1] if staging else None)
    return Group(p, lang, company.name_in(lang), company.currency, meta["units"], docs, names, failed)
