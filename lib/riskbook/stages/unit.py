"""A unit (or the group) opened for its report: the entry point of every notebook. What it depends on was
resolved once into a plan (riskbook.stages.plan); opening it reads the unit's data slice."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import config, coverage, paths
from riskbook.core.periods import Period
from riskbook.ingest.store import load_findings
from riskbook.ingest.store import load_unit as load_slice
from riskbook.kris import Context
from riskbook.settings.params import display_name, localized
from riskbook.settings.register import Register
from riskbook.stages.plan import Plan, data_end, load, resolve


@dataclass
class Unit:
    """A unit evaluated at a period: its data slice, settings and output folder, under the run's plan."""

    id: str
    plan: Plan
    ctx: Context
    out: Path

    @property
    def period(self) -> Period:
        return self.plan.period

    @property
    def lang(self) -> str:
        return self.plan.lang_of(self.id)

    @property
    def settings(self) -> dict[str, Any]:
        """The unit's merged settings (company.yaml, then units/<unit>.yaml)."""
        return self.plan.settings[self.id]

    @property
    def meta(self) -> dict[str, Any]:
        """The store's meta.json (units, dates, as-of date, source, column names)."""
        return self.plan.meta

    @property
    def key(self) -> str:
        """The hash of everything this unit's report depends on besides its data rows (riskbook.stages.plan):
        a saved stage product with another key is stale."""
        return self.plan.keys[self.id]

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

    def register(self) -> Register:
        """The analysts' register of this unit (register/<unit>.yaml), read and checked with the plan."""
        return self.plan.registers[self.id]

    @property
    def as_of(self) -> pd.Timestamp:
        """The run's one date: the day the data stands at (the company's as_of:, else the day of the run)."""
        return pd.Timestamp(self.plan.as_of)

    @property
    def name(self) -> str:
        return display_name(self.settings, self.id, self.lang)

    @property
    def currency(self) -> str:
        return str(self.settings.get("currency") or "")

    @property
    def company(self) -> str:
        return localized(self.settings.get("company"), self.lang, "riskbook")


def data_through(p: Period, meta: dict[str, Any]) -> str:
    """The last day the data reaches in ``p``: its end, or the data's last date where that is earlier."""
    return str(min(data_end(meta), p.end).date())


def _plan(plan: str | Path | Plan | None, **words: Any) -> Plan:
    """The run's plan (a file it saved, or the plan itself), else one resolved here from a notebook's words:
    also when the file is gone (an executed notebook re-run after its run, whose words are the run's)."""
    if plan is None or (isinstance(plan, (str, Path)) and not Path(plan).exists()):
        return resolve(**words)
    return plan if isinstance(plan, Plan) else load(plan)


def _this_runs_files(findings: pd.DataFrame | None, renamed: dict[str, str]) -> pd.DataFrame | None:
    """The findings naming the files this run read (riskbook.stages.plan.provenance)."""
    if findings is None or not renamed or "file" not in findings.columns:
        return findings
    return findings.assign(file=findings["file"].map(lambda f: renamed.get(str(f), f)))


def open_unit(
    unit: str,
    period: str | None = None,
    lang: str | None = None,
    data: str | None = None,
    config_file: str | None = None,
    out_dir: str | Path | None = None,
    *,
    plan: str | Path | Plan | None = None,
    thresholds: dict[str, Any] | None = None,
) -> Unit:
    """Open ``unit``'s slice for its report. ``plan`` is what ``riskbook run`` resolved once for every
    notebook (then the other words are not read); without it (a notebook opened alone) the same is resolved
    here from ``period`` (default: the latest complete quarter), ``lang``, ``data``, ``config_file`` and
    ``out_dir``. ``thresholds`` are an analyst's trial over the unit's own (riskbook.stages.trial)."""
    from riskbook.stages import trial

    pl = _plan(plan, data=data, config_file=config_file, period=period, lang=lang, units=[unit], out=out_dir)
    if unit not in pl.units:
        from riskbook.core.errors import check_choice

        check_choice("unit", unit, list(pl.units))
    pl = trial.apply(pl, unit, thresholds)
    meta, p = pl.meta, pl.period
    tables = load_slice(pl.store, unit)
    ends = {t: d[1] for t, d in meta.get("dates", {}).items()}
    as_of = pd.Timestamp(meta["as_of"])
    ctx = Context(
        tables,
        p,
        pl.settings[unit],
        pd.Timestamp(meta["first_date"]),
        as_of=as_of,
        findings=_this_runs_files(load_findings(pl.store, unit), meta.get("renamed") or {}),
        coverage=coverage.coverage(tables, p, ends, as_of, meta.get("gap_days")),
    )
    out = paths.unit_dir(pl.out, p, unit)
    if thresholds:  # a trial writes beside the report, never over it
        out = out / trial.FOLDER
    out.mkdir(parents=True, exist_ok=True)
    return Unit(unit, pl, ctx, out)


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
    as_of: str = ""  # the run's one date: actions are overdue against it

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
    plan: str | Path | Plan | None = None,
) -> Group:
    """Read every unit's results.json for the plan's period: published under the outputs root, or newer
    under the run's own folder (its outputs not yet published: the roll-up starts while the last units' PDFs
    render). Without ``plan`` (the notebook opened alone) it is resolved here from the other words."""
    from riskbook.stages.portfolio import load_results

    pl = _plan(plan, data=data, config_file=config_file, period=period, lang=lang, out=out_dir)
    published = paths.period_dir(pl.published, pl.period)
    staging = paths.period_dir(pl.out, pl.period) if pl.out != pl.published else None
    docs = load_results(published, *([staging] if staging else []))
    units = list(pl.meta["units"])
    names = {u: display_name(pl.settings[u], u, pl.lang) for u in units}
    failed = failures(published, staging)
    company = pl.company
    return Group(pl.period, pl.lang, company.name_in(pl.lang), company.currency, units, docs, names, failed, pl.as_of)
