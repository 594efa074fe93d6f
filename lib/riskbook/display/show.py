"""What notebooks display (``rb.show``): one module per page of the report — identification, assessment,
monitoring, summary, group, data quality — and the pieces they share (riskbook.display.html). This module
gathers them under one name for the notebooks."""

from riskbook.display.assessment import controls, heatmaps, overrides, risk_table
from riskbook.display.group import STAGE_NAMES, failed_line, group, group_title
from riskbook.display.html import (
    anchor,
    badge,
    figure,
    fmt_value,
    h,
    heading,
    keep,
    local_title,
    md_text,
    rating_badge,
    risk_link,
    sparkline,
    text,
    title,
)
from riskbook.display.identification import evidence, frame, kri_table, present_risks
from riskbook.display.monitoring import breaches, trends
from riskbook.display.quality import data_quality, dq_sentence, dq_table
from riskbook.display.summary import SUMMARY_ACTIONS, kri_tiles, summary

__all__ = [
    "STAGE_NAMES",
    "SUMMARY_ACTIONS",
    "anchor",
    "badge",
    "breaches",
    "controls",
    "data_quality",
    "dq_sentence",
    "dq_table",
    "evidence",
    "failed_line",
    "figure",
    "present_risks",
    "fmt_value",
    "frame",
    "group",
    "group_title",
    "h",
    "heading",
    "heatmaps",
    "keep",
    "kri_table",
    "kri_tiles",
    "local_title",
    "md_text",
    "overrides",
    "rating_badge",
    "risk_link",
    "risk_table",
    "sparkline",
    "summary",
    "text",
    "title",
    "trends",
]
