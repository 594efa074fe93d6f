"""Display helpers for notebooks: headings, KRI and risk tables with RAG badges, figures."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, SVG, Markdown, display
from markupsafe import Markup, escape

from riskbook.core import config
from riskbook.core.i18n import ARROWS, column, local, money, money_parts, owner, rule, status_word, t
from riskbook.core.i18n import note as note_text
from riskbook.report.palettes import RAG, RATING


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
    return h('<span class="rb-badge" style="background:{}">{}</span>', colour, word or status_word(status, lang))


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
        f"01_identification.html#{anchor(r['id'])}"
        if r.get("source") == "kri"
        else (f"02_assessment.html#{anchor(r['id'], 'reg')}")
    )
    return h('<a class="rb-link" href="{}"><b>{}</b></a>', target, str(r["id"]))


def _table(header: list[str], rows: list[list[Any]], cls: str = "rb-table") -> HTML:
    """A table: each cell escaped, unless it is Markup built with :func:`h` (a badge, a link)."""
    head = Markup("").join(h("<th>{}</th>", keep(x)) for x in header)
    body = Markup("").join(h("<tr>{}</tr>", Markup("").join(h("<td>{}</td>", c) for c in r)) for r in rows)
    return HTML(str(h('<table class="{}"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', cls, head, body)))


def heading(key: str, lang: str = "en", level: int = 2, **kw: object) -> None:
    """A localised heading."""
    display(Markdown("#" * level + " " + t(key, lang, **kw)))


def text(key: str, lang: str = "en", **kw: object) -> None:
    """A localised paragraph."""
    display(Markdown(t(key, lang, **kw)))


def kri_table(k: pd.DataFrame, lang: str = "en") -> HTML:
    """KRIs with value, previous value, thresholds, status badge and n/a reasons."""
    rows = [
        [
            h('{}<br><code class="rb-dev">{}</code>', r["title_zh"] if lang == "zh" else r["title"], r["id"]),
            t(r["family"], lang),
            fmt_value(r["value"], r["unit"], lang),
            fmt_value(r["previous"], r["unit"], lang),
            fmt_value(r["amber"], r["unit"], lang),
            fmt_value(r["red"], r["unit"], lang),
            badge(r["status"], lang),
            note_text(r["reason"], lang) if isinstance(r["reason"], str) else "",
        ]
        for _, r in k.iterrows()
    ]
    header = [
        t("kri", lang),
        t("family", lang),
        t("value", lang),
        t("previous", lang),
        t("amber", lang),
        t("red", lang),
        t("status", lang),
        t("reason", lang),
    ]
    if not any(r[-1] for r in rows):  # no KRI needs a note: no empty column
        header, rows = header[:-1], [r[:-1] for r in rows]
    return _table(header, rows)


def _marked(value: Any, model: Any, overridden: bool) -> str:
    """A score with * where an analyst's override changed the model's value."""
    changed = overridden and model is not None and not pd.isna(model) and int(model) != int(value)
    return f"{value}*" if changed else str(value)


def risk_table(
    a: pd.DataFrame, lang: str = "en", currency: str = "CNY", residual: bool = True, anchors: bool = True
) -> HTML:
    """Assessed risks: id, title, L, I, score, rating, residual, exposure, movement, response, owner; with
    ``anchors`` each row is the target of the summary's link to it."""
    rows = []
    for _, r in a.iterrows():
        mv = r.get("movement")
        over = isinstance(r.get("override_reason"), str)
        tag = (
            h(" <small>{}</small>", t("in_parens", lang, text=t("analyst", lang)))
            if r.get("source") == "analyst"
            else ""
        )
        row = [
            h('<b id="{}">{}</b>', anchor(r["id"], "reg"), str(r["id"])) if anchors else h("<b>{}</b>", str(r["id"])),
            keep(r["title_zh"] if lang == "zh" else r["title"]) + tag,
            _marked(r["likelihood"], r.get("model_likelihood"), over),
            _marked(r["impact"], r.get("model_impact"), over),
            f"{r['score']}",
            rating_badge(r["rating"], lang),
        ]
        if residual:
            row.append(f"{r['residual_score']}")
        row += [keep(money(r["exposure"], currency, lang) if r["exposure"] and r["exposure"] > 0 else "–")]
        if mv is not None and isinstance(mv, str):
            row.append(keep(f"{ARROWS[mv]} {t(mv, lang)}"))
        row += [keep(t(r["response"], lang)), keep(owner(str(local(r, "owner", lang)), lang))]
        rows.append(row)
    header = [
        t("id_col", lang),
        t("risk", lang),
        t("likelihood", lang)[:1] if lang == "en" else t("likelihood", lang),
        t("impact", lang)[:1] if lang == "en" else t("impact", lang),
        t("score", lang),
        t("rating", lang),
    ]
    if residual:
        header.append(t("residual", lang))
    header.append(t("exposure", lang))
    if "movement" in a.columns:
        header.append(t("movement", lang))
    header += [t("response", lang), t("owner", lang)]
    return _table(header, rows)


def overrides(a: pd.DataFrame, lang: str = "en") -> None:
    """Analysts' overrides, shown as overrides: the model's score, the analyst's, and why."""
    if "override_reason" not in a.columns:
        return
    o = a[a["override_reason"].apply(lambda v: isinstance(v, str))]
    if o.empty:
        return
    rows = [
        [
            h("<b>{}</b>", r.id),
            f"{r.model_likelihood:.0f} × {r.model_impact:.0f} = {r.model_likelihood * r.model_impact:.0f}"
            if pd.notna(r.model_likelihood)
            else "–",
            f"{r.likelihood} × {r.impact} = {r.score}",
            local(r._asdict(), "override_reason", lang),
        ]
        for r in o.itertuples()
    ]
    table = _table([t("id_col", lang), t("model_score", lang), t("override_score", lang), t("reason", lang)], rows).data
    display(HTML(str(h('<div class="rb-keep"><p><b>{}</b></p>{}</div>', t("overrides", lang), Markup(table)))))


def controls(a: pd.DataFrame, lang: str = "en") -> None:
    """The controls recorded in the register, one per line, and how they take each risk from its inherent
    to its residual score."""
    live = a[a.get("movement", pd.Series("", index=a.index)) != "closed"]
    live = live[live["controls"].apply(lambda c: isinstance(c, list) and len(c) > 0)]
    if live.empty:
        display(HTML(str(h("<p>{}</p>", t("no_controls", lang)))))
        return
    rows = []
    for _, r in live.iterrows():
        names = r["controls_zh"] if lang == "zh" and isinstance(r.get("controls_zh"), list) else r["controls"]
        rows.append(
            [
                h("<b>{}</b>", str(r["id"])),
                keep(r["title_zh"] if lang == "zh" else r["title"]),
                Markup("<br>").join(str(c) for c in names),
                keep(f"{r['likelihood']} × {r['impact']} = {r['score']}"),
                keep(f"{r['residual_likelihood']} × {r['residual_impact']} = {r['residual_score']}"),
            ]
        )
    header = [t("id_col", lang), t("risk", lang), t("controls", lang), t("inherent", lang), t("residual", lang)]
    display(_table(header, rows))


def frame(df: pd.DataFrame, lang: str = "en", currency: str = "CNY") -> HTML:
    """Any evidence table, with localised headings, dates as dates and amounts grouped."""
    money_cols = {
        "balance",
        "overdue",
        "credit_limit",
        "open_balance",
        "previous_revenue",
        "revenue",
        "amount",
        "list_price",
        "unit_price",
    }
    rows = []
    for _, r in df.iterrows():
        cells = []
        for c, v in r.items():
            if v is None or (not isinstance(v, (list, dict)) and pd.isna(v)):
                cells.append("")
            elif isinstance(v, pd.Timestamp):
                cells.append(v.strftime("%Y-%m-%d"))
            elif c in money_cols:  # whole units from 1,000 up; cents below, where rounding would mislead
                cells.append(f"{float(v):,.0f}" if abs(float(v)) >= 1000 else f"{float(v):,.2f}")
            elif isinstance(v, float):
                cells.append(f"{v:,.1f}")
            else:
                cells.append(str(v))
        rows.append(cells)
    return _table([column(c, lang) for c in df.columns], rows, "rb-table rb-evidence")


def evidence(name: str, df: pd.DataFrame, lang: str = "en", currency: str = "CNY", seen: str | None = None) -> None:
    """An evidence table under its title (kept together on a page); a table already shown under the risk
    ``seen`` is named and linked to, not printed twice."""
    from riskbook.risks import evidence_title

    name_text = evidence_title(name, lang)
    if seen is not None:
        link = h('<a class="rb-link" href="#{}">{}</a>', anchor(seen), seen)
        said = escape(t("shown_under", lang, id="\0")).replace("\0", link)  # the link inside the sentence
        display(HTML(str(h('<p class="rb-seen"><b>{}</b>{}{}</p>', name_text, t("colon", lang), said))))
        return
    title = h('<h4 class="rb-evidence-title">{}</h4>', name_text)
    display(HTML(str(title + Markup(frame(df, lang, currency).data))))


def heatmaps(assessment: pd.DataFrame, lang: str = "en") -> None:
    """The inherent and residual 5×5 heatmaps side by side, with their legend (riskbook.report.heatsvg)."""
    from riskbook.report import heatsvg

    display(HTML(heatsvg.heatmaps(assessment, lang)[0]))


def figure(fig) -> None:
    """Display a figure and close it (no figure is left open between cells)."""
    if fig is None:
        return
    buf = io.BytesIO()
    fig.savefig(buf, format="svg")  # vector: sharp at any zoom in the PDF, glyphs drawn as paths in the report's font
    display(SVG(data=buf.getvalue()))
    plt.close(fig)


def title(unit: Any, key: str) -> None:
    """The notebook's title: stage, unit, period; a line when the unit has no data or the data ends early."""
    display(Markdown(f"# {t(key, unit.lang)} — {md_text(unit.name)} · {unit.period}"))
    if getattr(unit, "no_data", False):
        from riskbook.stages.summarise import no_data_note

        display(HTML(str(h("<p><b>{}</b></p>", no_data_note(unit, unit.lang)))))
    elif not getattr(unit, "period_complete", True):
        from riskbook.stages.summarise import partial_note

        display(HTML(str(h('<p class="rb-partial"><b>{}</b></p>', partial_note(unit, unit.lang)))))


def md_text(s: str) -> str:
    """Text for a Markdown cell that stays text: HTML's < > & escaped, Markdown's punctuation backslashed."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|~])", r"\\\1", html.escape(str(s), quote=False))


def findings(found: list, lang: str = "en", currency: str = "CNY") -> None:
    """Each risk present: description, its KRIs, and the evidence behind them."""
    if not found:
        text("no_risks", lang)
        return
    import mistune

    markdown_html = mistune.create_markdown(escape=False)
    shown: dict[str, str] = {}  # evidence table → the risk it was printed under
    for f in found:
        r = f.risk
        head = h('<h3 id="{}">{} · {} {}</h3>', anchor(r.id), r.id, r.title(lang), badge(f.worst, lang))
        described = Markup(markdown_html(r.description(lang)))  # the library's own text, not a value
        block = head + described + Markup(kri_table(f.kris, lang).data)
        display(HTML(str(h('<div class="rb-keep">{}</div>', block))))  # heading, description and KRIs on one page
        for name, df in f.evidence.items():
            evidence(name, df, lang, currency, seen=shown.get(name))
            shown.setdefault(name, r.id)


def _breaches_html(b: pd.DataFrame, lang: str = "en", rules: bool = True) -> HTML:
    rows = [
        [
            h(
                '{}{}<br><code class="rb-dev">{}</code>',
                h("<b>{}</b> ", t("new_breach", lang)) if r["new"] else "",
                r["title_zh"] if lang == "zh" else r["title"],
                r["id"],
            ),
            fmt_value(r["value"], r["unit"], lang),
            fmt_value(r["previous"], r["unit"], lang),
            badge(r["status"], lang),
        ]
        + (
            [
                escape(t("clause_sep", lang)).join(
                    h('{}<span class="rb-dev"> ({})</span>', rule(x, lang), x) for x in r["rules"]
                )
                if isinstance(r["rules"], list)
                else ""
            ]
            if rules
            else []
        )
        for _, r in b.iterrows()
    ]
    header = [t("kri", lang), t("value", lang), t("previous", lang), t("status", lang)]
    return _table(header + ([t("rules", lang)] if rules else []), rows)


def breaches(b: pd.DataFrame, lang: str = "en") -> None:
    """Breached KRIs, new ones first, with control-chart signals."""
    if b.empty:
        text("no_breaches", lang)
        return
    display(_breaches_html(b, lang))


SUMMARY_ACTIONS = 8  # action rows on the one-page summary; the workbook and the register list them all


def _arrow(value: Any, previous: Any, direction: str) -> Markup:
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


def kri_tiles(kris: pd.DataFrame, history: pd.DataFrame | None, lang: str = "en") -> Markup:
    """A compact tile per KRI: title, value, previous with a coloured arrow, the trend as a sparkline."""
    n = len(kris)
    per_row = n if n <= 5 else 3 if n in (6, 9) else 4  # never one tile alone on a row
    width = f"width:{100 / max(per_row, 1) - 1:.1f}%;"
    tiles = []
    for _, r in kris.iterrows():
        hist = [] if history is None else list(history.loc[history["id"] == r["id"], "value"])
        colour = RAG.get(r["status"], RAG["n/a"])
        tiles.append(
            h(
                '<div class="rb-tile" style="{}border-top-color:{}"><div class="rb-tile-title">{}</div>'
                '<div class="rb-tile-value">{} {}</div><div class="rb-tile-prev">{} {} {}</div></div>',
                width,
                colour,
                r["title_zh"] if lang == "zh" else r["title"],
                fmt_value(r["value"], r["unit"], lang),
                _arrow(r["value"], r["previous"], r["direction"]),
                t("previous", lang),
                fmt_value(r["previous"], r["unit"], lang),
                sparkline(hist, colour),
            )
        )
    return h('<div class="rb-tiles">{}</div>', Markup("").join(tiles))


def local_title(r: Any, lang: str) -> str:
    """A row's title in ``lang`` (its title_zh in Chinese)."""
    return str(r.title_zh if lang == "zh" else r.title)


def _money_table(pack: Any, lang: str, currency: str) -> Markup:
    """Money at risk by pool, each counted once; the total is the sum of the amounts as printed."""
    from riskbook.risks import POOLS

    m = pack.money
    if not len(m):
        return h("<p>{}</p>", t("no_money", lang))
    amounts, total = money_parts(list(m["exposure"]), currency, lang)
    rows = []
    for r, amount in zip(m.itertuples(), amounts):
        if r.pool == "overlap":  # the pools overlap beyond the money they measure: the cap, said
            rows.append(
                h('<tr><td><small>{}</small></td><td class="rb-num">{}</td></tr>', local_title(r, lang), amount)
            )
            continue
        pool = POOLS.get(r.pool, ("", ""))[1 if lang == "zh" else 0] or t("analyst", lang)
        pool = pool[:1].upper() + pool[1:]
        also = escape(t("money_includes", lang, ids=t("list_sep", lang).join(r.also)) if r.also else "")
        for rid in r.also:  # an id never split at its hyphen
            also = also.replace(escape(rid), h('<span class="rb-nb">{}</span>', rid))
        rows.append(
            h(
                '<tr><td><b>{}</b> {}<br><small>{}{}</small></td><td class="rb-num">{}</td></tr>',
                r.id,
                local_title(r, lang),
                pool,
                also,
                amount,
            )
        )
    rows.append(h('<tr class="rb-total"><td>{}</td><td class="rb-num">{}</td></tr>', t("money_total", lang), total))
    return h(
        '<table class="rb-table rb-money"><thead><tr><th>{}</th><th class="rb-num">{}</th></tr></thead>'
        "<tbody>{}</tbody></table><p><small>{}</small></p>",
        t("risk", lang),
        t("amount", lang),
        Markup("").join(rows),
        t("money_rule", lang),
    )


def _top_table(top: pd.DataFrame, lang: str, currency: str) -> Markup:
    rows = []
    for _, r in top.iterrows():
        over = isinstance(r.get("override_reason"), str)
        prev = r.get("previous_score")
        mv = r.get("movement")
        rows.append(
            [
                risk_link(r),
                keep(r["title_zh"] if lang == "zh" else r["title"]),
                h(
                    '<span class="rb-nb">{}{} {}</span>',
                    _marked(r["score"], None, False),
                    "*" if over else "",
                    rating_badge(r["rating"], lang),
                ),
                str(r["residual_score"]),
                "–" if prev is None or pd.isna(prev) else str(int(prev)),
                keep(f"{ARROWS[mv]} {t(mv, lang)}") if isinstance(mv, str) else "",
                keep(money(r["exposure"], currency, lang) if r["exposure"] and r["exposure"] > 0 else "–"),
                keep(t(r["response"], lang)),
                keep(owner(str(local(r, "owner", lang)), lang)),
            ]
        )
    header = [
        t("id_col", lang),
        t("risk", lang),
        t("score", lang),
        t("residual", lang),
        t("previous_score", lang),
        t("movement", lang),
        t("exposure", lang),
        t("response", lang),
        t("owner", lang),
    ]
    return Markup(_table(header, rows, "rb-table rb-top").data)


def _actions_table(actions: pd.DataFrame, lang: str) -> Markup:
    rows = []
    for _, r in actions.head(SUMMARY_ACTIONS).iterrows():
        days = r["days_overdue"]
        late = "" if days is None or pd.isna(days) else t("days_late", lang, n=int(days))
        status = "" if late else t(r["status"], lang)  # "47 days late" says overdue
        rows.append(
            [
                h("<b>{}</b>", r["risk"]),
                str(local(r, "action", lang)),
                keep(owner(str(local(r, "owner", lang)), lang)),
                keep(str(r["due"] or "")),
                h("{}{}", status, h('<b class="rb-nb">{}</b>', late) if late else ""),
            ]
        )
    header = [t("risk", lang), t("action_col", lang), t("owner", lang), t("due_col", lang), t("status", lang)]
    out = Markup(_table(header, rows, "rb-table rb-actions").data)
    if len(actions) > SUMMARY_ACTIONS:
        out += h("<p><small>{}</small></p>", t("more_actions", lang, n=len(actions) - SUMMARY_ACTIONS))
    return out


def summary(pack: Any, unit: Any) -> None:
    """The one-page executive summary. It hides nothing: the overall rating, every red KRI (and every
    amber one by name), the top risks with their movement, money at risk whose total is its breakdown,
    every committed action (then recommendations, with a line for any left out), new and closed risks."""
    lang = unit.lang
    dq_line = h("<p><b>{}{}</b>{}</p>", t("data_quality", lang), t("label_sep", lang), dq_sentence(pack.dq, lang))
    facts = [t("data_through_fact", lang, date=pack.data_through), t("prepared_fact", lang, date=pack.as_of)]
    if not pack.period_complete:
        facts.insert(1, t("partial_flag", lang))
    if pack.status == "no data":  # the title says so; there is nothing to rank or chart
        display(HTML(str(h('<p class="rb-facts">{}</p>{}', " · ".join(facts), dq_line))))
        return
    parts = [
        h(
            '<p class="rb-facts">{} {} · {}</p>',
            t("overall", lang),
            rating_badge(pack.overall, lang),
            " · ".join(facts),
        ),
        h('<p class="rb-headline">{}</p>', pack.headline),
    ]
    k = pack.kris
    red, amber = k[k["status"] == "red"], k[k["status"] == "amber"]
    parts.append(h("<h2>{}</h2>", t("red_kris", lang, n=len(red))))
    parts.append(kri_tiles(red, pack.history, lang) if len(red) else h("<p>{}</p>", t("no_red", lang)))
    if len(amber):
        titles = t("list_sep", lang).join(amber["title_zh"] if lang == "zh" else amber["title"])
        parts.append(h("<p>{}{}{}</p>", t("also_amber", lang, n=len(amber)), t("sentence_sep", lang), titles))
    top = _top_table(pack.top, lang, unit.currency) if len(pack.top) else h("<p>{}</p>", t("no_risks", lang))
    parts.append(h("<h2>{}</h2>{}", t("top_risks", lang), top))
    changes = []
    if pack.new is not None and len(pack.new):
        changes.append(t("new_risks", lang, ids=t("list_sep", lang).join(pack.new["id"])))
    if len(pack.closed):
        changes.append(t("closed_risks", lang, ids=t("list_sep", lang).join(pack.closed["id"])))
    if any(isinstance(x, str) for x in pack.top.get("override_reason", [])):
        changes.append(t("override_note", lang))
    if changes:
        parts.append(h("<p><small>{}</small></p>", " ".join(changes)))
    money_box = h("<h2>{}</h2>{}", t("money_at_risk", lang), _money_table(pack, lang, unit.currency))
    if len(pack.actions):
        actions_box = h("<h2>{}</h2>{}", t("actions", lang), _actions_table(pack.actions, lang))
        parts.append(
            h('<div class="rb-split"><div>{}</div><div class="rb-wide">{}</div></div>', money_box, actions_box)
        )
    else:  # nothing beside it: the money box takes the width
        parts.append(money_box)
    parts.append(dq_line)
    display(HTML(str(h('<div class="rb-summary">{}</div>', Markup("").join(parts)))))


def group_title(g: Any) -> None:
    display(Markdown(f"# {t('portfolio', g.lang)} — {md_text(g.company)} · {g.period}"))


def failed_line(unit: str, failure: dict[str, Any], name: str, lang: str) -> str:
    """One sentence on a unit whose latest run failed: the step, the error, and which figures are shown."""
    stage = str(failure.get("stage") or "")
    step = t(stage.split("_", 1)[-1], lang) if stage in (*STAGE_NAMES, "render", "publish") else stage
    error = str(failure.get("error") or "")
    error = error if len(error) <= 160 else error[:157] + "…"
    last = failure.get("last_good")
    shown = t("shown_last_good", lang, date=str(last)[:10]) if last else t("no_last_good", lang)
    where = f"{config.FAILED}/{unit}/"
    return t("failed_run_line", lang, unit=name, stage=step, error=error, shown=shown, where=where)


STAGE_NAMES = ("01_identification", "02_assessment", "03_monitoring", "04_summary", "portfolio")


def group(g: Any) -> None:
    """The group roll-up: a one-page summary (overall rating, units ranked with their money at risk and
    top risk, risks shared by several units), then units × families, the top risks and every KRI across
    units with its thresholds. Units go by their names."""
    from riskbook.core.i18n import money_parts
    from riskbook.report import plots
    from riskbook.stages import portfolio

    lang, names = g.lang, g.names or {}
    name = lambda u: names.get(u, u)  # noqa: E731
    if g.failed:  # said first: the figures below may be an earlier run's
        heading("failed_runs", lang)
        display(
            HTML(str(Markup("").join(h("<p>{}</p>", failed_line(u, f, name(u), lang)) for u, f in g.failed.items())))
        )
    if g.missing:
        heading("failed_units", lang)
        display(HTML(str(h("<p>{}</p>", t("list_sep", lang).join(name(u) for u in g.missing)))))
    if not g.docs:
        return
    units = portfolio.unit_table(g.docs, names, g.currency, lang)
    _, total = money_parts(list(units["money"]), g.currency, lang)
    overall = portfolio.group_overall(g.docs) or "low"
    live = units[units["status"] != "no data"]
    headline = t(
        "group_headline",
        lang,
        red=int(units["red"].sum()),
        units=int((live["red"] > 0).sum()),
        high=int(units["high"].sum()),
        money=total,
    )
    parts = [
        h(
            '<p class="rb-facts">{} {} · {}</p>',
            t("overall", lang),
            rating_badge(overall, lang),
            t("group_units", lang, n=len(units)),
        ),
        h('<p class="rb-headline">{}</p>', headline),
    ]
    rows = []
    for r in units.itertuples():
        pdf = f"../{r.unit}/{r.unit}_{g.period}_risk_report.pdf"
        rows.append(
            [
                h('<a href="{}"><b>{}</b></a>', pdf, r.name),
                rating_badge(r.overall, lang) if r.overall else t("status_no data", lang),
                h('<span style="color:{}"><b>{}</b></span>', RAG["red"], r.red) if r.red else "0",
                str(r.amber),
                f"{r.high} / {r.risks}",
                h('<span class="rb-num">{}</span>', r.money_text if r.money else "–"),
                h("<b>{}</b> {}", r.top_id, r.top_title) if r.top_id else "",
            ]
        )
    rows.append(
        [
            h("<b>{}</b>", t("group_total", lang)),
            "",
            h("<b>{}</b>", int(units["red"].sum())),
            str(int(units["amber"].sum())),
            f"{int(units['high'].sum())} / {int(units['risks'].sum())}",
            h('<span class="rb-num"><b>{}</b></span>', total),
            "",
        ]
    )
    parts.append(h("<h2>{}</h2>", t("units_ranked", lang)))
    header = [
        t("unit", lang),
        t("overall", lang),
        t("red_count", lang),
        t("amber_count", lang),
        t("high_of_risks", lang),
        t("money_at_risk", lang),
        t("top_risk", lang),
    ]
    parts.append(Markup(_table(header, rows, "rb-table rb-top").data))
    shared = portfolio.themes(g.docs, names)
    parts.append(h("<h2>{}</h2>", t("themes", lang)))
    if len(shared):
        rows = [
            [h("<b>{}</b> {}", r.id, r.title), str(r.count), t("list_sep", lang).join(r.units)]
            for r in shared.itertuples()
        ]
        header = [t("risk", lang), t("units_count", lang), t("unit", lang)]
        parts.append(Markup(_table(header, rows, "rb-table rb-top").data))
    else:
        parts.append(h("<p>{}</p>", t("no_themes", lang)))
    empty = [name(u) for u, d in g.docs.items() if d.get("status") == "no data"]
    if empty:
        parts.append(
            h("<p><b>{}</b> {}</p>", t("no_data_units", lang, period=g.period), t("list_sep", lang).join(empty))
        )
    display(HTML(str(h('<div class="rb-summary">{}</div>', Markup("").join(parts)))))

    heading("units_families", lang)
    matrix = portfolio.family_matrix(g.docs)
    figure(plots.unit_family_heatmap(matrix.rename(index=name), lang))
    heading("company_top", lang)
    top = portfolio.top_risks(g.docs)
    rows = [
        [
            name(r.unit),
            h("<b>{}</b>", r.id),
            r.title,
            f"{r.score}*" if r.overridden else str(r.score),
            rating_badge(r.rating, lang),
            money(r.exposure, g.currency, lang) if r.exposure else "–",
            f"{ARROWS[r.movement]} {t(r.movement, lang)}",
            t(r.response, lang),
            owner(r.owner, lang),
        ]
        for r in top.itertuples()
    ]
    display(
        _table(
            [
                t("unit", lang),
                t("id_col", lang),
                t("risk", lang),
                t("score", lang),
                t("rating", lang),
                t("exposure", lang),
                t("movement", lang),
                t("response", lang),
                t("owner", lang),
            ],
            rows,
        )
    )
    if top["overridden"].any():
        display(HTML(str(h("<p><small>{}</small></p>", t("override_note", lang)))))
    heading("kri_by_unit", lang)
    vals, stats = portfolio.kri_matrix(g.docs)
    first = next(iter(g.docs.values()))["kris"]
    meta = {k["id"]: k for k in first}
    limits = {u: {k["id"]: k.get("thresholds") or {} for k in d["kris"]} for u, d in g.docs.items()}
    rows = []
    for kid in vals.index:
        unit_ = meta[kid]["unit"]
        ths = {(lim.get(kid, {}).get("amber"), lim.get(kid, {}).get("red")) for lim in limits.values()}
        amber, red = next(iter(ths)) if len(ths) == 1 else (None, None)
        cells = [
            h('{}<br><code class="rb-dev">{}</code>', meta[kid]["title"], kid),
            (
                f"{fmt_value(amber, unit_, lang)} / {fmt_value(red, unit_, lang)}"
                if amber is not None
                else t("varies", lang)
            ),
        ]
        for u in vals.columns:
            st = stats.loc[kid, u]
            cells.append(
                h(
                    '<span class="rb-nb"><span class="rb-dot" style="background:{}"></span>{}</span>',
                    RAG.get(st, RAG["n/a"]),
                    fmt_value(vals.loc[kid, u], unit_, lang),
                )
            )
        rows.append(cells)
    display(
        _table(
            [t("kri", lang), t("thresholds_col", lang), *(name(u) for u in vals.columns)], rows, "rb-table rb-matrix"
        )
    )
    used = set(stats.to_numpy().ravel())
    legend = Markup(" ").join(
        h(
            '<span class="rb-nb"><span class="rb-dot" style="background:{}"></span>{}</span>',
            RAG[s_],
            status_word(s_, lang),
        )
        for s_ in ("green", "amber", "red", "n/a")
        if s_ in used or s_ != "n/a"
    )
    display(HTML(str(h("<p><small>{} · {}</small></p>", legend, t("thresholds_note", lang)))))


def trends(mon: Any, kris: pd.DataFrame, lang: str = "en") -> None:
    """KRI trend charts: the breached KRIs first, then each family's, three to a row (riskbook.report.trendsvg),
    with the key under the first group."""
    from riskbook.kris import FAMILIES
    from riskbook.report import trendsvg
    from riskbook.stages.monitor import MIN_BASELINE

    breached = list(mon.breaches["id"])
    groups = [("breaches", breached)] if breached else []
    groups += [(fam, [i for i in kris.loc[kris["family"] == fam, "id"] if i not in breached]) for fam in FAMILIES]
    keyed = False
    for key, ids in groups:
        ids = [i for i in ids if mon.history.loc[mon.history["id"] == i, "value"].notna().any()]
        if not ids:
            continue
        charts = trendsvg.grid(mon.history, kris, mon.limits, ids, lang, MIN_BASELINE)
        key_html = "" if keyed else trendsvg.legend(lang)
        keyed = True
        display(HTML(str(h('<h3 class="rb-trend-group">{}</h3>{}{}', t(key, lang), Markup(key_html), Markup(charts)))))


def data_quality(unit: Any, kris: pd.DataFrame, lang: str | None = None) -> None:
    """The data-quality section: the period's records checked, failing and duplicated (the two
    data-quality KRIs), every finding that touches the report with where it is, how many rows, which
    KRIs it moves and what they leave out; then Benford's first digits."""
    from riskbook.report import benfordsvg
    from riskbook.stages import quality

    lang = lang or unit.lang
    dq = quality.summary(unit.ctx, unit.meta.get("names"))
    display(HTML(str(h("<p>{}</p>", dq_sentence(dq, lang)))))
    if dq["issues"]:
        display(dq_table(dq["issues"], lang))
    b = quality.benford(unit.ctx)
    if b is not None:
        mad = kris.set_index("id").loc["benford_mad", "value"] if "benford_mad" in set(kris["id"]) else None
        display(HTML(benfordsvg.chart(b, None if mad is None or pd.isna(mad) else float(mad), lang)))


def dq_sentence(dq: dict[str, Any], lang: str = "en") -> str:
    """The data-quality line: records checked, failing, duplicated, and the findings that touch the report."""
    line = t(
        "records_checked", lang, n=f"{dq['rows_checked']:,}", bad=f"{dq['rows_failing']:,}", dup=f"{dq['duplicates']:,}"
    )
    if dq["issues"]:
        return (
            line
            + t("sentence_sep", lang)
            + t("dq_findings", lang, errors=f"{dq['errors']:,}", warnings=f"{dq['warnings']:,}")
        )
    return line + t("sentence_sep", lang) + t("dq_none", lang)


def dq_table(issues: list[dict[str, Any]], lang: str = "en", limit: int | None = None) -> HTML:
    """Findings by check: severity, where, rows (this period and in all), first rows, a value, KRIs, left out."""
    from riskbook.kris import REGISTRY

    rows = []
    for i in issues[:limit]:
        colour = {"error": "red", "warning": "amber"}.get(i["severity"], "n/a")
        sev = badge(colour, lang, word=t(i["severity"], lang))
        where = i["table"] + (f" · {i['column']}" if i["column"] else "")
        if i.get("source_column") and i["source_column"] != i["column"]:
            where += f" ({i['source_column']})"
        count = f"{i['count']:,}" + (
            f" ({i['in_period']:,} {t('when_period', lang)})" if i["in_period"] != i["count"] else ""
        )
        firsts = [f"{r}" + (f" · {k}" if k else "") for r, k in zip(i["rows"][:3], (i["keys"] + [""] * 3)[:3])]
        more = f", … +{i['count'] - 3:,}" if i["count"] > 3 else ""
        note = h("<br><small>{}</small>", note_text(i["note"], lang)) if i.get("note") else ""
        unitless = h(" <small>{}</small>", t("in_parens", lang, text=t("no_unit", lang))) if i.get("no_unit") else ""
        names = [REGISTRY[k].title(lang) for k in i["kris"] if k in REGISTRY]
        kri_names = "; ".join(names[:3]) + (f"; +{len(names) - 3}" if len(names) > 3 else "")
        rows.append(
            [
                sev,
                h("{}{}", i["title_zh"] if lang == "zh" else i["title"], note),
                h("{}{}", where, unitless),
                count,
                i["file"].rsplit("/", 1)[-1] + ": " + "; ".join(firsts) + more,
                i["value"],
                kri_names,
                t("left_out_" + i["excluded"], lang),
            ]
        )
    return _table(
        [
            t("severity", lang),
            t("check", lang),
            t("where", lang),
            t("rows_n", lang),
            t("first_rows", lang),
            t("example", lang),
            t("kris_moved", lang),
            t("left_out", lang),
        ],
        rows,
        "rb-table rb-dq",
    )
