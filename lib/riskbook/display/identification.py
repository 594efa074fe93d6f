"""The identification page: the KRI table, each risk present with its description, KRIs and evidence."""

from __future__ import annotations

import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup, escape

from riskbook.core.i18n import column, t
from riskbook.core.i18n import note as note_text
from riskbook.display.html import anchor, badge, fmt_value, h, table, text


def kri_table(k: pd.DataFrame, lang: str = "en") -> HTML:
    """KRIs with value, previous value, thresholds, status badge and n/a reasons."""
    rows = [
        [
            h(
                '<span title="{}">{}</span><code class="rb-dev"><br>{}</code>',
                r["id"],
                r["title_zh"] if lang == "zh" else r["title"],
                r["id"],
            ),
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
    return table(header, rows, "rb-table rb-kris")


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
    money = f" ({currency})" if currency and lang != "zh" else f"（{currency}）" if currency else ""
    header = [column(c, lang) + (money if c in money_cols else "") for c in df.columns]  # amounts say their currency
    return table(header, rows, "rb-table rb-evidence")


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


def present_risks(found: list, lang: str = "en", currency: str = "CNY", added: list | None = None) -> None:
    """Each risk present: description, its KRIs, and the evidence behind them; then the risks analysts
    added to the register (``added``), which no KRI measures, so that every risk the summary counts is
    named here."""
    if added:
        _added(added, lang)
    if not found:
        text("no_risks", lang)
        return
    import mistune

    markdown_html = mistune.create_markdown(escape=False)
    shown: dict[str, str] = {}  # evidence table → the risk it was printed under
    for f in found:
        r = f.risk
        head = h(
            '<h3 id="{}">{} · {} <small>{}</small> {}</h3>',
            anchor(r.id),
            r.id,
            r.title(lang),
            t("worst_kri", lang),
            badge(f.worst, lang),
        )
        described = Markup(markdown_html(r.description(lang)))  # the library's own text, not a value
        block = head + described + Markup(kri_table(f.kris, lang).data)
        display(HTML(str(h('<div class="rb-keep">{}</div>', block))))  # heading, description and KRIs on one page
        for name, df in f.evidence.items():
            evidence(name, df, lang, currency, seen=shown.get(name))
            shown.setdefault(name, r.id)


def _added(added: list, lang: str) -> None:
    """The analysts' own risks, named by id and title before the KRI-driven ones."""
    zh = lang == "zh"
    names = Markup(t("list_sep", lang)).join(
        h('<span class="rb-nb"><b>{}</b></span> {}', a["id"], (a.get("title_zh") if zh else None) or a["title"])
        for a in added
    )
    display(
        HTML(str(h("<p>{}</p>", escape(t("added_risks", lang, n=len(added), risks="\x00")).replace("\x00", names))))
    )
