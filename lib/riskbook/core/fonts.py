"""The report's fonts, defined once. The stylesheets of the pages, PDFs and index are generated from these
(``FONTS`` in their templates), the SVG charts write :data:`SVG_FAMILY` and the matplotlib theme
(riskbook.display.theme) picks its font from :data:`CJK_FONTS` and :data:`FALLBACK`."""

from __future__ import annotations

CJK = "Noto Sans CJK SC"  # Simplified Chinese
LATIN = "Noto Sans"  # Latin text in both languages: a CJK font sets quotes and apostrophes full-width
FALLBACK = "DejaVu Sans"  # always there: matplotlib ships it
MONO = "DejaVu Sans Mono"

# Latin first, then CJK for what Noto Sans lacks (every Chinese character and full-width punctuation)
REPORT: tuple[str, ...] = (LATIN, CJK, FALLBACK)  # the pages and PDFs in English, and the SVG charts
REPORT_ZH: tuple[str, ...] = (LATIN, CJK, FALLBACK)  # the pages and PDFs in Chinese, and the index
CJK_FONTS: tuple[str, ...] = (CJK, "Noto Sans CJK JP", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")  # matplotlib's


def css_family(families: tuple[str, ...], generic: str = "sans-serif") -> str:
    """A CSS font-family value: each family quoted, then the generic one."""
    return ", ".join([*(f'"{f}"' for f in families), generic])


SVG_FAMILY = ", ".join([*REPORT, "sans-serif"])  # an SVG font-family attribute (unquoted names)

# every font stack by name, for the templates: {{ FONTS.report }}
FONTS: dict[str, str] = {
    "report": css_family(REPORT),
    "report_zh": css_family(REPORT_ZH),
    "index": css_family(REPORT_ZH),
    "code": css_family((MONO,), "monospace"),
}
