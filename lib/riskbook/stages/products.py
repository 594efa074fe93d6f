"""What each stage of a unit's report produces: typed products, saved for the stages after it
(riskbook.stages.pipeline) and read by the display and the writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from riskbook.stages.identify import PresentRisk


@dataclass
class Identification:
    """Every KRI of the period with its status, and the risks present with their evidence."""

    kris: pd.DataFrame
    present: list[PresentRisk]
    previous: pd.DataFrame | None = None  # the previous period's KRIs (assessment and monitoring reuse them)


@dataclass
class Assessment:
    """The risks present (and added by analysts), scored, with movement since the previous period."""

    risks: pd.DataFrame


@dataclass
class Monitoring:
    """KRIs over the trailing periods, their control limits, and the period's breaches (new first)."""

    history: pd.DataFrame
    limits: pd.DataFrame
    breaches: pd.DataFrame


@dataclass
class Summary:
    """What the executive summary shows: headline, top risks, actions, breaches, data quality."""

    headline: str
    status: str  # ok | no data
    data_through: str  # the last day the data reaches in the period
    period_complete: bool  # the data covers the whole period
    partial: str  # why it does not, in the report's language ("" when complete)
    kris: pd.DataFrame
    risks: pd.DataFrame
    top: pd.DataFrame
    actions: pd.DataFrame  # the top risks' actions, analysts' first (the summary page)
    all_actions: pd.DataFrame  # every live risk's actions (the workbook)
    breaches: pd.DataFrame
    dq: dict[str, Any]  # the data_quality section of results.json
    closed: pd.DataFrame
    new: pd.DataFrame | None = None  # risks new this period
    money: pd.DataFrame | None = None  # money at risk by pool, each counted once (summarise.money_breakdown)
    overall: str = "low"  # the unit's overall rating before controls: its highest risk's inherent score's
    overall_net: str = "low"  # after controls: its highest residual score's
    history: pd.DataFrame | None = None  # the KRIs over the trailing periods (the tiles' sparklines)
    as_of: str = ""  # the date the data stands at
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)  # the first table of each kind
    touched: pd.DataFrame | None = None  # the findings that touch the report (the workbook lists them)
