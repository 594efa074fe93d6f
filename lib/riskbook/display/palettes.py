"""riskbook's colours, in one place: RAG statuses, the risk-rating scale and the house colours. The
stylesheets of the pages, PDFs and index are generated from these (``COLOURS`` in their templates),
and the workbook's fills and the charts read them here."""

from __future__ import annotations

RAG: dict[str, str] = {"green": "#2e7d32", "amber": "#e69f00", "red": "#c62828", "n/a": "#9e9e9e"}
AMBER_TEXT = "#8a5a00"  # amber as text on white: RAG amber reads at 2.2:1, this at 4.5:1 or better
# one per rating of riskbook.core.ratings (its score bands are there)
RAG_LIGHT: dict[str, str] = {
    "green": "#e6f4ea",
    "amber": "#fff1cc",
    "red": "#fbe3e1",
    "n/a": "#eeeeee",
}  # behind a word
RATING: dict[str, str] = {"low": "#c8e6c9", "medium": "#fff3b0", "high": "#ffc078", "critical": "#ef8a80"}
INK = "#1f2933"  # text
MUTED = "#5b6775"  # secondary text: footers, labels (4.5:1 on the stripes and bands too)
ACCENT = "#1d4e89"  # headings, table headers, the cover
RULE = "#d9dee4"  # table rules
STRIPE = "#f7f9fb"  # alternate table rows
BODY = "#3a4650"  # narrative paragraphs
ERROR_BG = "#fdecea"  # behind an error box (border RAG red)
COVER_LIGHT = "#cfe0f5"  # the company name on the cover's accent band
NO_DATA = "#8d6e00"  # "no data" status in the index
GRID = "#e5e8ec"  # chart grid lines
TICK = "#4a5562"  # chart tick labels: darker than MUTED, they are how a value is read
BAND = "#eef2f7"  # the control band behind a trend
EMPTY = "#f1f3f5"  # a heatmap cell without risk


def _luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours: 4.5 is the least for text."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_on(fill: str) -> str:
    """The text colour on ``fill``: white or ink, whichever reads better (ink on amber, white on red)."""
    return max(("#ffffff", INK), key=lambda c: contrast(c, fill))


# every colour by name, for the templates: {{ COLOURS.accent }}
COLOURS: dict[str, str] = {
    "ink": INK,
    "muted": MUTED,
    "accent": ACCENT,
    "rule": RULE,
    "stripe": STRIPE,
    "body": BODY,
    "error_bg": ERROR_BG,
    "cover_light": COVER_LIGHT,
    "no_data": NO_DATA,
    **{f"rag_{k.replace('/', '')}": v for k, v in RAG.items()},
    **{f"rating_{k}": v for k, v in RATING.items()},
}
