"""The pack as its readers meet it: PDF pages without holes in both languages, numbers whole, one money format
a page, Latin text in a Latin font; the site on a phone (390 px) and on a desktop, read in Chromium, with every
text legible (WCAG contrast 4.5:1)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.run.conftest import PERIOD

pytestmark = pytest.mark.slow
PROBE = Path(__file__).with_name("probe.js")


def pdf(pack: Path, unit: str) -> Path:
    return pack / unit / f"{unit}_{PERIOD}_risk_report.pdf"


def blank_share(png: Path) -> float:
    """How much of a page's body (above the footer) lies blank under its last mark."""
    a = np.asarray(Image.open(png).convert("L"))
    body = int(a.shape[0] * 0.92)  # the footer's line is below
    rows = np.where((a[:body] < 245).any(axis=1))[0]
    return 1 - (rows.max() if len(rows) else 0) / body


def section_starts(path: Path) -> set[int]:
    """The 1-based pages where a section of the report starts, from the PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return {reader.get_destination_page_number(o) + 1 for o in reader.outline if not isinstance(o, list)}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("unit", ["east", "group"])
def test_no_half_empty_page_inside_a_section(pack: Path, pack_zh: Path, unit: str, lang: str, tmp_path) -> None:
    """A page may end early only where the next section starts on a new page; inside a section the charts,
    tables and headings flow on (issue: 'KRI trends' and its charts pushed whole to the next page left 48 %
    of a page white)."""
    path = pdf(pack if lang == "en" else pack_zh, unit)
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(path), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    starts = section_starts(path)
    assert len(starts) >= (1 if unit == "group" else 4), starts
    holes = {
        n: round(blank_share(p), 2)
        for n, p in enumerate(pages, 1)
        if n > 1 and n + 1 not in starts and n < len(pages) and blank_share(p) > 0.3
    }
    assert holes == {}, f"{path.name}: pages inside a section left blank (share): {holes}"


def fonts_of_text(path: Path) -> list[tuple[str, str]]:
    """(text, font) of every run of text in the PDF, as pypdf reads the content streams."""
    from pypdf import PdfReader

    runs: list[tuple[str, str]] = []
    for page in PdfReader(str(path)).pages:

        def visit(text: str, cm, tm, font, size) -> None:
            if text.strip() and font is not None:
                runs.append((text, str(font.get("/BaseFont", ""))))

        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_latin_text_is_set_in_a_latin_font(pack: Path, pack_zh: Path, lang: str) -> None:
    """English words, ids and figures are set in Noto Sans in both languages (a CJK font sets quotes and
    apostrophes full-width); Chinese characters in Noto Sans CJK."""
    runs = fonts_of_text(pdf(pack if lang == "en" else pack_zh, "east"))
    latin = [(x, f) for x, f in runs if re.fullmatch(r"[A-Za-z0-9 .,:;%'’()/-]+", x) and re.search(r"[A-Za-z]{3}", x)]
    chinese = [(x, f) for x, f in runs if re.search(r"[\u4e00-\u9fff]", x)]
    assert latin and all("CJK" not in f and re.search("Noto.?Sans", f) for _, f in latin), [
        r for r in latin if "CJK" in r[1]
    ][:5]
    if lang == "zh":
        assert chinese and all("CJK" in f for _, f in chinese), [r for r in chinese if "CJK" not in r[1]][:5]


MONEY = {"en": re.compile(r"CNY (?:[\d,]+\.\d)(k|M|bn)"), "zh": re.compile(r"[\d,]+\.\d(万|亿)元")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("unit", ["east", "group"])
def test_one_money_format_on_a_page(pack: Path, pack_zh: Path, unit: str, lang: str) -> None:
    """The amounts on a page are written in one scale: 'CNY 0.6M' beside 'CNY 13.0M', never 'CNY 589.2k'
    for the same risk on the same page."""
    path = pdf(pack if lang == "en" else pack_zh, unit)
    n = len(section_starts(path)) + 10
    seen = 0
    for page in range(2, n):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"], capture_output=True, text=True
        ).stdout
        scales = set(MONEY[lang].findall(" ".join(text.split())))
        assert len(scales) <= 1, f"{path.name} page {page}: amounts in {scales}"
        seen += bool(scales)
    assert seen >= (1 if unit == "group" else 2)  # a unit: the summary and the register at least


def test_a_number_never_breaks_inside_itself(tmp_path: Path) -> None:
    """A narrow table column breaks a long id, never a number: -11062.06 prints whole (it came out as
    '-1106' over '2.06' in the data-quality table's example column)."""
    from weasyprint import HTML

    from riskbook.display.quality import dq_table
    from riskbook.render.pages import _css

    issue = {
        "severity": "error",
        "title": "Amount disagrees with quantity × price",
        "table": "orders",
        "column": "amount",
        "count": 4,
        "in_period": 4,
        "rows": [12, 13, 14],
        "keys": ["ORD-2026-0000012", "ORD-2026-0000013", "X" * 60],
        "file": "exports/orders.csv",
        "value": "-11062.06",
        "kris": [],
        "excluded": "none",
    }
    body = dq_table([issue] * 2, "en").data
    out = tmp_path / "dq.pdf"
    HTML(string=f"<html lang='en'><style>{_css()}</style><body>{body}</body></html>").write_pdf(str(out))
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert text.count("-11062.06") == 2, text


def probe(page: Path, width: int) -> dict:
    """Chromium's layout of ``page`` in a viewport ``width`` CSS px wide (an iframe of that width: headless
    Chromium's window is never narrower than 500 px), as tests/run/probe.js measures it."""
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make setup installs it)")
    js = PROBE.read_text()
    inner = page.with_name("_probe_" + page.name)
    outer = page.with_name("_outer_" + page.name)
    inner.write_text(page.read_text(encoding="utf-8").replace("</body>", f"<script>{js}</script></body>"), "utf-8")
    outer.write_text(
        f'<!doctype html><body style="margin:0"><iframe src="{inner.name}" width="{width}" height="844" '
        'style="border:0"></iframe><script>addEventListener("message", e => { const p = '
        'document.createElement("pre"); p.id = "probe"; p.textContent = e.data; document.body.appendChild(p); '
        "});</script></body>"
    )
    try:
        with tempfile.TemporaryDirectory() as profile:
            run = subprocess.run(
                [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
                + ["--no-first-run", f"--user-data-dir={profile}", "--window-size=1300,900"]
                + ["--virtual-time-budget=5000", "--dump-dom", outer.as_uri()],
                capture_output=True,
                text=True,
                timeout=120,
            )
    finally:
        inner.unlink()
        outer.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stderr[-2000:]
    return json.loads(html.unescape(found[1]))


def contrast(colour: str, background: str) -> float:
    """WCAG contrast of two CSS rgb()/rgba() colours (a translucent text colour blended on white)."""

    def rgb(c: str) -> list[float]:
        v = [float(x) for x in re.findall(r"[\d.]+", c)]
        alpha = v[3] if len(v) > 3 else 1.0
        return [x * alpha + 255 * (1 - alpha) for x in v[:3]]

    def lum(v: list[float]) -> float:
        r, g, b = ((x / 255) / 12.92 if x / 255 <= 0.03928 else ((x / 255 + 0.055) / 1.055) ** 2.4 for x in v)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((lum(rgb(colour)), lum(rgb(background))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def site_pages(pack: Path) -> list[Path]:
    return [pack / "index.html", *sorted((pack / "east").glob("0*.html")), pack / "group" / "portfolio.html"]


def test_the_site_on_a_phone(pack: Path) -> None:
    """At 390 px: nothing wider than the screen (no table scrolling sideways to hide money, response and
    owner); the two heatmaps one under the other at a readable size; trend charts one or two to a row;
    every table row a card whose values carry their column's name; no KRI id in sight."""
    from riskbook import kris as K

    for page in site_pages(pack):
        d = probe(page, 390)
        name = page.name
        assert d["scrollWidth"] <= d["width"], (name, "wider than the phone", d["scrollWidth"], d["width"])
        assert all(x >= 0 and x + w <= d["width"] for (x, _, w, _), *_ in d["cells"]), (name, "a cell off screen")
        shown = " ".join(t for t, _, _ in d["text"])
        assert not [k for k in K.REGISTRY if re.search(rf"\b{k}\b", shown)], (name, "KRI ids shown")
        if d["heat"]:
            (x1, y1, w1, h1), (x2, y2, w2, h2) = d["heat"]
            assert y2 >= y1 + h1 and min(w1, w2) >= 300, (name, d["heat"])
        rows: dict[int, int] = {}
        for _, y, w, _ in d["trends"]:
            rows[y] = rows.get(y, 0) + 1
            assert w >= 170, (name, "a chart narrower than half the phone", w)
        assert all(n <= 2 for n in rows.values()), (name, rows)
    summary = probe(pack / "east" / "04_summary.html", 390)
    labelled = {label: text for _, text, label in summary["cells"] if text.strip()}
    for column in ("Money at risk", "Response", "Owner"):  # the top risks' columns a manager looks for
        assert labelled.get(column), (column, labelled)
    assert probe(pack / "east" / "03_monitoring.html", 390)["trends"]


def test_every_text_on_the_site_is_legible(pack: Path) -> None:
    """Text against what is behind it, at phone and desktop widths: 4.5:1 at least (the rating badge was grey
    on salmon, 1.8:1; white on an amber badge is 2.2:1)."""
    for page in site_pages(pack):
        for width in (390, 1280):
            d = probe(page, width)
            low = {(t, c, b, round(contrast(c, b), 2)) for t, c, b in d["text"] if contrast(c, b) < 4.5}
            assert not low, (page.name, width, sorted(low)[:10])
            if width == 1280 and page.parent.name == "east" and d["heat"]:
                (_, y1, _, _), (_, y2, _, _) = d["heat"]
                assert y1 == y2  # side by side on a desktop
