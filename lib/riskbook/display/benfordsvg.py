"""Benford's first digits as SVG written directly: the observed share of each first digit (bars) against
Benford's law (line and dots), with the mean deviation in the title when there is one."""

from __future__ import annotations

import html

import pandas as pd

from riskbook.core.fonts import SVG_FAMILY
from riskbook.core.i18n import t
from riskbook.display.palettes import ACCENT, GRID, INK, MUTED, RAG
from riskbook.display.trendsvg import key, nice_ticks, swatch

W, H = 330, 170
LEFT, RIGHT, TOP, BOTTOM = 30, 8, 22, 30


def chart(table: pd.DataFrame, mad: float | None, lang: str = "en") -> str:
    """The chart as ``<svg>``: ``table`` has digit, observed and expected (shares of 1)."""
    obs = [float(v) * 100 for v in table["observed"]]
    exp = [float(v) * 100 for v in table["expected"]]
    hi = max(obs + exp) * 1.15 or 1.0  # Benford's 30.1 % clear of the top
    ticks = [v for v in nice_ticks(0, hi, 4) if v <= hi]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    step = pw / len(obs)

    def y(v: float) -> float:
        return TOP + ph * (1 - v / hi)

    out = [
        f'<svg class="rb-benford" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="{SVG_FAMILY}">'
    ]
    if mad is not None:
        title = t("benford_deviation", lang, mad=f"{mad:.4f}")
        out.append(
            f'<text x="{LEFT}" y="12" font-size="8.5" font-weight="bold" fill="{INK}">{html.escape(title)}</text>'
        )
    for v in ticks:
        out.append(
            f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}" stroke-width="0.6"/>'
            f'<text x="{LEFT - 3}" y="{y(v) + 2.5:.1f}" font-size="7.5" fill="{MUTED}" text-anchor="end">{v:g}%</text>'
        )
    for i, v in enumerate(obs):
        x = LEFT + i * step
        out.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{y(v):.1f}" width="{step * 0.7:.1f}" height="{y(0) - y(v):.1f}" '
            f'fill="{ACCENT}" fill-opacity="0.8"/>'
            f'<text x="{x + step / 2:.1f}" y="{y(0) + 11:.1f}" font-size="8" fill="{INK}" '
            f'text-anchor="middle">{i + 1}</text>'
        )
    pts = " ".join(f"{LEFT + (i + 0.5) * step:.1f},{y(v):.1f}" for i, v in enumerate(exp))
    out.append(f'<polyline points="{pts}" fill="none" stroke="{RAG["red"]}" stroke-width="1.3"/>')
    out += [f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.2" fill="{RAG["red"]}"/>' for p in pts.split()]
    out.append(
        f'<text x="{LEFT + pw / 2:.1f}" y="{H - 4}" font-size="8" fill="{MUTED}" text-anchor="middle">'
        f"{html.escape(t('first_digit', lang))}</text></svg>"
    )
    marks = [
        (f'<span class="rb-swatch" style="background:{ACCENT}"></span>', "observed"),  # a box, like the bars
        (
            swatch(
                f'<line x1="1" x2="21" y1="5" y2="5" stroke="{RAG["red"]}" stroke-width="1.3"/>'
                f'<circle cx="11" cy="5" r="2.2" fill="{RAG["red"]}"/>'
            ),
            "benford_law",
        ),
    ]
    return f'<div class="rb-benford-box">{"".join(out)}{key(marks, lang)}</div>'
