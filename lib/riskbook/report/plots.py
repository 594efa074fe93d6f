"""Charts: the 5×5 heatmap, KRI trends with thresholds and control limits, the group heatmap."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from riskbook.core.i18n import IMPACT_LABELS, LIKELIHOOD_LABELS, t
from riskbook.report.palettes import ACCENT, BAND, EMPTY, INK, MUTED, RAG, RATING
from riskbook.report.theme import theme
from riskbook.stages.assess import rating
from riskbook.stages.monitor import MIN_BASELINE


def _matrix(ax, assessment: pd.DataFrame, lcol: str, icol: str, lang: str, title: str) -> None:
    """One 5×5 likelihood × impact matrix on ``ax``, each live risk's id in its cell."""
    ax.grid(False)
    for li in range(1, 6):
        for im in range(1, 6):
            ax.add_patch(
                plt.Rectangle((im - 0.5, li - 0.5), 1, 1, facecolor=RATING[rating(li * im)], edgecolor="white", lw=2)
            )
            ax.text(im + 0.44, li - 0.44, str(li * im), ha="right", va="bottom", fontsize=6.5, color=MUTED)
    live = assessment[assessment.get("movement", pd.Series("", index=assessment.index)) != "closed"]
    for (li, im), g in live.groupby([lcol, icol]):
        ids = list(g["id"])
        shown = ids[:3] + ([f"+{len(ids) - 3}"] if len(ids) > 3 else [])  # a crowded cell says how many more
        ax.text(
            im,
            li,
            "\n".join(shown),
            ha="center",
            va="center",
            fontsize=7 if len(shown) < 3 else 6,
            fontweight="bold",
            color=INK,
            linespacing=1.1,
        )
    ax.set_xlim(0.5, 5.5)
    ax.set_ylim(0.5, 5.5)
    ax.set_xticks(range(1, 6), [f"{i}\n{lab}" for i, lab in enumerate(IMPACT_LABELS[lang], 1)], fontsize=7)
    ax.set_yticks(range(1, 6), [f"{lab} {i}" for i, lab in enumerate(LIKELIHOOD_LABELS[lang], 1)], fontsize=7)
    ax.set_xlabel(t("impact", lang), fontsize=8)
    ax.set_ylabel(t("likelihood", lang), fontsize=8)
    ax.set_title(title, fontsize=9, loc="left")
    ax.tick_params(length=0)
    for sp in ax.spines.values():
        sp.set_visible(False)


def heatmap(assessment: pd.DataFrame, lang: str = "en", residual: bool = False) -> Figure:
    """One 5×5 likelihood × impact matrix (inherent, or residual after controls) with its legend."""
    lcol, icol = ("residual_likelihood", "residual_impact") if residual else ("likelihood", "impact")
    with theme(lang):
        fig, ax = plt.subplots(figsize=(5.2, 4.4))
        _matrix(ax, assessment, lcol, icol, lang, t("heatmap_residual" if residual else "heatmap_inherent", lang))
        _rating_legend(fig, lang)
    return fig


def heatmaps(assessment: pd.DataFrame, lang: str = "en") -> Figure:
    """The inherent and the residual matrix side by side, with one legend of the rating colours."""
    with theme(lang):
        fig, (a, b) = plt.subplots(1, 2, figsize=(9.6, 4.4), sharey=False)
        _matrix(a, assessment, "likelihood", "impact", lang, t("heatmap_inherent", lang))
        _matrix(b, assessment, "residual_likelihood", "residual_impact", lang, t("heatmap_residual", lang))
        _rating_legend(fig, lang)
    return fig


def _rating_legend(fig: Figure, lang: str) -> None:
    handles = [Patch(color=RATING[r]) for r in ("low", "medium", "high", "critical")]
    labels = [
        f"{t(r, lang)} {band}"
        for r, band in zip(("low", "medium", "high", "critical"), ("1–4", "5–9", "10–16", "17–25"))
    ]
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncol=4,
        fontsize=7,
        frameon=False,
        title=t("score_legend", lang),
        title_fontsize=7,
    )


def kri_trends(
    history: pd.DataFrame,
    current: pd.DataFrame,
    limits: pd.DataFrame,
    lang: str = "en",
    ids: list[str] | None = None,
    cols: int = 3,
) -> Figure | None:
    """Small multiples: each KRI over the trailing periods with amber/red lines and mean ± 3σ band."""
    ids = ids or [i for i in current["id"] if history.loc[history["id"] == i, "value"].notna().any()]
    if not ids:
        return None
    cols = min(cols, len(ids))
    rows = math.ceil(len(ids) / cols)
    cur = current.set_index("id")
    lim = limits.set_index("id")
    with theme(lang):
        fig, axes = plt.subplots(rows, cols, figsize=(2.4 * cols, 2.15 * rows + 0.35), squeeze=False)
        for ax, kid in zip(axes.flat, ids):
            h = history[history["id"] == kid]
            x = np.arange(len(h))
            k = cur.loc[kid]
            title = k["title_zh"] if lang == "zh" else k["title"]
            ax.set_title(wrap(title, 15 if lang == "zh" else 30), fontsize=7.5, loc="left")
            ax.set_ylabel(t(f"unit_{k['unit']}", lang), fontsize=6.5)
            band = lim.loc[kid]
            if pd.notna(band["sd"]) and band["sd"] > 0 and band.get("baseline", 0) >= MIN_BASELINE:
                ax.axhspan(band["lcl"], band["ucl"], color=BAND, zorder=0)
                ax.axhline(band["mean"], color=MUTED, lw=0.6, ls=":")
            ax.axhline(k["amber"], color=RAG["amber"], lw=1, ls="--")
            ax.axhline(k["red"], color=RAG["red"], lw=1, ls="--")
            ax.plot(x, h["value"], color=ACCENT, lw=1.6, marker="o", ms=3)
            colours = [RAG.get(s, RAG["n/a"]) for s in h["status"]]
            ax.scatter(x, h["value"], c=colours, s=22, zorder=3)
            ax.set_xticks(x, [p[2:] for p in h["period"]], fontsize=6, rotation=0)
            ax.tick_params(axis="y", labelsize=7)
            vals = pd.concat([h["value"].dropna(), pd.Series([k["amber"], k["red"]])])
            pad = (vals.max() - vals.min()) * 0.15 or 1
            ax.set_ylim(vals.min() - pad, vals.max() + pad)
        for ax in list(axes.flat)[len(ids) :]:
            fig.delaxes(ax)
        handles = [
            Line2D([], [], color=ACCENT, lw=1.6, marker="o", ms=3),
            Line2D([], [], color=RAG["amber"], lw=1, ls="--"),
            Line2D([], [], color=RAG["red"], lw=1, ls="--"),
            Patch(color=BAND),
        ]
        labels = [t(x, lang) for x in ("legend_value", "legend_amber", "legend_red", "legend_band")]
        fig.tight_layout(rect=(0, 0.07 if rows == 1 else 0.04, 1, 1))
        fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=7, frameon=False)
    return fig


def wrap(text: str, width: int) -> str:
    """A title on at most two lines of ``width`` characters, cut at a space where there is one (Chinese has none)."""
    import textwrap

    if " " in text:
        lines = textwrap.wrap(text, width)
    else:
        lines = [text[i : i + width] for i in range(0, len(text), width)]
    return "\n".join(lines[:2]) + ("…" if len(lines) > 2 else "")


def unit_family_heatmap(matrix: pd.DataFrame, lang: str = "en") -> Figure:
    """Units × families, coloured by the highest inherent score (0 = no risk)."""
    with theme(lang):
        fig, ax = plt.subplots(figsize=(6.8, 0.45 * len(matrix) + 1.2))
        ax.grid(False)
        for i in range(len(matrix.index)):
            for j in range(len(matrix.columns)):
                v = matrix.iloc[i, j]
                colour = RATING[rating(int(v))] if v and v > 0 else EMPTY
                ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=2))
                ax.text(j + 0.5, i + 0.5, str(int(v)) if v and v > 0 else "–", ha="center", va="center", fontsize=9)
        ax.set_xlim(0, len(matrix.columns))
        ax.set_ylim(len(matrix), 0)
        ax.set_xticks(np.arange(len(matrix.columns)) + 0.5, [t(f, lang) for f in matrix.columns])
        ax.set_yticks(np.arange(len(matrix)) + 0.5, list(matrix.index))
        ax.tick_params(length=0)
        for s in ax.spines.values():
            s.set_visible(False)
        fig.tight_layout()
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
