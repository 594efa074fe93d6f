"""riskbook: quarterly sales-operations risk packs from CRM/ERP exports.

Notebooks use this package through the names below; see README.md.
"""
from __future__ import annotations

from . import kris, plots, show, stages
from .assessment import assess, movement, previous_scores
from .exceptions import DataError, ParamError, RiskbookError, StageMissingError
from .identification import identify
from .library import BY_ID as RISKS
from .monitoring import monitor
from .periods import Period
from .register import load_register
from .theme import set_theme
from .summary import summarise, write_outputs
from .unit import Group, Unit, open_group, open_unit

__version__ = "0.1.0"
__all__ = ["kris", "show", "stages", "assess", "movement", "previous_scores", "identify", "monitor",
           "load_register", "set_theme", "open_unit", "open_group", "summarise", "write_outputs", "plots", "Group", "Unit", "Period", "RISKS", "DataError", "ParamError",
           "RiskbookError", "StageMissingError"]
