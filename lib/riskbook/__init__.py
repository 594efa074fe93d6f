"""riskbook: quarterly sales-operations risk packs from CRM/ERP exports.

Notebooks use this package through the names below (``import riskbook as rb``; see README.md). They are
loaded on first use, so the command line and the runner's workers never import the drawing libraries.

The package's folders follow the pipeline, each importing only from those before it:
core → demo → kris → risks → settings → ingest → stages → report → render → run (and cli.py on top).
"""

from __future__ import annotations

import importlib
from typing import Any

from riskbook.core.errors import DataError, ParamError, RiskbookError

__version__ = "0.1.0"

# name → (module, attribute; None for the module itself)
_NAMES: dict[str, tuple[str, str | None]] = {
    "kris": ("riskbook.kris", None),
    "show": ("riskbook.display.show", None),
    "explore": ("riskbook.display.explore", None),
    "plots": ("riskbook.display.plots", None),
    "stages": ("riskbook.stages", None),
    "assess": ("riskbook.stages.assess", "assess"),
    "movement": ("riskbook.stages.assess", "movement"),
    "identify": ("riskbook.stages.identify", "identify"),
    "monitor": ("riskbook.stages.monitor", "monitor"),
    "summarise": ("riskbook.stages.summarise", "summarise"),
    "write_outputs": ("riskbook.render.outputs", "write_outputs"),
    "open_unit": ("riskbook.stages.unit", "open_unit"),
    "open_group": ("riskbook.stages.unit", "open_group"),
    "Unit": ("riskbook.stages.unit", "Unit"),
    "Group": ("riskbook.stages.unit", "Group"),
    "Period": ("riskbook.core.periods", "Period"),
    "load_register": ("riskbook.settings.register", "load_register"),
    "set_theme": ("riskbook.display.theme", "set_theme"),
    "RISKS": ("riskbook.risks", "BY_ID"),
}


def __getattr__(name: str) -> Any:
    """Load a notebook-facing name on first use."""
    if name not in _NAMES:
        raise AttributeError(f"module 'riskbook' has no attribute {name!r}")
    module, attr = _NAMES[name]
    value = importlib.import_module(module)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES])


__all__ = [*_NAMES, "DataError", "ParamError", "RiskbookError"]
