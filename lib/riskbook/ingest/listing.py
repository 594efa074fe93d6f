"""A store's data-quality findings as lines for a terminal (riskbook validate): by check, with the first
rows where they are."""

from __future__ import annotations

from pathlib import Path


def findings_report(st: Path, meta: dict, first: int = 3) -> list[str]:
    """Lines listing a store's findings by check: severity, check, table.column, rows, first locations."""
    from riskbook.ingest.store import load_findings

    summary = meta.get("findings", [])
    if not summary:
        return ["data quality: no problems found"]
    f = load_findings(st)
    errors = sum(x["count"] for x in summary if x["severity"] == "error")
    warnings = sum(x["count"] for x in summary if x["severity"] == "warning")
    info = sum(x["count"] for x in summary if x["severity"] == "info")
    lines = [
        f"data quality: {errors:,} error and {warnings:,} warning findings"
        + (f" and {info:,} informational lines" if info else "")
        + ", shown in the reports (rows an error makes unusable are left out of the KRIs they would corrupt):"
    ]
    for x in summary:
        g = (
            f[
                (f["table"] == x["table"])
                & (f["check"] == x["check"])
                & (f["severity"] == x["severity"])
                & ((f["column"] == x["column"]) if x["column"] else f["column"].isna())
            ]
            .sort_values("row")
            .head(first)
        )
        where = ", ".join(
            f"row {r}"
            + (f" ({k})" if isinstance(k, str) and k else "")
            + (f" '{v}'" if isinstance(v, str) and v else "")
            for r, k, v in zip(g["row"], g["key"], g["value"])
        )
        more = ", …" if x["count"] > first else ""
        field = x["table"] + (f".{x['column']}" if x["column"] else "")
        if x["severity"] == "info":  # one line about many rows: what it says
            notes = "; ".join(str(n) for n in g["note"].dropna().head(first))
            lines.append(f"  {'info':<8} {x['check']:<18} {field:<28} {notes}")
            continue
        lines.append(
            f"  {x['severity']:<8} {x['check']:<18} {field:<28} {x['count']:>9,} "
            f"{'row ' if x['count'] == 1 else 'rows'}  {Path(str(g['file'].iloc[0])).name}: {where}{more}"
        )
    return lines
