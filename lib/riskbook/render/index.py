"""outputs/<period>/index.html: every report of the period with the status of its run."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from riskbook.core import config, paths
from riskbook.report.palettes import COLOURS

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(config.TEMPLATES_DIR)), autoescape=jinja2.select_autoescape(["html"])
)


def write_index(period_dir: Path) -> Path:
    """Write index.html from the period's manifest.json and the files present."""
    manifest = json.loads(paths.manifest(period_dir.parent, period_dir.name).read_text(encoding="utf-8"))
    period = manifest["period"]
    rows = []
    for unit in [*manifest["units"], config.GROUP]:
        tasks = [x for x in manifest["tasks"] if x["unit"] == unit]
        failed = [x for x in tasks if x["status"] == "failed"]
        d = period_dir / unit
        files = (
            sorted(p.name for p in d.glob("*") if p.suffix in (".pdf", ".html", ".xlsx", ".json", ".ipynb"))
            if d.exists()
            else []
        )
        status = "failed" if failed else ("ok" if tasks else "missing")
        note = ""
        if status == "ok" and paths.results_json(d).exists():
            doc = json.loads(paths.results_json(d).read_text(encoding="utf-8"))
            status, note = (
                (doc.get("status") or "ok"),
                doc.get("note") or (f"data through {doc['data_through']}" if doc.get("data_through") else ""),
            )
        rows.append(
            {
                "unit": unit,
                "status": status,
                "note": note,
                "error": f"{failed[0]['stage']}: {failed[0]['error']}" if failed else "",
                "seconds": round(sum(x.get("seconds") or 0 for x in tasks), 1),
                "pdf": next((f for f in files if f.endswith(".pdf")), None),
                "xlsx": next((f for f in files if f.endswith(".xlsx")), None),
                "pages": [f for f in files if f.endswith(".html")],
                "notebooks": [f for f in files if f.endswith(".ipynb")],
            }
        )
    html = _env.get_template("index.html").render(period=period, rows=rows, manifest=manifest, COLOURS=COLOURS)
    out = paths.index(period_dir.parent, period_dir.name)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out
