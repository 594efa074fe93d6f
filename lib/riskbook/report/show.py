"""What notebooks display (``rb.show``): one module per page of the report — identification, assessment,
monitoring, summary, group, data quality — and the pieces they share (riskbook.report.html). This module
gathers them under one name for the notebooks."""

from riskbook.report.assessment import controls, heatmaps, overrides, risk_table
from riskbook.report.group import STAGE_NAMES, failed_line, group, group_title
from riskbook.report.html import (
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
from riskbook.report.identification import evidence, findings, frame, kri_table
from riskbook.report.monitoring import breaches, trends
from riskbook.report.quality import data_quality, dq_sentence, dq_table
from riskbook.report.summary import SUMMARY_ACTIONS, kri_tiles, summary

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
    "findings",
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
