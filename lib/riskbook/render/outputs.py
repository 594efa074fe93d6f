"""The files of a unit's summary: results.json and the Excel risk register."""

from __future__ import annotations

from typing import Any

from riskbook.core import paths
from riskbook.render import results
from riskbook.render.workbook import write_register
from riskbook.stages.summarise import no_data_note


def write_outputs(unit: Any, pack: Any) -> None:
    """Write a unit's results.json and Excel risk register from its summary."""
    note = no_data_note(unit) if pack.status == "no data" else None
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
    )
    results.write(doc, paths.results_json(unit.out))
    from riskbook.render.workbook import register_actions, register_controls
    from riskbook.risks import BY_ID

    library_actions = {rid: r.actions(unit.lang) for rid, r in BY_ID.items()}
    write_register(
        paths.register_xlsx(unit.out, unit.id, unit.period),
        pack.risks,
        register_actions(pack.risks, library_actions, unit.as_of),
        pack.kris,
        pack.evidence,
        {
            "company": unit.company,
            "unit": unit.id,
            "period": str(unit.period),
            "currency": unit.currency,
            "prepared": str(unit.as_of.date()),
        },
        pack.touched,
        controls=register_controls(pack.risks, unit.register()),
        history=pack.history,
    )
