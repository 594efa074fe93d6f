"""The pieces every page of the report is built from: HTML templates with escaped values (:func:`h`),
badges, links, tables, headings and figures."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pandas as pd
from IPython.display import HTML, SVG, Markdown, display
from markupsafe import Markup, escape

from riskbook.core import config
from riskbook.core.i18n import NUMBER, status_word, t
from riskbook.display.palettes import RAG, RATING, text_on


def h(template: str, *values: Any) -> Markup:
    """HTML from a fixed ``template`` with ``values`` escaped into it (markupsafe): a value is never joined
    into HTML by hand, so a name, owner or amount from settings or data can only ever be text. A value that
    is already Markup (a badge, a link) goes in as it is."""
    return Markup(template).format(*values)


def fmt_value(value: Any, unit: str, lang: str = "en") -> str:
    """A KRI value in its unit: 23.5%, 61 d, 2.4×, 0.0123."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    v = float(value)
    return {
        "%": f"{v:.1f}%",
        "days": t("days_value", lang, n=f"{v:.0f}"),
        "×": f"{v:.2f}×",
        "ratio": f"{v:.2f}",
        "MAD": f"{v:.4f}",
        "count": f"{v:.0f}",
        "score": f"{v:.0f}",
        "index": f"{v:,.0f}",
    }.get(unit, f"{v:.2f}")


def badge(status: str, lang: str = "en", word: str | None = None) -> Markup:
    """A RAG badge: the status's colour, its word (or ``word``)."""
    colour = RAG.get(status, RAG["n/a"])
    return h(
        '<span class="rb-badge" style="background:{};color:{}">{}</span>',
        colour,
        text_on(colour),
        word or status_word(status, lang),
    )


def rating_badge(r: str, lang: str = "en") -> Markup:
    return h('<span class="rb-rating" style="background:{}">{}</span>', RATING.get(r, "#eee"), t(r, lang))


def keep(text: str, limit: int = 14) -> Markup:
    """``text`` kept on one line when short: Chinese breaks between any two characters and WeasyPrint has no
    ``word-break: keep-all``, so a short title or label would split mid-word."""
    return h('<span class="rb-nb">{}</span>', text) if len(str(text)) <= limit else escape(text)


def anchor(risk_id: str, where: str = "risk") -> str:
    """The id of a risk's detail (``risk-…`` in identification, ``reg-…`` in the register table)."""
    return f"{where}-" + re.sub(r"[^A-Za-z0-9_-]", "_", str(risk_id))


def risk_link(r: Any) -> Markup:
    """The risk's id linking to its detail: the evidence for a risk its KRIs found, the register row for
    one an analyst added (the PDF turns these into links inside the document)."""
    target = (
        f"{config.notebook_of('identification')}.html#{anchor(r['id'])}"
        if r.get("source") == "kri"
        else f"{config.notebook_of('assessment')}.html#{anchor(r['id'], 'reg')}"
    )
    return h('<a class="rb-link" href="{}"><b>{}</b></a>', target, str(r["id"]))


def cell(value: Any) -> Any:
    """A table cell: a number (-11,062.06, 23.5%, CNY 0.6M, an amount in wan yuan) kept on one line, so a narrow column
    never prints half of it on one line and half on the next; anything else as it is."""
    if isinstance(value, str) and not isinstance(value, Markup) and len(value) < 30 and NUMBER.fullmatch(value):
        return h('<span class="rb-nb">{}</span>', value)
    return value


def table(header: list[str], rows: list[list[Any]], cls: str = "rb-table") -> HTML:
    """A table: each cell escaped, unless it is Markup built with :func:`h` (a badge, a link). Each cell
    carries its column's name (``data-label``): on a phone the rows become cards that label every value."""
    head = Markup("").join(h("<th>{}</th>", keep(x)) for x in header)
    labels = [Markup(str(x)).striptags() if isinstance(x, Markup) else str(x) for x in header]

    def label(i: int) -> str:
        return labels[i] if i < len(labels) else ""

    body = Markup("").join(
        h("<tr>{}</tr>", Markup("").join(h('<td data-label="{}">{}</td>', label(i), cell(c)) for i, c in enumerate(r)))
        for r in rows
    )
    return HTML(str(h('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', cls, head, body)))


def heading(key: str, lang: str = "en", level: int = 2, **kw: object) -> None:
    """A localised heading."""
    display(Markdown("#" * level + " " + t(key, lang, **kw)))


def text(key: str, lang: str = "en", **kw: object) -> None:
    """A localised paragraph."""
    display(Markdown(t(key, lang, **kw)))


def marked(value: Any, model: Any, overridden: bool) -> str:
    """A score with * where an analyst's override changed the model's value."""
    changed = overridden and model is not None and not pd.isna(model) and int(model) != int(value)
    return f"{value}*" if changed else str(value)


def figure(fig) -> None:
    """Display a figure and close it (no figure is left open between cells)."""
    if fig is None:
        return
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")  # vector: sharp at any zoom in the PDF, glyphs drawn as paths in the report's font
    display(SVG(data=buf.getvalue()))
    import matplotlib.pyplot as plt  # here, not at the top: only the group's heatmap draws with matplotlib

    plt.close(fig)


def title(unit: Any, key: str) -> None:
    """The notebook's title: stage, unit, period; a line when the unit has no data or the data ends early."""
    display(Markdown(f"# {t(key, unit.lang)} — {md_text(unit.name)} · {unit.period}"))
    from riskbook.stages.trial import said

    trial = said(getattr(unit, "settings", None) or {})
    if trial:
        display(HTML(str(h('<p class="rb-partial"><b>{}</b></p>', t("trial_thresholds", unit.lang, trial=trial)))))
    if getattr(unit, "no_data", False):
        from riskbook.stages.summarise import no_data_note

        display(HTML(str(h("<p><b>{}</b></p>", no_data_note(unit, unit.lang)))))
    elif not getattr(unit, "period_complete", True):
        from riskbook.stages.summarise import partial_note

        display(HTML(str(h('<p class="rb-partial"><b>{}</b></p>', partial_note(unit, unit.lang)))))


def md_text(s: str) -> str:
    """Text for a Markdown cell that stays text: HTML's < > & escaped, Markdown's punctuation backslashed."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~])", r"\\\1", html.escape(str(s), quote=False))


def arrow(value: Any, previous: Any, direction: str) -> Markup:
    """▲/▼ from the previous value, coloured red when the move is for the worse and green when better."""
    if value is None or previous is None or pd.isna(value) or pd.isna(previous) or value == previous:
        return Markup("")
    up = value > previous
    worse = up if direction == "up" else not up
    return h('<span style="color:{}">{}</span>', RAG["red"] if worse else RAG["green"], "▲" if up else "▼")


def sparkline(values: list[float], colour: str, width: int = 70, height: int = 18) -> Markup:
    """An inline SVG line of ``values`` (vector in the PDF); empty with fewer than two points."""
    v = [float(x) for x in values if x is not None and not pd.isna(x)]
    if len(v) < 2:
        return Markup("")
    lo, hi = min(v), max(v)
    span = (hi - lo) or 1.0
    pts = " ".join(
        f"{i * (width - 4) / (len(v) - 1) + 2:.1f},{height - 2 - (x - lo) / span * (height - 4):.1f}"
        for i, x in enumerate(v)
    )
    last = pts.split()[-1].split(",")
    return h(
        '<svg class="rb-spark" width="{0}" height="{1}" viewBox="0 0 {0} {1}">'
        '<polyline points="{2}" fill="none" stroke="{3}" stroke-width="1.3"/>'
        '<circle cx="{4}" cy="{5}" r="2" fill="{3}"/></svg>',
        width,
        height,
        pts,
        colour,
        last[0],
        last[1],
    )


def local_title(r: Any, lang: str) -> str:
    """A row's title in ``lang`` (its title_zh in Chinese)."""
    return str(r.title_zh if lang == "zh" else r.title)
