"""Charts drawn with matplotlib: the group's units × families heatmap (the 5×5 heatmaps, the KRI trends and
Benford's first digits are SVG written directly: riskbook.display.heatsvg, trendsvg, benfordsvg)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from riskbook.core.i18n import t
from riskbook.core.ratings import RATINGS, band_label, rating
from riskbook.display.palettes import EMPTY, RATING
from riskbook.display.theme import theme


def _rating_legend(fig: Figure, lang: str, bottom: float = 0.1) -> None:
    """The rating colours with their score bands, under the figure."""
    handles: list = [Patch(color=RATING[r]) for r in RATINGS]
    labels = [f"{t(r, lang)} {band_label(r)}" for r in RATINGS]
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
