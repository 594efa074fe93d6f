"""Stage results: each notebook saves what it found so later stages (and edits) flow downstream."""
from __future__ import annotations

import pickle
from typing import Any

from .exceptions import StageMissingError
from .unit import Unit


def _path(unit: Unit, stage: str):
    return unit.out / "stages" / f"{stage}.pkl"


def save(unit: Unit, stage: str, results: dict[str, Any]) -> None:
    """Save a stage's results for the later stages of this unit and period."""
    path = _path(unit, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)


def load(unit: Unit, stage: str) -> dict[str, Any]:
    """The saved results of ``stage`` for this unit and period."""
    path = _path(unit, stage)
    if not path.exists():
        raise StageMissingError(f"{path}: no saved results of {stage} for {unit.id} {unit.period} — "
                                f"run notebooks/{stage}.ipynb with the same unit and period first")
    return pickle.loads(path.read_bytes())
