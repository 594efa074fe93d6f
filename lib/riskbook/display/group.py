"""The group roll-up page: units ranked, shared risks, units × families, top risks and KRIs across units."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display
from markupsafe import Markup, escape

from riskbook.core import config
from riskbook.core.i18n import ARROWS, money_at, money_parts, money_scale, owner, t
from riskbook.display.group_kris import kri_by_unit, usual_line
from riskbook.display.html import figure, h, heading, keep, md_text, rating_badge, table
from riskbook.display.palettes import AMBER_TEXT, RAG


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
    names = g.names or {}
    name = lambda u: names.get(u, u)  # noqa: E731
    _failures(g, name)
    if not g.docs:
        return
    _summary(g, names, name)
    _units_families(g, name)
    _top_risks(g, name)
    _actions(g, name)
    kri_by_unit(g, name)


def _failures(g: Any, name: Callable[[str], str]) -> None:
    """The units whose latest run failed, said first (the figures below may be an earlier run's), and the
    units without results."""
    lang = g.lang
    if g.failed:
        heading("failed_runs", lang)
        display(
            HTML(str(Markup("").join(h("<p>{}</p>", failed_line(u, f, name(u), lang)) for u, f in g.failed.items())))
        )
    if g.missing:
        heading("failed_units", lang)
        display(HTML(str(h("<p>{}</p>", t("list_sep", lang).join(name(u) for u in g.missing)))))


def _summary(g: Any, names: dict[str, str], name: Callable[[str], str]) -> None:
    """The one-page summary: the overall rating and headline, the units ranked, the shared risks and the
    units without data for the period."""
    from riskbook.stages import portfolio

    lang = g.lang
    units = portfolio.unit_table(g.docs, names, g.currency, lang)
    _, total = money_parts(list(units["money"]), g.currency, lang)
    parts = _headline(g, units, total)
    parts.append(h("<h2>{}</h2>", t("units_ranked", lang)))
    parts.append(_ranked_table(g, units, total))
    parts += _reds(g, name)
    parts += _themes(g, names)
    empty = [name(u) for u, d in g.docs.items() if d.get("status") == "no data"]
    if empty:
        parts.append(
            h("<p><b>{}</b> {}</p>", t("no_data_units", lang, period=g.period), t("list_sep", lang).join(empty))
        )
    display(HTML(str(h('<div class="rb-summary">{}</div>', Markup("").join(parts)))))


def _headline(g: Any, units: pd.DataFrame, total: str) -> list[Markup]:
    """The group's overall rating and number of units, and the headline sentence."""
    from riskbook.stages import portfolio

    lang = g.lang
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
    return [
        h(
            '<p class="rb-facts">{} {} {} · {} {} · {}</p>',
            t("overall", lang),
            rating_badge(portfolio.group_overall(g.docs, "residual") or "low", lang),
            t("overall_net", lang),
            rating_badge(overall, lang),
            t("overall_gross", lang),
            t("group_units", lang, n=len(units)),
        ),
        h('<p class="rb-headline">{}</p>', headline),
    ]


def _ranked_table(g: Any, units: pd.DataFrame, total: str) -> Markup:
    """The units, the most at risk first, each linking to its PDF, with the group's total under them."""
    lang = g.lang
    rows = []
    for r in units.itertuples():
        pdf = f"../{r.unit}/{r.unit}_{g.period}_risk_report.pdf"
        rows.append(
            [
                h('<a href="{}"><b>{}</b></a>', pdf, r.name),
                _both(r.overall_net, r.overall, lang) if r.overall else t("status_no data", lang),
                h('<span style="color:{}"><b>{}</b></span>', RAG["red"], r.red) if r.red else "0",
                h('<span style="color:{}"><b>{}</b></span>', AMBER_TEXT, r.amber) if r.amber else "0",
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
    header = [
        t("unit", lang),
        t("overall", lang),
        t("red_count", lang),
        t("amber_count", lang),
        t("high_of_risks", lang),
        t("money_at_risk", lang),
        t("top_risk", lang),
    ]
    return Markup(table(header, rows, "rb-table rb-top").data)


def _both(net: str, gross: str, lang: str) -> Markup:
    """A rating after controls over the one before, each labelled."""
    return h(
        '<span class="rb-nb">{} <small>{}</small></span><br><span class="rb-nb">{} <small>{}</small></span>',
        rating_badge(net or gross, lang),
        t("overall_net", lang),
        rating_badge(gross, lang),
        t("overall_gross", lang),
    )


def _reds(g: Any, name: Callable[[str], str]) -> list[Markup]:
    """Every unit's red KRIs by name, and the severe risks no one has taken an action on."""
    from riskbook.stages import portfolio

    lang, sep = g.lang, t("list_sep", g.lang)
    parts = []
    order = list(portfolio.unit_table(g.docs, {}, g.currency, lang)["unit"]) if g.docs else []
    rank = lambda kv: order.index(kv[0]) if kv[0] in order else len(order)  # noqa: E731 - as the units table
    reds = portfolio.red_kris(g.docs)
    if reds:
        rows = [[h("<b>{}</b>", name(u)), str(len(ks)), sep.join(ks)] for u, ks in sorted(reds.items(), key=rank)]
        header = [t("unit", lang), t("red_count", lang), t("kri", lang)]
        parts += [h("<h2>{}</h2>", t("red_by_unit", lang)), Markup(table(header, rows, "rb-table rb-top").data)]
    usual = usual_line(g.docs, name, lang)
    if usual:
        parts.append(usual)
    bare = portfolio.unactioned(g.docs)
    if bare:
        ids = lambda xs: Markup(sep).join(h('<span class="rb-nb">{}</span>', x) for x in xs)  # noqa: E731
        listed = Markup(t("group_sep", lang)).join(
            h('<b class="rb-nb">{}</b> {}', name(u), ids(xs)) for u, xs in sorted(bare.items(), key=rank)
        )
        parts.append(h("<p>{}</p>", escape(t("unactioned", lang, risks="\x00")).replace("\x00", listed)))
    return parts


def _themes(g: Any, names: dict[str, str]) -> list[Markup]:
    """The risks several units share, under their heading (or a line saying there are none)."""
    from riskbook.stages import portfolio

    lang = g.lang
    shared = portfolio.themes(g.docs, names)
    parts = [h("<h2>{}</h2>", t("themes", lang))]
    if len(shared):
        rows = [
            [h("<b>{}</b> {}", r.id, r.title), str(r.count), t("list_sep", lang).join(r.units)]
            for r in shared.itertuples()
        ]
        header = [t("risk", lang), t("units_count", lang), t("unit", lang)]
        parts.append(Markup(table(header, rows, "rb-table rb-top").data))
    else:
        parts.append(h("<p>{}</p>", t("no_themes", lang)))
    return parts


def _units_families(g: Any, name: Callable[[str], str]) -> None:
    """The units × families heatmap of the highest inherent scores."""
    from riskbook.display import plots
    from riskbook.stages import portfolio

    heading("units_families", g.lang)
    matrix = portfolio.family_matrix(g.docs)
    figure(plots.unit_family_heatmap(matrix.rename(index=name), g.lang))


def _top_risks(g: Any, name: Callable[[str], str]) -> None:
    """The company's top risks across units, with a note when an analyst's override changed a score."""
    from riskbook.stages import portfolio

    lang = g.lang
    heading("company_top", lang)
    top = portfolio.top_risks(g.docs)
    units = portfolio.unit_table(g.docs, {}, g.currency, lang)  # the units' amounts set the report's one scale
    scale = money_scale([*units.get("money", []), *top.get("exposure", [])], lang)
    rows = [
        [
            name(r.unit),
            h("<b>{}</b> {}", r.id, r.title),
            h('<span class="rb-nb">{}{} {}</span>', r.score, "*" if r.overridden else "", rating_badge(r.rating, lang)),
            h('<span class="rb-nb">{} {}</span>', int(r.residual_score), rating_badge(_rating(r), lang)),
            "–" if pd.isna(r.previous_score) else str(int(r.previous_score)),
            h('<span class="rb-nb">{} {}</span>', ARROWS[r.movement], t(r.movement, lang)),
            money_at(r.exposure, scale, g.currency, lang) if r.exposure else "–",
            t(r.response, lang),
            owner(r.owner, lang),
        ]
        for r in top.itertuples()
    ]
    header = [t("unit", lang), t("risk", lang), t("score", lang), t("residual", lang), t("previous_score", lang)]
    header += [t("movement", lang), t("exposure", lang), t("response", lang), t("owner", lang)]
    display(table(header, rows, "rb-table rb-top"))
    notes = [t("group_money_note", lang)]  # the column does not add up to the headline: it says why
    if top["overridden"].any():
        notes.append(t("override_note", lang))
    display(HTML(str(h("<p><small>{}</small></p>", " ".join(notes)))))


def _rating(r: Any) -> str:
    """A top risk's rating after controls (its score's band when an older results.json has none)."""
    from riskbook.core.ratings import rating

    return r.residual_rating if isinstance(r.residual_rating, str) else rating(int(r.residual_score))


def _actions(g: Any, name: Callable[[str], str]) -> None:
    """Every unit's open actions in one table, the most overdue first: a unit's late action is seen at
    group level (the first ACTION_ROWS, then how many more)."""
    from riskbook.stages import portfolio

    lang = g.lang
    acts = portfolio.group_actions(g.docs, getattr(g, "as_of", ""))
    if not len(acts):
        return
    heading("group_actions", lang)
    if getattr(g, "as_of", ""):  # the day days late are counted to
        on = t("status_on", lang, date=str(g.as_of)).strip(" ·（）")
        display(HTML(str(h('<p class="rb-lead"><small>{}</small></p>', on[:1].upper() + on[1:]))))
    shown = acts.head(portfolio.ACTION_ROWS)
    zh = lang == "zh"
    rows = [
        [
            name(a.unit),
            h("<b>{}</b>", a.risk),
            (a.action_zh if zh and isinstance(a.action_zh, str) and a.action_zh else a.action) or "",
            keep(owner((a.owner_zh if zh and isinstance(a.owner_zh, str) and a.owner_zh else a.owner) or "", lang)),
            str(a.due or ""),
            h('<span class="rb-nb">{}</span>', t("days_late", lang, n=int(a.days_overdue)))
            if pd.notna(a.days_overdue)
            else t(str(a.status), lang),
        ]
        for a in shown.itertuples()
    ]
    header = [t("unit", lang), t("id_col", lang), t("action_col", lang), t("owner", lang), t("due_col", lang)]
    header.append(t("status", lang))
    display(table(header, rows))
    if len(acts) > len(shown):
        more = t("more_group_actions", lang, n=len(acts) - len(shown))
        display(HTML(str(h("<p><small>{}</small></p>", more))))
