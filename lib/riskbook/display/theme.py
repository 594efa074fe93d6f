"""One plotting theme, applied inside a context manager that restores rcParams."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib
from matplotlib import font_manager

from riskbook.core.fonts import CJK_FONTS, FALLBACK
from riskbook.display.palettes import GRID, INK, MUTED


def cjk_font() -> str | None:
    """The first installed font that renders Simplified Chinese, or None."""
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def rc(lang: str = "en") -> dict[str, object]:
    """rcParams of the riskbook theme."""
    family = [FALLBACK]
    cjk = cjk_font()
    if cjk:
        family = [cjk, FALLBACK]  # the report's own font (riskbook.core.fonts), in both languages
    return {
        "font.family": "sans-serif",
        "font.sans-serif": family,
        "font.size": 9,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": INK,
        "axes.titlesize": 10,
        "axes.titleweight": "bold",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "xtick.color": MUTED,
        "ytick.color": MUTED,
        "text.color": INK,
        "figure.dpi": 110,
        "savefig.dpi": 160,
        "savefig.bbox": "tight",
        "svg.fonttype": "none",  # text stays text in the vector charts, drawn by the PDF in the report's font
        "axes.unicode_minus": False,
        "figure.facecolor": "white",
    }


@contextmanager
def theme(lang: str = "en") -> Iterator[None]:
    """Apply the riskbook theme for the duration of the block."""
    with matplotlib.rc_context(rc(lang)):
        yield


def set_theme(lang: str = "en") -> None:
    """Apply the theme globally (notebooks call this once, after the parameters cell)."""
    matplotlib.rcParams.update(rc(lang))
