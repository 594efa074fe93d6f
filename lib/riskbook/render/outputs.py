"""The files of a unit's summary: results.json and the Excel risk register."""

from __future__ import annotations

from typing import Any

import pandas as pd

from riskbook.core import paths
from riskbook.render import results
from riskbook.render.workbook import register_controls, write_register
from riskbook.stages.summarise import no_data_note


def write_outputs(unit: Any, pack: Any) -> None:
    """Write a unit's results.json and Excel risk register from its summary."""
    note = no_data_note(unit) if pack.status == "no data" else None
    controls = register_controls(pack.risks, unit.register())
    doc = results.build(
        unit.id,
        str(unit.period),
        unit.currency,
        unit.lang,
        pack.kris,
        pack.risks,
        pack.dq,
        pack.status,
        pack.data_through,
        note,
        pack.period_complete,
        pack.partial,
        pack.money,
        behind(pack, controls, unit.lang),
    )
    results.write(doc, paths.results_json(unit.out))
    write_register(
        paths.register_xlsx(unit.out, unit.id, unit.period),
        pack.risks,
        pack.all_actions,
        pack.kris,
        pack.evidence,
        {
            "company": unit.company,
            "unit": unit.id,
            "unit_name": unit.name,
            "period": str(unit.period),
            "currency": unit.currency,
            "data_through": pack.data_through,
            "period_complete": pack.period_complete,
            "prepared": str(unit.as_of.date()),
        },
        pack.touched,
        controls=controls,
        history=pack.history,
        lang=unit.lang,
    )


EVIDENCE_ROWS = 5  # each evidence table's first rows in results.json (the workbook has them all)


def behind(pack: Any, controls: pd.DataFrame, lang: str) -> dict[str, dict[str, list]]:
    """Per risk, what results.json says is behind it: the register's controls, and each evidence table
    (its title, row count and first rows with their keys and amounts)."""
    from riskbook.risks import BY_ID

    out: dict[str, dict[str, list]] = {}
    for rid in pack.risks["id"]:
        mine = controls[controls["risk"] == rid] if len(controls) else controls
        entry: dict[str, list] = {
            "controls": [
                {
                    "name": c.control,
                    "reduces": {"likelihood": int(c.reduces_likelihood), "impact": int(c.reduces_impact)},
                }
                for c in mine.itertuples()
            ]
        }
        risk = BY_ID.get(rid)
        tables = [(name, risk.tables.get(name, (name, name))) for name in (risk.tables if risk else {})]
        entry["evidence"] = [
            {
                "table": name,
                "title": zh if lang == "zh" else en,
                "count": len(pack.evidence[name]),
                "rows": [
                    {str(k): _cell(v) for k, v in r.items()}
                    for r in pack.evidence[name].head(EVIDENCE_ROWS).to_dict("records")
                ],
            }
            for name, (en, zh) in tables
            if name in pack.evidence and len(pack.evidence[name])
        ]
        out[rid] = entry
    return out


def _cell(v: Any) -> Any:
    """An evidence cell as JSON: numbers as numbers, dates as days, the rest as text (strict JSON later)."""
    if isinstance(v, pd.Timestamp):
        return str(v.date()) if pd.notna(v) else None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, (int, float, bool)) or v is None:
        return v
    return str(v)
