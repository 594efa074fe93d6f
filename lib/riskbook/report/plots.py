"""Charts drawn with matplotlib: the 5×5 heatmaps, the group heatmap, Benford's first digits (the KRI
trends are SVG written directly: riskbook.report.trendsvg)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from riskbook.core.i18n import IMPACT_LABELS, LIKELIHOOD_LABELS, t
from riskbook.report.palettes import ACCENT, EMPTY, INK, MUTED, RAG, RATING
from riskbook.report.theme import theme
from riskbook.stages.assess import rating


def _matrix(ax, assessment: pd.DataFrame, lcol: str, icol: str, lang: str, title: str, moves: bool = False) -> bool:
    """One 5×5 likelihood × impact matrix on ``ax``, each live risk's id in its cell; with ``moves`` an
    arrow from where a risk was last period. Whether an arrow was drawn."""
    ax.grid(False)
    for li in range(1, 6):
        for im in range(1, 6):
            ax.add_patch(
                plt.Rectangle((im - 0.5, li - 0.5), 1, 1, facecolor=RATING[rating(li * im)], edgecolor="white", lw=2)
            )
            ax.text(im + 0.44, li - 0.44, str(li * im), ha="right", va="bottom", fontsize=8, color=MUTED)
    live = assessment[assessment.get("movement", pd.Series("", index=assessment.index)) != "closed"]
    arrows = 0
    if moves:  # where each risk was last period: a hollow dot and an arrow to where it is now
        for r in live.itertuples():
            pl, pi = getattr(r, "previous_likelihood", None), getattr(r, "previous_impact", None)
            if pl is None or pi is None or pd.isna(pl) or pd.isna(pi):
                continue
            li, im = getattr(r, lcol), getattr(r, icol)
            if (int(pl), int(pi)) == (li, im):
                continue
            # the dot in the lower left of the old cell, where no label is; the arrow ends at the edge of the
            # new cell facing it (along the same lower or left band when the move is straight), clear of labels
            x0, y0 = int(pi) - 0.28, int(pl) - 0.3
            x1 = im - 0.28 if im == pi else im - 0.42 * np.sign(im - pi)
            y1 = li - 0.3 if li == pl else li - 0.42 * np.sign(li - pl)
            ax.plot([x0], [y0], marker="o", ms=7, mfc="none", mec=INK, mew=1.1)
            ax.annotate(
                "",
                xy=(x1, y1),
                xytext=(x0, y0),
                arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.1, "shrinkA": 4},
                zorder=4,
            )
            arrows += 1
    for (li, im), g in live.groupby([lcol, icol]):
        ids = list(g["id"])
        shown = ids[:3] + ([f"+{len(ids) - 3}"] if len(ids) > 3 else [])  # a crowded cell says how many more
        ax.text(
            im,
            li,
            "\n".join(shown),
            ha="center",
            va="center",
            fontsize=9 if len(shown) < 3 else 7.5,
            fontweight="bold",
            color=INK,
            linespacing=1.1,
            zorder=5,  # over the arrows, on a patch of its cell's colour
            bbox={"facecolor": RATING[rating(int(li) * int(im))], "edgecolor": "none", "pad": 1.0},
        )
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), [f"{i}\n{lab}" for i, lab in enumerate(IMPACT_LABELS[lang], 1)], fontsize=8.5)
    ax.set_yticks(range(1, 6), [f"{lab} {i}" for i, lab in enumerate(LIKELIHOOD_LABELS[lang], 1)], fontsize=8.5)
    ax.set_xlabel(t("impact", lang), fontsize=9.5)
    ax.set_ylabel(t("likelihood", lang), fontsize=9.5)
    ax.set_title(title, fontsize=11, loc="left")
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)
    return arrows > 0


def heatmap(assessment: pd.DataFrame, lang: str = "en", residual: bool = False) -> Figure:
    """One 5×5 likelihood × impact matrix (inherent, or residual after controls) with its legend."""
    lcol, icol = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    with theme(lang):
        fig, ax = plt.subplots(figsize=(5.2, 4.6))
        title = t("heatmap_residual" if residual else "heatmap_inherent", lang)
        moved = _matrix(ax, assessment, lcol, icol, lang, title, moves=not residual)
        _rating_legend(fig, lang, moved)
    return fig


def heatmaps(assessment: pd.DataFrame, lang: str = "en") -> Figure:
    """The inherent and the residual matrix side by side, with one legend of the rating colours."""
    with theme(lang):
        fig, (a, b) = plt.subplots(1, 2, figsize=(9.6, 4.9), sharey=False)
        moved = _matrix(a, assessment, "likelihood", "impact", lang, t("heatmap_inherent", lang), moves=True)
        _matrix(b, assessment, "residual_likelihood", "residual_impact", lang, t("heatmap_residual", lang))
        _rating_legend(fig, lang, moved)
    return fig


def _rating_legend(fig: Figure, lang: str, moved: bool = False, bottom: float = 0.1) -> None:
    handles: list = [Patch(color=RATING[r]) for r in ("low", "medium", "high", "critical")]
    labels = [
        f"{t(r, lang)} {band}"
        for r, band in zip(("low", "medium", "high", "critical"), ("1–4", "5–9", "10–16", "17–25"))
    ]
    if moved:
        handles.append(Line2D([], [], marker="o", ms=6, mfc="none", mec=INK, color=INK, lw=1.1))
        labels.append(t("legend_moved", lang))
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=len(handles),
        fontsize=8.5,
        frameon=False,
        title=t("score_legend", lang),
        title_fontsize=8.5,
    )


def unit_family_heatmap(matrix: pd.DataFrame, lang: str = "en") -> Figure:
    """Units × families, coloured by the highest inherent score (0 = no risk)."""
    with theme(lang):
        fig, ax = plt.subplots(figsize=(6.8, 0.45 * len(matrix) + 1.6))
        ax.grid(False)
        for i in range(len(matrix.index)):
            for j in range(len(matrix.columns)):
                v = matrix.iloc[i, j]
                colour = RATING[rating(int(v))] if v and v > 0 else EMPTY
                ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
                ax.text(j + 0.5, i + 0.5, str(int(v)) if v and v > 0 else "–", ha="center", va="center", fontsize=10)
        ax.set_xlim(0, len(matrix.columns))
        ax.set_ylim(len(matrix), 0)
        ax.set_xticks(np.arange(len(matrix.columns)) + 0.5, [t(f, lang) for f in matrix.columns])
        ax.set_yticks(np.arange(len(matrix)) + 0.5, list(matrix.index))
        ax.tick_params(length=0, labelsize=9.5)
        for s in ax.spines.values():
            s.set_visible(False)
        _rating_legend(fig, lang, bottom=0.75 / (0.45 * len(matrix) + 1.6))
    return fig


def benford(table: pd.DataFrame, mad: float | None, lang: str = "en") -> Figure:
    """Observed first-digit shares (bars) against Benford's law (line)."""
    with theme(lang):
        fig, ax = plt.subplots(figsize=(4.6, 2.4))
        ax.bar(
            table["digit"],
            table["observed"] * 100,
            color=ACCENT,
            alpha=0.8,
            label=t("observed", lang),
        )
        ax.plot(
            table["digit"],
            table["expected"] * 100,
            color=RAG["red"],
            marker="o",
            ms=3,
            label=t("benford_law", lang),
        )
        ax.set_xticks(range(1, 10))
        ax.set_ylabel("%")
        ax.set_xlabel(t("first_digit", lang))
        if mad is not None:
            ax.set_title(t("benford_deviation", lang, mad=f"{mad:.4f}"), loc="left", fontsize=8)
        ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
    return fig
