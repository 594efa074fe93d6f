"""The files of a unit's summary: results.json and the Excel risk register."""

from __future__ import annotations

from typing import Any

from riskbook.core import paths
from riskbook.render import results
from riskbook.render.workbook import register_controls, write_register
from riskbook.settings.register_import import ACTION_COLS
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
        pack.period_complete,
        pack.partial,
        pack.money,
    )
    results.write(doc, paths.results_json(unit.out))
    write_register(
        paths.register_xlsx(unit.out, unit.id, unit.period),
        pack.risks,
        pack.all_actions[list(ACTION_COLS)],
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
        controls=register_controls(pack.risks, unit.register()),
        history=pack.history,
        lang=unit.lang,
    )
