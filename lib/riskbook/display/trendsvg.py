"""KRI trend charts written as SVG directly: a KRI over the trailing periods with its amber and red
thresholds, its usual range and its average.

The monitoring stage draws some thirty of these small charts per unit. Through matplotlib they were the
largest cost of a unit's notebooks (figures, tight layout, SVG export; then WeasyPrint painting each
path); written here they are about 2.4 KB of markup each (east), and the title is HTML text in the
report's font that wraps like the rest of the page. The charts sit in a grid of inline blocks, so a page breaks
between rows of charts rather than pushing a whole figure to the next page.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence

import pandas as pd

from riskbook.core.fonts import SVG_FAMILY
from riskbook.core.i18n import t
from riskbook.display.palettes import ACCENT, BAND, GRID, MUTED, RAG, TICK

W, H = 220, 118  # the plot's box in CSS px (the chart scales to its grid cell)
LEFT, RIGHT, TOP, BOTTOM = 44, 6, 7, 19  # margins for the y labels and the period labels


def nice_ticks(lo: float, hi: float, n: int = 4, integer: bool = False) -> list[float]:
    """About ``n`` round tick values covering [lo, hi] (steps 1, 2, 2.5, 5 × 10^k; whole numbers for counts)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, round(step))
    first = math.ceil(lo / step - 1e-9) * step
    ticks, v = [], first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def tick_label(v: float, unit: str) -> str:
    """A y tick in the KRI's unit, short: 25%, 1.5×, 60, 0.004."""
    if unit == "%":
        return f"{v:.0f}%" if abs(v - round(v)) < 1e-9 else f"{v:.1f}%"
    if unit == "×":
        return f"{v:.1f}×"
    if unit in ("days", "count", "score", "index"):
        return f"{v:,.0f}"
    if abs(v) >= 100 or abs(v - round(v)) < 1e-9:
        return f"{v:,.0f}"
    return f"{v:.3g}"


def chart(
    periods: Sequence[str],
    values: Sequence[float | None],
    statuses: Sequence[str],
    amber: float | None,
    red: float | None,
    unit: str,
    band: tuple[float, float, float] | None = None,
) -> str:
    """The plot of one KRI as an ``<svg>``: ``band`` is (lower, upper, mean) of its usual range, or None."""
    vals = [None if v is None or pd.isna(v) else float(v) for v in values]
    lo, hi = _y_range(vals, amber, red, band)
    ticks = [v for v in nice_ticks(lo, hi, 4, unit in ("count", "days", "score")) if lo <= v <= hi]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    n = len(vals)

    def x(i: int) -> float:
        return LEFT + (pw * (i + 0.5) / n if n else pw / 2)

    def y(v: float) -> float:
        return TOP + ph * (1 - (v - lo) / (hi - lo))

    out = [
        f'<svg class="rb-trend-plot" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{SVG_FAMILY}">'
    ]
    if band is not None:
        top_, bottom_ = y(min(band[1], hi)), y(max(band[0], lo))
        out.append(f'<rect x="{LEFT}" y="{top_:.1f}" width="{pw}" height="{bottom_ - top_:.1f}" fill="{BAND}"/>')
    out += _y_ticks(ticks, unit, y)
    if band is not None:
        out.append(_hline(y(band[2]), MUTED, "1,2", 0.8))
    for level, colour in ((amber, RAG["amber"]), (red, RAG["red"])):
        if level is not None and not pd.isna(level) and lo <= level <= hi:
            out.append(_hline(y(level), colour, "4,3", 1.1))
    out += _period_labels(periods, n, x)
    out += _value_marks(vals, statuses, x, y)
    out.append("</svg>")
    return "".join(out)


def _y_range(
    vals: list[float | None], amber: float | None, red: float | None, band: tuple[float, float, float] | None
) -> tuple[float, float]:
    """The y axis's (low, high): the values, thresholds and usual range with a margin; from zero for a rate
    or a count near zero."""
    known = [v for v in vals if v is not None]
    levels = known + [x for x in (amber, red) if x is not None and not pd.isna(x)]
    span = levels + ([band[0], band[1]] if band is not None else [])
    lo, hi = (min(span), max(span)) if span else (0.0, 1.0)
    pad = (hi - lo) * 0.12 or (abs(hi) * 0.1 or 1.0)
    lo, hi = lo - pad, hi + pad
    if levels and min(levels) >= 0 and lo < 0.35 * hi:  # a rate or a count near zero: the axis starts at zero
        lo = 0.0
    return lo, hi


def _y_ticks(ticks: list[float], unit: str, y: Callable[[float], float]) -> list[str]:
    """A grid line and a label in the KRI's unit at each y tick."""
    return [
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}" stroke-width="0.6"/>'
        f'<text x="{LEFT - 3}" y="{y(v) + 3.2:.1f}" font-size="9.5" fill="{TICK}" text-anchor="end">'
        f"{html.escape(tick_label(v, unit))}</text>"
        for v in ticks
    ]


def _period_labels(periods: Sequence[str], n: int, x: Callable[[int], float]) -> list[str]:
    """The periods under the plot (``n`` values): every other one past six (the last always), 2026Q3 as 26Q3."""
    step = 2 if n > 6 else 1  # eight quarter labels do not fit a small chart's width
    return [
        f'<text x="{x(i):.1f}" y="{H - 5}" font-size="9" fill="{TICK}" text-anchor="middle">'
        f"{html.escape(str(p)[2:] if len(str(p)) == 6 else str(p))}</text>"
        for i, p in enumerate(periods)
        if i % step == (n - 1) % step
    ]


def _value_marks(
    vals: list[float | None], statuses: Sequence[str], x: Callable[[int], float], y: Callable[[float], float]
) -> list[str]:
    """The KRI's line through its known values and a dot at each, coloured by its status."""
    out = []
    line = [(x(i), y(v)) for i, v in enumerate(vals) if v is not None]
    if len(line) > 1:
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in line)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{ACCENT}" stroke-width="1.6"/>')
    for i, v in enumerate(vals):
        if v is not None:
            colour = RAG.get(statuses[i], RAG["n/a"])
            out.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.8" fill="{colour}" stroke="white" stroke-width="0.6"/>'
            )
    return out


def _hline(yv: float, colour: str, dash: str, width: float) -> str:
    return (
        f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{yv:.1f}" y2="{yv:.1f}" stroke="{colour}" '
        f'stroke-width="{width}" stroke-dasharray="{dash}"/>'
    )


def swatch(inner: str) -> str:
    """A 22 × 10 sample of a chart's mark (``inner`` is its SVG), for a key."""
    return f'<svg width="22" height="10" viewBox="0 0 22 10">{inner}</svg>'


def key(items: list[tuple[str, str]], lang: str) -> str:
    """A chart's key in one line: (swatch HTML, i18n key of its words) pairs."""
    return (
        '<p class="rb-trend-key">'
        + " ".join(f'<span class="rb-nb">{s} {html.escape(t(k, lang))}</span>' for s, k in items)
        + "</p>"
    )


def legend(lang: str) -> str:
    """The trend charts' key, once: the value, the two thresholds, the usual range and the average."""
    items = [
        (
            swatch(
                f'<line x1="1" x2="21" y1="5" y2="5" stroke="{ACCENT}" stroke-width="1.6"/>'
                f'<circle cx="11" cy="5" r="2.8" fill="{RAG["red"]}"/>'
            ),
            "legend_value",
        ),
        (swatch(_line(RAG["amber"], "4,3")), "legend_amber"),
        (swatch(_line(RAG["red"], "4,3")), "legend_red"),
        (swatch(f'<rect x="1" y="1" width="20" height="8" fill="{BAND}"/>'), "legend_band"),
        (swatch(_line(MUTED, "1,2")), "legend_mean"),
    ]
    return key(items, lang)


def _line(colour: str, dash: str) -> str:
    return f'<line x1="1" x2="21" y1="5" y2="5" stroke="{colour}" stroke-width="1.2" stroke-dasharray="{dash}"/>'


def _unit_word(title: str, unit: str, lang: str) -> str:
    """The unit beside a chart's title, unless the title says it already ("Expected credit loss (% of
    revenue)", "… quota") or it adds nothing (a count)."""
    word = t("unit_" + unit, lang)
    if unit == "count" or word in title or any(len(w) > 2 and w in title for w in word.split()):
        return ""
    return "" if lang == "zh" and len(word) > 1 and word[-2:] in title else word


def grid(
    history: pd.DataFrame, current: pd.DataFrame, limits: pd.DataFrame, ids: list[str], lang: str, min_baseline: int
) -> str:
    """A grid of trend charts for ``ids``: each chart's title (HTML), its unit and the plot."""
    cur = current.set_index("id")
    lim = limits.set_index("id")
    cells = []
    for kid in ids:
        h = history[history["id"] == kid]
        k = cur.loc[kid]
        b = lim.loc[kid] if kid in lim.index else None
        band = None
        if b is not None and pd.notna(b["sd"]) and b["sd"] > 0 and b.get("baseline", 0) >= min_baseline:
            band = (float(b["lcl"]), float(b["ucl"]), float(b["mean"]))
        title = k["title_zh"] if lang == "zh" else k["title"]
        plot = chart(list(h["period"]), list(h["value"]), list(h["status"]), k["amber"], k["red"], k["unit"], band)
        unit_word = _unit_word(str(title), str(k["unit"]), lang)
        cells.append(
            f'<div class="rb-trend"><div class="rb-trend-title">{html.escape(str(title))}'
            f' <span class="rb-trend-unit">{html.escape(unit_word)}</span></div>{plot}</div>'
        )
    return '<div class="rb-trends">' + "".join(cells) + "</div>"
