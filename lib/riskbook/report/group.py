"""The group roll-up page: units ranked, shared risks, units × families, top risks and KRIs across units."""

from __future__ import annotations

from typing import Any

from IPython.display import HTML, Markdown, display
from markupsafe import Markup

from riskbook.core import config
from riskbook.core.i18n import ARROWS, money, money_parts, owner, status_word, t
from riskbook.report.html import figure, fmt_value, h, heading, md_text, rating_badge, table
from riskbook.report.palettes import RAG


def group_title(g: Any) -> None:
    display(Markdown(f"# {t('portfolio', g.lang)} — {md_text(g.company)} · {g.period}"))


def failed_line(unit: str, failure: dict[str, Any], name: str, lang: str) -> str:
    """One sentence on a unit whose latest run failed: the step, the error, and which figures are shown."""
    stage = str(failure.get("stage") or "")
    step = t(config.stage_name(stage), lang) if stage in (*STAGE_NAMES, "render", "publish") else stage
    error = str(failure.get("error") or "")
    error = error if len(error) <= 160 else error[:157] + "…"
    last = failure.get("last_good")
    shown = t("shown_last_good", lang, date=str(last)[:10]) if last else t("no_last_good", lang)
    where = f"{config.FAILED}/{unit}/"
    return t("failed_run_line", lang, unit=name, stage=step, error=error, shown=shown, where=where)


STAGE_NAMES = (*config.STAGES, config.PORTFOLIO)


def group(g: Any) -> None:
    """The group roll-up: a one-page summary (overall rating, units ranked with their money at risk and
    top risk, risks shared by several units), then units × families, the top risks and every KRI across
    units with its thresholds. Units go by their names."""
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
    parts.append(Markup(table(header, rows, "rb-table rb-top").data))
    shared = portfolio.themes(g.docs, names)
    parts.append(h("<h2>{}</h2>", t("themes", lang)))
    if len(shared):
        rows = [
            [h("<b>{}</b> {}", r.id, r.title), str(r.count), t("list_sep", lang).join(r.units)]
            for r in shared.itertuples()
        ]
        header = [t("risk", lang), t("units_count", lang), t("unit", lang)]
        parts.append(Markup(table(header, rows, "rb-table rb-top").data))
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
        table(
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
        table([t("kri", lang), t("thresholds_col", lang), *(name(u) for u in vals.columns)], rows, "rb-table rb-matrix")
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
