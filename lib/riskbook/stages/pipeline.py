"""The four stages of a unit's report, each a function of the unit returning a typed product that is saved
for the stages after it.

A stage loads the product of the stage it reads; when that product is missing (the notebook before it was
never run for this unit and period) or stale (the data, period, settings or register changed since), it is
computed here, in process, from the same code — so any stage notebook runs on its own. A product saved
from an analyst's edited notebook is used as saved while its inputs are unchanged: edits flow downstream.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from typing import Any

from riskbook.core import config, paths, sign
from riskbook.stages.products import Assessment, Identification, Monitoring, Summary
from riskbook.stages.unit import Unit


# -- saving and loading --------------------------------------------------------------------------------------
def _path(unit: Unit, stage: str):
    return paths.stage_product(unit.out, stage)


def save(unit: Unit, stage: str, product: Any) -> None:
    """Save a stage's product, with the key of the inputs it was computed from."""
    path = _path(unit, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = sign.sign(pickle.dumps({"key": unit.key, "product": product}, protocol=pickle.HIGHEST_PROTOCOL))
    with paths.replacing(path) as tmp:
        tmp.write_bytes(blob)


def saved(unit: Unit, stage: str) -> Any | None:
    """The saved product of ``stage`` when it was computed from this unit's current inputs, else None. A file
    not signed with this user's key (riskbook.core.sign) is never unpickled: it could run any code."""
    try:
        payload = sign.verified(_path(unit, stage).read_bytes())
        if payload is None:
            return None  # not written by riskbook for this user, or damaged: computed again
        doc = pickle.loads(payload)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None  # never run, or saved by another version of the code
    if not isinstance(doc, dict) or doc.get("key") != unit.key:
        return None
    return doc.get("product")


def load(unit: Unit, stage: str) -> Any:
    """The product of ``stage`` for this unit and period: the saved one, else computed now (and saved)."""
    product = saved(unit, stage)
    if product is None:
        print(
            f"riskbook: no up-to-date {stage} result for {unit.id} {unit.period}: computing it here "
            f"(as notebooks/{NOTEBOOKS[stage]}.ipynb does)",
            file=sys.stderr,
        )
        product = STAGES[stage](unit)
    return product


# -- the stages ----------------------------------------------------------------------------------------------
def identification(unit: Unit) -> Identification:
    """KRIs of the period and the risks they show present."""
    from riskbook import kris
    from riskbook.stages.identify import identify

    k = kris.compute(unit.ctx)
    prev = unit.ctx.at(unit.ctx.period.previous)  # its values are k's previous column: only the one before is new
    product = Identification(k, identify(unit.ctx, k), kris.compute(prev, known=kris.values_of(k, "previous")))
    save(unit, "identification", product)
    return product


def assessment(unit: Unit) -> Assessment:
    """The present risks scored on the 5×5 matrix, the register applied, movement since last period."""
    from riskbook.stages.assess import assess, movement, previous_assessment, with_previous_position

    ident = load(unit, "identification")
    register = unit.register()
    risks = assess(ident.present, unit.ctx, register)
    previous = previous_assessment(unit.ctx, register, ident.previous)
    product = Assessment(with_previous_position(movement(risks, previous["score"]), previous))
    save(unit, "assessment", product)
    return product


def monitoring(unit: Unit) -> Monitoring:
    """The KRIs' history, control limits and breaches."""
    from riskbook.stages.monitor import monitor

    ident = load(unit, "identification")
    m = monitor(unit.ctx, ident.kris, ident.previous)
    product = Monitoring(m["history"], m["limits"], m["breaches"])
    save(unit, "monitoring", product)
    return product


def summary(unit: Unit) -> Summary:
    """The executive summary of the three stages before it (computes; ``riskbook.render`` writes)."""
    from riskbook.stages.summarise import summarise

    product = summarise(unit, *(load(unit, stage) for stage in READS["summary"]))
    save(unit, "summary", product)
    return product


STAGES: dict[str, Callable[[Unit], Any]] = {
    "identification": identification,
    "assessment": assessment,
    "monitoring": monitoring,
    "summary": summary,
}
# what each stage reads, and its notebook: from the one stage table (riskbook.core.config.STAGE_TABLE)
READS: dict[str, tuple[str, ...]] = {s.name: s.reads for s in config.STAGE_TABLE}
NOTEBOOKS: dict[str, str] = {s.name: s.notebook for s in config.STAGE_TABLE}  # stage → its notebook
