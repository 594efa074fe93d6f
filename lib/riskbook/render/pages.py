"""HTML pages and PDF reports from executed notebooks, through one Jinja2 template set."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from riskbook.core import config, paths
from riskbook.core.fonts import FONTS
from riskbook.core.i18n import t
from riskbook.display.palettes import COLOURS
from riskbook.render.notebook import body

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(config.TEMPLATES_DIR)), autoescape=jinja2.select_autoescape(["html"])
)


def _css() -> str:
    """The stylesheet of pages and PDFs, its colours from riskbook.display.palettes and its fonts from
    riskbook.core.fonts."""
    return _env.get_template("report.css").render(COLOURS=COLOURS, FONTS=FONTS)


def _write(path: Path, text: str) -> None:
    with paths.replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def nav(unit_dir_name: str, period: str, lang: str, current: str, names: list[str]) -> list[dict[str, Any]]:
    """The links of a stage page: the index, the unit's stage pages, its PDF and workbook."""
    unit = unit_dir_name
    links = [{"href": "../index.html", "label": t("all_reports", lang), "current": False}]
    for name in names:
        label = t(config.stage_name(name), lang)
        links.append({"href": paths.page(Path("."), name).name, "label": label, "current": name == current})
    links.append(
        {"href": paths.report_pdf(Path("."), unit, period).name, "label": t("report_pdf", lang), "current": False}
    )
    if unit != config.GROUP:
        links.append(
            {
                "href": paths.register_xlsx(Path("."), unit, period).name,
                "label": t("register_xlsx", lang),
                "current": False,
            }
        )
    return links


def notebook_page(nb: Path, out: Path, lang: str, cover: dict[str, Any], name: str, names: list[str]) -> None:
    """One executed notebook as a standalone HTML page without code, linked to the unit's other pages."""
    stage = t(config.stage_name(name), lang)
    title = f"{stage} — {cover['unit_name']} · {cover['period']}"
    links = nav(out.parent.name, cover["period"], lang, name, names)
    html = _env.get_template("page.html").render(title=title, lang=lang, css=_css(), body=body(nb, lang), nav=links)
    _write(out, html)


def _in_document(html: str) -> str:
    """A page's links as a PDF keeps them: a link to another stage page points inside the one document
    (01_identification.html#risk-x → #risk-x); a link to another file of the pack (a unit's PDF from the
    group's) becomes its text, as a PDF sent on its own would resolve it to a path on this machine."""
    html = re.sub(r'href="0\d_[a-z_]+\.html#', 'href="#', html)
    return re.sub(r'<a\b[^>]*\bhref="(?!#|https?:|mailto:)[^"]*"[^>]*>(.*?)</a>', r"\1", html, flags=re.S)


def report_html(notebooks: list[Path], lang: str, cover: dict[str, Any]) -> str:
    """The HTML of a PDF report: a cover, then each notebook's content as a section."""
    sections = [_in_document(body(nb, lang)) for nb in notebooks]
    toc = [t(config.stage_name(Path(nb).stem), lang) for nb in notebooks]
    return _env.get_template("report.html").render(
        lang=lang,
        css=_css(),
        sections=sections,
        toc=toc,
        cover=cover,
        t=lambda k: t(k, lang),
        prepared=cover.get("prepared", ""),
    )


def write_pdf(notebooks: list[Path], out: Path, lang: str, cover: dict[str, Any]) -> None:
    """Render the report to PDF (WeasyPrint), atomically."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = report_html(notebooks, lang, cover)
    with paths.replacing(out) as tmp:
        HTML(string=html, base_url=str(out.parent), url_fetcher=_fetcher(out.parent)).write_pdf(str(tmp))


def _fetcher(folder: Path) -> Any:
    """WeasyPrint's URL fetcher for a report: ``data:`` URLs (the charts) and files inside the report's own
    folder; anything else — a local file elsewhere, a remote URL, an attachment a value smuggled in — is
    refused, so no page can pull a file into a PDF."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    root = Path(folder).resolve()

    class PackFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file:"):
                target = Path(unquote(urlparse(url).path)).resolve()
                if target.is_relative_to(root) and target.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"riskbook reports load nothing from {url[:60]}")

    return PackFetcher(allowed_protocols=("data", "file"))
