"""outputs/<period>/index.html: every report of the period with the status of its run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from riskbook.core import config, paths
from riskbook.core.fonts import FONTS
from riskbook.core.i18n import t
from riskbook.core.periods import Period
from riskbook.display.palettes import COLOURS

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(config.TEMPLATES_DIR)), autoescape=jinja2.select_autoescape(["html"])
)


def unit_facts(unit: str, doc: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    """What the index shows of a unit's results: the group summary's row of it (riskbook.stages.portfolio)."""
    from riskbook.stages.portfolio import unit_table

    row = unit_table({unit: doc}, names, doc.get("currency", ""), lang).iloc[0]
    top = {"id": row["top_id"], "title": row["top_title"]} if row["top_id"] else None
    return {
        "overall": row["overall"],
        "overall_net": row["overall_net"],
        "reds": int(row["red"]),
        "top": top,
        "money": row["money_text"] if row["money"] else "",
    }


def _built(folder: Path) -> str:
    """When the report published in ``folder`` was built (its stamp), as a day; "" when unknown."""
    return str(paths.read_stamp(folder).get("built") or "")[:10]


def write_index(period_dir: Path, value: Period | None = None) -> Path:
    """Write index.html from the period's manifest.json, each unit's results and the files present
    (``value``: the run's period, already a value; else read from the folder's name)."""
    manifest = json.loads(paths.manifest(period_dir.parent, period_dir.name).read_text(encoding="utf-8"))
    period, lang = manifest["period"], manifest.get("lang", "en")
    names = manifest.get("names", {})
    rows = [_row(period_dir, unit, manifest, names, lang) for unit in [*manifest["units"], config.GROUP]]
    created = str(manifest.get("created", "")).replace("T", " ").replace("+00:00", " UTC")
    html = _env.get_template("index.html").render(
        period=period,
        rows=rows,
        manifest=manifest,
        COLOURS=COLOURS,
        FONTS=FONTS,
        lang=lang,
        t=lambda k, **kw: t(k, lang, **kw),
        created=created,
        live=(period_dir.parent / "live" / "index.html").exists(),  # riskbook watch's page
        **_neighbours(period_dir, value),
    )
    out = paths.index(period_dir.parent, period_dir.name)
    with paths.replacing(out) as tmp:
        tmp.write_text(html, encoding="utf-8")
    return out


def _neighbours(period_dir: Path, p: Period | None) -> dict[str, str]:
    """The period before and after this one, of the same kind, where their packs are published beside it."""
    from riskbook.core.errors import ParamError

    try:
        p = p or Period.parse(period_dir.name)
    except (ParamError, ValueError):
        return {}
    out = {}
    for key, other in (("previous", p.previous), ("next", p.shift(1))):
        if paths.index(period_dir.parent, other).exists():
            out[key] = str(other)
    return out


def _files(folder: Path) -> list[str]:
    """The names of the reports, pages, workbook, results and notebooks published in ``folder``."""
    if not folder.exists():
        return []
    return sorted(p.name for p in folder.glob("*") if p.suffix in (".pdf", ".html", ".xlsx", ".json", ".ipynb"))


def _row(period_dir: Path, unit: str, manifest: dict[str, Any], names: dict[str, str], lang: str) -> dict[str, Any]:
    """A unit's row of the index: its run's status, its results' facts and links to its files."""
    tasks = [x for x in manifest["tasks"] if x["unit"] == unit]
    failed = [x for x in tasks if x["status"] == "failed"]
    d = period_dir / unit
    files = _files(d)
    status = "failed" if failed else ("ok" if tasks else "missing")
    note, facts, kept = "", {}, ""
    if status in ("ok", "failed") and paths.results_json(d).exists():
        doc = json.loads(paths.results_json(d).read_text(encoding="utf-8"))
        status = (doc.get("status") or "ok") if status == "ok" else status
        note = doc.get("note") or (doc.get("partial") if doc.get("period_complete") is False else "") or ""
        facts = unit_facts(unit, doc, names, lang)
    if failed:  # the last good report stays published, said; the failed run's notebooks are linked
        built = _built(d)
        kept = t("last_good_kept", lang, date=built) if built and files else t("no_last_good", lang)
    failed_nbs = (
        sorted(f"{config.FAILED}/{unit}/{p.name}" for p in (period_dir / config.FAILED / unit).glob("*.ipynb"))
        if failed
        else []
    )
    first = [f"{n}.html" for n in config.REPORT_ORDER]
    pages = sorted((f for f in files if f.endswith(".html")), key=lambda f: first.index(f) if f in first else 9)
    return {
        "unit": unit,
        "name": t("group_name", lang) if unit == config.GROUP else names.get(unit, unit),
        "status": status,
        "status_label": t(f"status_{status}", lang),
        "note": note,
        "error": f"{failed[0]['stage']}: {failed[0]['error']}" if failed else "",
        "seconds": round(sum(x.get("seconds") or 0 for x in tasks), 1),
        "pdf": next((f for f in files if f.endswith(".pdf")), None),
        "xlsx": next((f for f in files if f.endswith(".xlsx")), None),
        "pages": [(f, t(config.stage_name(f[:-5]), lang)) for f in pages],
        "notebooks": [f for f in files if f.endswith(".ipynb")],
        "kept": kept,
        "failed_notebooks": failed_nbs,
        **facts,
    }
