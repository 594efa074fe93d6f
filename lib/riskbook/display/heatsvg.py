"""The 5×5 likelihood × impact heatmaps, written as SVG directly (like the trend charts, riskbook.display.trendsvg).

Inherent and residual side by side, each live risk's id in its cell; on the inherent one, a hollow dot where a
risk was last period and an arrow to where it is now. Through matplotlib the pair cost a unit 0.2 s and a
100 KB drawing; here the pair is 15 KB of markup (east) whose text is the report's font.
"""

from __future__ import annotations

import html

import pandas as pd

from riskbook.core.fonts import SVG_FAMILY
from riskbook.core.i18n import IMPACT_LABELS, LIKELIHOOD_LABELS, t
from riskbook.core.ratings import RATINGS, band_label, rating
from riskbook.display.palettes import INK, RATING

CELL = 50  # a cell's side, px
LEFT, TOP, BOTTOM, RIGHT = 96, 8, 46, 4
MAX_IDS = 3  # ids written in one cell; more are counted ("+2")


def _x(impact: float) -> float:
    return LEFT + (impact - 0.5) * CELL


def _y(likelihood: float) -> float:
    return TOP + (5.5 - likelihood) * CELL


EDGE = 0.45  # an arrow starts this far from its old cell's centre (just inside its edge), in cells
END = 0.28  # and ends this far from its new cell's centre, on the side facing the old one
BAND = 0.3  # how far left of the centre a vertical arrow runs: the ids sit in the middle
ROW = 0.17  # how far below the centre a horizontal one runs: between the ids and the score in the corner


def _moves(live: pd.DataFrame, lcol: str, icol: str) -> list[tuple[float, float, float, float]]:
    """(x0, y0, x1, y1) of each risk that changed cell since last period: from the edge of its old cell facing
    the new one (the corner on a diagonal move) to the edge of its new cell facing the old one, below the ids
    when the move is straight, so an arrow never starts among the labels of the risks now in the old cell."""
    out = []
    for r in live.itertuples():
        pl, pi = getattr(r, "previous_likelihood", None), getattr(r, "previous_impact", None)
        if pl is None or pi is None or pd.isna(pl) or pd.isna(pi):
            continue
        li, im = int(getattr(r, lcol)), int(getattr(r, icol))
        pl, pi = int(pl), int(pi)
        if (pl, pi) == (li, im):
            continue
        sx = 0 if im == pi else (1 if im > pi else -1)
        sy = 0 if li == pl else (1 if li > pl else -1)
        x0, x1 = (pi - BAND, im - BAND) if sx == 0 else (pi + EDGE * sx, im - END * sx)
        y0, y1 = (pl - ROW, li - ROW) if sy == 0 else (pl + EDGE * sy, li - END * sy)
        if (sx, sy) == (1, -1):  # the bottom-right corner holds the cell's score: start left of it
            x0 = pi + 0.1
        out.append((_x(x0), _y(y0), _x(x1), _y(y1)))
    return out


def _axis_title(text: str, lang: str) -> str:
    """The likelihood axis's title, read bottom to top in English; in Chinese the characters stand upright,
    one under the other, as Chinese is set vertically."""
    style = f'font-size="9" font-weight="bold" fill="{INK}" text-anchor="middle"'
    if lang != "zh":
        return f'<text transform="translate(10 {_y(3):.1f}) rotate(-90)" {style}>{html.escape(text)}</text>'
    top = _y(3) - (len(text) - 1) * 5.5
    spans = "".join(f'<tspan x="10" y="{top + k * 11 + 3:.1f}">{html.escape(ch)}</tspan>' for k, ch in enumerate(text))
    return f"<text {style}>{spans}</text>"


def matrix(assessment: pd.DataFrame, lcol: str, icol: str, lang: str, moves: bool = False) -> tuple[str, int]:
    """One matrix as ``<svg>``, and how many movement arrows it draws."""
    w, h = LEFT + 5 * CELL + RIGHT, TOP + 5 * CELL + BOTTOM
    out = [
        f'<svg class="rb-heat" viewBox="0 0 {w} {h}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="{SVG_FAMILY}"><defs><marker id="rb-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{INK}"/></marker></defs>'
    ]
    for li in range(1, 6):
        for im in range(1, 6):
            x, y = _x(im - 0.5), _y(li + 0.5)
            out.append(
                f'<rect x="{x:.0f}" y="{y:.0f}" width="{CELL}" height="{CELL}" fill="{RATING[rating(li * im)]}" '
                f'stroke="white" stroke-width="2"/><text x="{x + CELL - 3:.0f}" y="{y + CELL - 3:.0f}" font-size="8.5" '
                f'fill="{INK}" text-anchor="end">{li * im}</text>'
            )
    live = assessment[assessment.get("movement", pd.Series("", index=assessment.index)) != "closed"]
    arrows = _moves(live, lcol, icol) if moves else []
    for x0, y0, x1, y1 in arrows:
        out.append(
            f'<circle cx="{x0:.1f}" cy="{y0:.1f}" r="3.5" fill="none" stroke="{INK}" stroke-width="1.1"/>'
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="{INK}" stroke-width="1.1" '
            f'marker-end="url(#rb-arrow)"/>'
        )
    for (li, im), g in live.groupby([lcol, icol]):
        ids = [str(i) for i in g["id"]]
        shown = ids[:MAX_IDS] + ([f"+{len(ids) - MAX_IDS}"] if len(ids) > MAX_IDS else [])
        size = 9 if len(shown) < 3 else 7.5
        cx, cy = _x(int(im)), _y(int(li)) - (len(shown) - 1) * size * 0.55
        width = max(len(s) for s in shown) * size * 0.62 + 4
        out.append(  # a patch of the cell's colour under the ids, over any arrow
            f'<rect x="{cx - width / 2:.1f}" y="{cy - size * 0.8:.1f}" width="{width:.1f}" '
            f'height="{len(shown) * size * 1.1 + 1:.1f}" fill="{RATING[rating(int(li) * int(im))]}"/>'
        )
        for k, s in enumerate(shown):
            out.append(
                f'<text x="{cx:.1f}" y="{cy + k * size * 1.1 + size * 0.35:.1f}" font-size="{size}" font-weight="bold" '
                f'fill="{INK}" text-anchor="middle">{html.escape(s)}</text>'
            )
    for i, lab in enumerate(LIKELIHOOD_LABELS[lang], 1):
        out.append(
            f'<text x="{LEFT - 5}" y="{_y(i) + 3:.1f}" font-size="8" fill="{INK}" text-anchor="end">'
            f"{html.escape(lab)} {i}</text>"
        )
    for i, lab in enumerate(IMPACT_LABELS[lang], 1):
        out.append(
            f'<text x="{_x(i):.1f}" y="{TOP + 5 * CELL + 12}" font-size="8" fill="{INK}" '
            f'text-anchor="middle">{i}</text>'
            f'<text x="{_x(i):.1f}" y="{TOP + 5 * CELL + 23}" font-size="8" fill="{INK}" text-anchor="middle">'
            f"{html.escape(lab)}</text>"
        )
    out.append(
        f'<text x="{_x(3):.1f}" y="{h - 6}" font-size="9" font-weight="bold" fill="{INK}" text-anchor="middle">'
        f"{html.escape(t('impact', lang))}</text>{_axis_title(t('likelihood', lang), lang)}</svg>"
    )
    return "".join(out), len(arrows)


def legend(lang: str, moved: bool) -> str:
    """The rating colours with their score bands, and the movement marks when an arrow is drawn."""
    items = [
        f'<span class="rb-nb"><span class="rb-swatch" style="background:{RATING[r]}"></span>'
        f"{html.escape(t(r, lang))} {band_label(r)}</span>"
        for r in RATINGS
    ]
    if moved:
        items.append(
            '<span class="rb-nb"><svg width="26" height="10" viewBox="0 0 26 10">'
            f'<circle cx="5" cy="5" r="3.5" fill="none" stroke="{INK}" stroke-width="1.1"/>'
            f'<line x1="5" y1="5" x2="24" y2="5" stroke="{INK}" stroke-width="1.1"/>'
            f'<path d="M19,1.5 L25,5 L19,8.5 z" fill="{INK}"/></svg> {html.escape(t("legend_moved", lang))}</span>'
        )
    return f'<p class="rb-heat-key">{html.escape(t("score_legend", lang))}{t("colon", lang)}' + " ".join(items) + "</p>"


def heatmaps(assessment: pd.DataFrame, lang: str = "en") -> tuple[str, int]:
    """Inherent and residual matrices side by side with one legend, as HTML; and how many arrows it draws."""
    inherent, moved = matrix(assessment, "likelihood", "impact", lang, moves=True)
    residual, _ = matrix(assessment, "residual_likelihood", "residual_impact", lang)
    cells = "".join(
        f'<div class="rb-heat-cell"><div class="rb-heat-title">{html.escape(t(key, lang))}</div>{svg}</div>'
        for key, svg in (("heatmap_inherent", inherent), ("heatmap_residual", residual))
    )
    return f'<div class="rb-heatmaps">{cells}</div>{legend(lang, moved > 0)}', moved
