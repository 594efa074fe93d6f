"""End to end: the whole pack for the demo company, read as its users read it.

One session-scoped run builds every unit and the group (English); a second builds
one unit in Chinese; a third breaks one unit to show the others still build.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from riskbook import cli
from riskbook.core import config
from riskbook.core.errors import DataError
from riskbook.core.i18n import money_parts
from riskbook.demo import company as demo
from riskbook.settings.register_import import code_of
from tests.conftest import demo_company, read_results

pytestmark = pytest.mark.slow
PERIOD = "2026Q3"
UNITS = list(demo.UNITS)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_words(path: Path) -> str:
    """A PDF's text in reading order, its words joined by single spaces (lines broken anywhere read whole)."""
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def results(pack: Path, unit: str) -> dict:
    return read_results(pack / unit / "results.json")


def test_output_contract(pack: Path) -> None:
    assert (pack / "index.html").exists() and (pack / "manifest.json").exists()
    for unit in UNITS:
        d = pack / unit
        for stage in config.STAGES:
            assert (d / f"{stage}.ipynb").exists() and (d / f"{stage}.html").exists(), (unit, stage)
        for name in (f"{unit}_{PERIOD}_risk_report.pdf", f"{unit}_{PERIOD}_risk_register.xlsx", "results.json"):
            assert (d / name).stat().st_size > 0, (unit, name)
    g = pack / "group"
    for name in ("portfolio.ipynb", "portfolio.html", f"group_{PERIOD}_risk_report.pdf"):
        assert (g / name).exists()
    assert not list(pack.parent.glob(".staging-*")), "staging folders are cleaned up"


def test_results_json_schema(pack: Path) -> None:
    bands = {"low": range(1, 5), "medium": range(5, 10), "high": range(10, 17), "critical": range(17, 26)}
    for unit in UNITS:
        doc = results(pack, unit)
        assert (doc["unit"], doc["period"], doc["currency"], doc["lang"]) == (unit, PERIOD, "CNY", "en")
        for k in doc["kris"]:
            assert k["status"] in {"green", "amber", "red", "n/a"}
            assert set(k["thresholds"]) == {"amber", "red"}
            assert k["status"] != "n/a" or k["reason"]
        for r in doc["risks"]:
            assert r["score"] == r["likelihood"] * r["impact"]
            assert r["score"] in bands[r["rating"]]
            assert r["movement"] in {"new", "up", "down", "same", "closed"}
            assert r["response"] in {"avoid", "mitigate", "transfer", "accept"}
            assert r["residual_score"] <= r["score"]
        assert doc["data_quality"]["rows_checked"] > 0
        live = [r for r in doc["risks"] if r["movement"] != "closed"]
        band = lambda score: next(b for b, scores in bands.items() if score in scores)  # noqa: E731
        assert doc["overall"] == {  # the headline's rating, recorded once: the highest live risk's, both ways
            "inherent": band(max(r["score"] for r in live)) if live else "low",
            "residual": band(max(r["residual_score"] for r in live)) if live else "low",
        }


def test_injected_risks_are_red_and_healthy_unit_is_not(pack: Path, truth: dict) -> None:
    for risk in truth["risks"]:
        status = {k["id"]: k["status"] for k in results(pack, risk["unit"])["kris"]}
        for kid in risk["kris"]:
            assert status[kid] == "red", (risk["unit"], risk["risk"], kid)
        ratings = {r["rating"] for r in results(pack, risk["unit"])["risks"] if r["category"] == risk["family"]}
        assert ratings & {"high", "critical"}, (risk["unit"], risk["family"], ratings)
    for unit in truth["healthy_units"]:
        reds = [k["id"] for k in results(pack, unit)["kris"] if k["status"] == "red"]
        assert reds == [], (unit, reds)


def test_pdf_reads_like_a_report(pack: Path) -> None:
    text = pdf_text(pack / "east" / f"east_{PERIOD}_risk_report.pdf")
    assert "Sales operations risk report" in text and "East China" in text
    order = [text.index(h) for h in ("Executive summary", "Risk identification", "Risk assessment", "Risk monitoring")]
    assert order == sorted(order), "summary first, then the stages"
    assert "R-FIN-01" in text and "Receivables and bad debt" in text
    for leak in ("import riskbook", "rb.open_unit", "Traceback", "papermill", "WARNING"):
        assert leak not in text
    pages = subprocess.run(
        ["pdfinfo", str(pack / "east" / f"east_{PERIOD}_risk_report.pdf")], capture_output=True, text=True
    ).stdout
    n = int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:")))
    assert f"Page 2 of {n}" in text, "page numbers"
    group = pdf_text(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert "Group risk portfolio" in group and "East China" in group  # units by name (see the group summary test)


def test_register_workbook_matches_results(pack: Path) -> None:
    doc = results(pack, "east")
    wb = load_workbook(pack / "east" / f"east_{PERIOD}_risk_register.xlsx", read_only=True)
    assert {"About", "Register", "Actions", "KRIs"} <= set(wb.sheetnames)
    reg = list(wb["Register"].iter_rows(values_only=True))
    head = [code_of(h) for h in reg[0]]
    ids = [row[head.index("id")] for row in reg[1:]]
    assert ids == [r["id"] for r in doc["risks"]]
    kris = {row[0]: row for row in wb["KRIs"].iter_rows(min_row=2, values_only=True)}
    dso = next(k for k in doc["kris"] if k["id"] == "dso")
    assert kris["dso"][3] == pytest.approx(dso["value"])
    actions = [row for row in wb["Actions"].iter_rows(min_row=2, values_only=True)]
    assert any("credit hold" in (row[1] or "") for row in actions), "the analysts' register actions"


def test_manifest_records_every_task(pack: Path) -> None:
    m = json.loads((pack / "manifest.json").read_text())
    assert m["period"] == PERIOD and sorted(m["units"]) == sorted(UNITS)
    tasks = {(x["unit"], x["stage"]) for x in m["tasks"] if x["status"] == "ok"}
    assert len(tasks) == len(UNITS) * 5 + 2
    assert m["inputs"]["hash"] and m["versions"]["papermill"]


def test_index_page_in_a_browser(pack: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make setup installs it)")
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            (pack / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    for unit in UNITS:
        assert f'data-unit="{unit}" data-status="ok"' in dom
        assert f'href="{unit}/{unit}_{PERIOD}_risk_report.pdf"' in dom
    assert 'href="group/group_2026Q3_risk_report.pdf"' in dom


def test_chinese_report(pack_zh: Path) -> None:
    tmp_path = pack_zh.parent
    pdf = tmp_path / PERIOD / "east" / f"east_{PERIOD}_risk_report.pdf"
    text = pdf_text(pdf)
    for zh in ("销售运营风险报告", "华东事业部", "管理层摘要", "风险识别", "应收账款与坏账"):
        assert zh in text, zh
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Noto.?Sans.?CJK", fonts), fonts
    assert results(tmp_path / PERIOD, "east")["lang"] == "zh"
    check_summary(tmp_path / PERIOD / "east", "east", "zh")
    check_pdf_for_executives(pdf, "zh", "演示贸易有限公司")  # company: {en: …, zh: …}
    # the register's own words in Chinese where it gives them (action_zh, reason_zh, owner_zh, name_zh)
    for zh in ("将逾期90天以上的客户暂停赊销", "信用委员会", "李伟"):
        assert zh in text, zh
    for en in ("Demo Trading", "Put overdue customers", "credit committee", "Finance Controller"):
        assert en not in text, en
    # the group's top risks take the owner from the unit's results.json, in the report's language
    assert results(tmp_path / PERIOD, "east")["risks"][0]["owner"] == "李伟（财务总监）"
    group = pdf_text(tmp_path / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert "李伟（财务总监）" in group and "Li Wei" not in group
    assert re.search(r"R-FIN-02.*15\*", group)  # the override marked as in the unit's report


def killer_notebook(folder: Path, stage: str, unit: str) -> Path:
    """A copy of ``stage``'s notebook whose kernel kills itself (SIGKILL) in its first cell for ``unit``."""
    import nbformat

    nb = nbformat.read(str(config.NOTEBOOKS_DIR / f"{stage}.ipynb"), as_version=4)
    first = next(
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    )
    nb.cells[first].source = (
        f"import os, signal\nif unit == {unit!r}:\n    os.kill(os.getpid(), signal.SIGKILL)\n" + nb.cells[first].source
    )
    path = folder / f"{stage}.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_a_kernel_killed_mid_notebook_fails_its_unit_only(company: str, tmp_path: Path, capsys, monkeypatch) -> None:
    """North's monitoring kernel dies (SIGKILL): north is reported failed with one line, its summary and PDF
    skipped, and its last good report stays published, byte for byte; the failed run's notebooks and error
    go to failed/north/, and the index, the manifest and the group report say so; west finishes; the next
    run, with nothing killed, completes and clears the failure."""
    from riskbook.core import paths

    out = tmp_path / "out"
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "north", "west"]) == 0
    good = out / PERIOD / "north" / f"north_{PERIOD}_risk_report.pdf"
    before = {p.name: p.read_bytes() for p in (out / PERIOD / "north").iterdir() if p.is_file()}
    killer = killer_notebook(tmp_path, "03_monitoring", "north")
    real = paths.source_notebook
    monkeypatch.setattr(paths, "source_notebook", lambda name: killer if name == "03_monitoring" else real(name))
    code = cli.main(["run", "--config", company, "--out", str(out), "--unit", "north", "west", "--force"])
    err = capsys.readouterr().err
    assert code == 1
    line = next(x for x in err.splitlines() if x.startswith("✗ north"))
    assert "03_monitoring" in line and "died" in line.lower(), err
    assert re.search(r"– north\s+04_summary .*after 03_monitoring failed", err)
    assert "the last good report stays published for north" in err
    assert (out / PERIOD / "west" / f"west_{PERIOD}_risk_report.pdf").exists()
    after = {p.name: p.read_bytes() for p in (out / PERIOD / "north").iterdir() if p.is_file()}
    assert after == before and good.exists()  # the last good report, untouched
    failed = out / PERIOD / "failed" / "north"
    assert (failed / "03_monitoring.ipynb").exists() and (failed / "01_identification.ipynb").exists()
    error = json.loads((failed / "error.json").read_text(encoding="utf-8"))
    assert error["stage"] == "03_monitoring" and "died" in error["error"].lower() and error["last_good"]
    manifest = json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["failed"]["north"]["kept_in"] == "failed/north/"
    index = (out / PERIOD / "index.html").read_text(encoding="utf-8")
    assert "The last good report (built" in index and 'href="failed/north/03_monitoring.ipynb"' in index
    said = pdf_words(out / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert "Units whose latest run failed" in said
    assert (
        "North China: Risk monitoring failed (DeadKernelError" in said
        and "the figures shown are from its last good report" in said
    )
    assert not list(out.glob(".staging-*"))
    monkeypatch.setattr(paths, "source_notebook", real)
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "north", "west"]) == 0
    assert good.exists() and not failed.exists()
    assert "latest run failed" not in pdf_words(
        out / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf"
    )  # the roll-up that named the failure was rebuilt, not reused
    assert "north" not in json.loads((out / PERIOD / "manifest.json").read_text(encoding="utf-8"))["failed"]


def test_a_damaged_store_in_the_cache_is_rebuilt(demo_dir: Path, tmp_path: Path, capsys) -> None:
    """A store file overwritten with other bytes of the same size (a disk error, a bad copy) is found by its
    content before any notebook reads it: the run says so on one line, ingests the data again and completes."""
    from riskbook.ingest import store
    from riskbook.settings.sources import resolve

    cfg = demo_company(tmp_path / "params", demo_dir)
    target = store.ingest(resolve(None, cfg))
    slice_ = target / "north" / "orders.arrow"
    size = slice_.stat().st_size
    slice_.write_bytes(bytes(size))  # garbage of the very same size
    assert store.damage(target) == "north/orders.arrow changed since it was written"
    with pytest.raises(DataError, match="the cached store is damaged"):  # a notebook opened alone: refused too
        store.load_unit(target, "north")
    out = tmp_path / "out"
    code = cli.main(["run", "--config", str(cfg), "--out", str(out), "--unit", "north"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert f"the cached store {target} is damaged (north/orders.arrow changed since it was written)" in err
    assert store.damage(target) is None  # rebuilt in place
    assert (out / PERIOD / "north" / f"north_{PERIOD}_risk_report.pdf").exists()


def test_a_settings_typo_stops_the_run_before_anything_is_written(demo_dir: Path, tmp_path: Path, capsys) -> None:
    cfg = demo_company(tmp_path / "params", demo_dir)
    (cfg.parent / "units" / "north.yaml").write_text("name: [unclosed\n")
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--unit", "north", "west"]) == 2
    err = capsys.readouterr().err.strip()
    assert "north.yaml" in err and "not valid YAML" in err and len(err.splitlines()) == 1
    assert not (out / PERIOD).exists()


def test_unchanged_units_are_reused_and_force_rebuilds(pack: Path, company: str, capsys) -> None:
    out = pack.parent
    pdf = pack / "east" / f"east_{PERIOD}_risk_report.pdf"
    before = pdf.stat().st_mtime_ns
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "east"]) == 0
    err = capsys.readouterr().err
    assert "1 unchanged, reused" in err and pdf.stat().st_mtime_ns == before
    manifest = json.loads((pack / "manifest.json").read_text())
    assert sorted(manifest["units"]) == sorted(UNITS), "the other units stay in the manifest"
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "east", "--force"]) == 0
    assert pdf.stat().st_mtime_ns != before


@pytest.mark.parametrize("period,unit", [("2026-09", "east"), ("2025", "west")])
def test_month_and_year_reports(company: str, tmp_path: Path, period: str, unit: str) -> None:
    assert cli.main(["run", "--config", company, "--out", str(tmp_path), "--unit", unit, "--period", period]) == 0
    doc = results(tmp_path / period, unit)
    assert doc["period"] == period
    kri = {k["id"]: k for k in doc["kris"]}
    if period == "2026-09":
        assert kri["dso"]["status"] == "red"  # the receivables crunch shows month by month too
    if period == "2025":  # a year's previous period is the year before: growth compares them, once
        assert (
            kri["revenue_yoy"]["status"] == "n/a" and "revenue growth already compares" in kri["revenue_yoy"]["reason"]
        )
        assert kri["revenue_growth"]["status"] != "n/a"
    else:
        assert kri["revenue_yoy"]["status"] != "n/a" or "before the data" in kri["revenue_yoy"]["reason"]
    text = pdf_text(tmp_path / period / unit / f"{unit}_{period}_risk_report.pdf")
    assert period in text


def test_a_data_folder_never_wears_the_demos_identity(tmp_path: Path, capsys) -> None:
    """A user's folder with a unit called east: not 'Demo Trading Co.', not CNY, not 'East China', not
    the demo register's owners, overrides or hand-added risk — anywhere in the pack."""
    from tests.conftest import TINY, write_tables

    data = write_tables(tmp_path / "acme_exports", {k: v.replace(",u,", ",east,") for k, v in TINY.items()})
    out = tmp_path / "out"
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--period", PERIOD]) == 0
    assert "no company file: reports are titled 'acme_exports'" in capsys.readouterr().err
    d = out / PERIOD / "east"
    texts = [
        pdf_text(d / f"east_{PERIOD}_risk_report.pdf"),
        pdf_text(out / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf"),
    ]
    texts += [
        re.sub(r"base64,[A-Za-z0-9+/=]+", "", p.read_text(encoding="utf-8"))  # not inside images
        for p in [*d.glob("*.html"), d / "results.json"]
    ]
    wb = load_workbook(d / f"east_{PERIOD}_risk_register.xlsx")
    texts.append(" ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None))
    blob = "\n".join(texts)
    for word in ("Demo Trading", "CNY", "East China", "华东", "R-ADD-01", "Li Wei", "credit committee"):
        assert word not in blob, word
    assert "acme_exports" in texts[0]
    assert read_results(d / "results.json")["currency"] == ""


@pytest.mark.slow
def test_a_units_own_language_within_an_english_run(tmp_path: Path) -> None:
    """company.yaml says en, units/north.yaml says zh: north's report is Chinese, south's and the group's
    English, in one run without --lang; with --lang en every report is English."""
    from tests.conftest import TINY, write_tables

    two = {
        k: v.replace(",u,", ",north,")
        + "".join(
            line.replace(",u,", ",south,").replace("\n", "") + "\n" for line in v.splitlines()[1:] if ",u," in line
        )
        for k, v in TINY.items()
    }
    data = write_tables(tmp_path / "data", two)
    params = tmp_path / "params"
    (params / "units").mkdir(parents=True)
    (params / "company.yaml").write_text(f"company: Lang Co\ncurrency: EUR\nlang: en\ndata: {data}\n", encoding="utf-8")
    (params / "units" / "north.yaml").write_text("lang: zh\nname: {en: North, zh: 北区}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["run", "--config", str(params / "company.yaml"), "--out", str(out), "--period", PERIOD]) == 0
    north = pdf_text(out / PERIOD / "north" / f"north_{PERIOD}_risk_report.pdf")
    south = pdf_text(out / PERIOD / "south" / f"south_{PERIOD}_risk_report.pdf")
    group = pdf_text(out / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert "风险" in north and "北区" in north and "Executive summary" not in north
    assert "Executive summary" in south and "风险" not in south
    assert "风险" not in group
    assert read_results(out / PERIOD / "north" / "results.json")["lang"] == "zh"
    assert read_results(out / PERIOD / "south" / "results.json")["lang"] == "en"
    assert (
        cli.main(
            [
                "run",
                "--config",
                str(params / "company.yaml"),
                "--out",
                str(out),
                "--period",
                PERIOD,
                "--lang",
                "en",
                "--unit",
                "north",
            ]
        )
        == 0
    )
    assert read_results(out / PERIOD / "north" / "results.json")["lang"] == "en"


def summary_page(pdf: Path) -> tuple[str, str]:
    """The text of the summary page (page 2, after the cover with its contents) and of the page after it."""

    def page(n: int) -> str:
        return subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],  # reading order: tiles stay whole
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    return page(2), page(3)


def check_summary(unit_dir: Path, unit: str, lang: str) -> None:
    """What an executive checks on the one-page summary: nothing hidden, the money adds up."""
    doc = read_results(unit_dir / "results.json")
    page, after = summary_page(unit_dir / f"{unit}_{PERIOD}_risk_report.pdf")
    flat = re.sub(r"\s+", "", page)  # pdftotext breaks lines inside titles and Chinese text
    reds = [k for k in doc["kris"] if k["status"] == "red"]
    ambers = [k for k in doc["kris"] if k["status"] == "amber"]
    assert reds, "the demo's east unit has red KRIs"
    assert ("管理层摘要" if lang == "zh" else "Executive summary") in page[:300]
    for k in reds + ambers:
        assert re.sub(r"\s+", "", k["title"]) in flat, (lang, k["id"], k["status"])  # in the report's language
        assert k["id"] not in page, f"KRI id {k['id']} in the executive summary"
    # one page: the identification section starts on the next page, the data-quality line ends this one
    assert ("数据质量" if lang == "zh" else "Data quality") in page
    assert ("风险识别" if lang == "zh" else "Risk identification") in after.split("\n", 3)[0] + after[:200]
    # every committed action still to do is on the summary
    html_text = (unit_dir / "04_summary.html").read_text(encoding="utf-8")
    for risk in doc["risks"]:
        for a in risk["actions"]:
            if a.get("status", "open") not in ("done", "cancelled"):
                text = a.get("action_zh") if lang == "zh" and a.get("action_zh") else a["action"]
                assert text in html_text, (risk["id"], text)
    # money at risk: the table's rows add up to its total, and the headline says that total
    money = re.search(r'<table class="rb-table rb-money">.*?</table>', html_text, re.S)[0]
    cells = re.findall(r'<td class="rb-num">([^<]*)</td>', money)
    number = lambda s: float(re.sub(r"[^\d.]", "", s))  # noqa: E731
    assert len(cells) >= 2 and abs(sum(number(c) for c in cells[:-1]) - number(cells[-1])) < 1e-9, cells
    headline = re.search(r'<p class="rb-headline">([^<]*)</p>', html_text)[1]
    assert cells[-1] in headline, (cells[-1], headline)
    assert re.sub(r"\s+", "", cells[-1]) in flat


def test_the_summary_hides_nothing_on_one_page(pack: Path) -> None:
    check_summary(pack / "east", "east", "en")
    check_pdf_for_executives(pack / "east" / f"east_{PERIOD}_risk_report.pdf", "en", "Demo Trading Co.")


def check_pdf_for_executives(pdf: Path, lang: str, company: str) -> None:
    """No developer text, a clean outline in section order, metadata, and a contents page with pages."""
    from pypdf import PdfReader

    from riskbook import kris as K
    from riskbook.core.i18n import t

    text = pdf_text(pdf)
    for kid in K.REGISTRY:
        assert kid not in text, f"KRI id {kid} in the PDF"
    for dev in ("params/", ".yaml", "σ", "MAD "):
        assert dev not in text, dev
    reader = PdfReader(str(pdf))
    meta = reader.metadata
    assert meta.author == company and t("report_title", lang) in meta.title and meta.subject
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    stages = [t(s, lang) for s in ("summary", "identification", "assessment", "monitoring")]
    assert [next((i for i, s in enumerate(stages) if title.startswith(s)), None) for title in top] == [0, 1, 2, 3]
    words = [t(w, lang).lower() for w in ("red", "amber", "green")] + ["red", "amber", "green"]

    def walk(items: list) -> list[str]:
        return [x for o in items for x in (walk(o) if isinstance(o, list) else [o.title])]

    for title in walk(reader.outline):
        assert not any(title.lower().rstrip().endswith(w) for w in words), title
    # charts are vector graphics with a legend in the report's language: no raster image in the PDF
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2, images  # the header lines only
    assert t("legend_amber", lang) in text and t("legend_red", lang) in text
    contents = reader.pages[0].extract_text()  # the cover lists the contents: no page of four lines
    assert t("contents", lang) in contents
    for s in stages:
        assert re.search(re.escape(s) + r".*?\d+", contents.replace("\n", " ")), (s, contents)


def chromium_page(chromium: str, url: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``url``, offline, with the page's console on stderr."""
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_site_is_navigable_offline_in_a_browser(pack: Path, tmp_path: Path) -> None:
    """The index and every page of one unit, as a browser shows them: no console error, nothing fetched
    from outside the folder, every link resolving, readable at desktop and phone widths."""
    chromium = shutil.which("chromium")
    if not chromium:
        pytest.skip("chromium is not installed (make setup installs it)")
    pages = [pack / "index.html", *sorted((pack / "east").glob("*.html"))]
    assert len(pages) == 5
    for page in pages:
        run = chromium_page(chromium, page.as_uri(), tmp_path / "profile", "--dump-dom")
        dom = run.stdout
        console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
        assert console == [], (page.name, console)
        refs = re.findall(r'(?:href|src)="([^"#]+)"', dom)
        assert not [r for r in refs if re.match(r"(https?:)?//", r)], (page.name, "a request leaves the machine")
        links = [r for r in re.findall(r'href="([^"#]+)"', dom) if not r.startswith("data:")]
        missing = [r for r in links if not (page.parent / r).resolve().exists()]
        assert links and missing == [], (page.name, missing)
        if page.parent.name == "east":  # a stage page leads back to the index and on to the PDF and workbook
            assert {"../index.html", f"east_{PERIOD}_risk_report.pdf", f"east_{PERIOD}_risk_register.xlsx"} <= set(
                links
            )
            assert f"— East China · {PERIOD}</title>" in dom  # a title a person reads, not a file name
    dom = chromium_page(chromium, pages[0].as_uri(), tmp_path / "profile", "--dump-dom").stdout
    summary = (pack / "east" / "04_summary.html").read_text(encoding="utf-8")
    money = re.findall(
        r'<td class="rb-num">([^<]*)</td>',
        re.search(r"<table class=\"rb-table rb-money\">.*?</table>", summary, re.S)[0],
    )[-1]
    live = (r for r in results(pack, "east")["risks"] if r["movement"] != "closed")
    top = max(live, key=lambda r: (r["residual_score"], r["score"], r["exposure"] or 0))  # net risk first
    assert "East China" in dom and money in dom and top["id"] in dom  # names, the summary's money, top risk
    for width, name in (("1280,900", "desktop"), ("390,844", "phone")):
        shot = tmp_path / f"{name}.png"
        chromium_page(
            chromium, pages[0].as_uri(), tmp_path / "profile", f"--window-size={width}", f"--screenshot={shot}"
        )
        assert shot.exists() and shot.stat().st_size > 20_000, name


def test_the_group_summary_ranks_units_by_name_and_adds_up(pack: Path) -> None:
    """The group's first page: units by their names (no slugs), the most at risk first, each with the money
    at risk its own summary states, and a total that is their sum; risks shared by several units."""
    pdf = pack / "group" / f"group_{PERIOD}_risk_report.pdf"
    text = pdf_text(pdf)
    page = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "key_accounts" not in text and "Business unit: Group" not in text
    totals = []
    for unit in UNITS:
        summary = (pack / unit / "04_summary.html").read_text(encoding="utf-8")
        name = re.search(r"<h1[^>]*>Executive summary — (.*?) · ", summary)[1]
        assert name in page, name
        doc = results(pack, unit)
        money = re.search(r'<table class="rb-table rb-money">.*?</table>', summary, re.S)
        if money:  # the unit's summary total is its results.json's, which the group takes
            stated = re.findall(r'<td class="rb-num">([^<]*)</td>', money[0])[-1]
            assert stated == money_parts([doc["money_at_risk"]["total"]], "CNY", "en")[1], (unit, stated)
        totals.append(doc["money_at_risk"]["total"] if "money_at_risk" in doc else 0.0)
    shown, total = money_parts([x for x in totals if x > 0], "CNY", "en")  # the group's one scale
    assert all(amount in page for amount in shown), (shown, page)
    assert f"money at risk {total}" in " ".join(page.split()), total
    shared = {r["id"] for u in UNITS for r in results(pack, u)["risks"] if r["movement"] != "closed"}
    in_two = [
        rid
        for rid in shared
        if sum(any(r["id"] == rid and r["movement"] != "closed" for r in results(pack, u)["risks"]) for u in UNITS) > 1
    ]
    assert in_two and all(rid in page for rid in in_two), in_two


def test_the_headline_rating_is_net_of_controls_and_says_the_gross_beside_it(pack: Path) -> None:
    """The cover and the summary of a unit, and of the group, show the overall rating after controls (the
    residual: what an executive acts on) and before them, each labelled, as results.json records them."""
    from riskbook.core.i18n import t

    for unit in ("east", "group"):
        if unit == "group":
            docs = [results(pack, u) for u in UNITS]
            order = ["low", "medium", "high", "critical"]
            net = max((d["overall"]["residual"] for d in docs), key=order.index)
            gross = max((d["overall"]["inherent"] for d in docs), key=order.index)
        else:
            net, gross = results(pack, unit)["overall"]["residual"], results(pack, unit)["overall"]["inherent"]
        pdf = pack / unit / f"{unit}_{PERIOD}_risk_report.pdf"
        lines = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
        words = " ".join(lines.stdout.split())  # as the lines read: a badge does not move its word elsewhere
        said = f"{t(net)} after controls · {t(gross)} before controls"
        assert words.count(said) >= 2, (unit, said)  # the cover and the summary's first line
    index = (pack / "index.html").read_text(encoding="utf-8")
    assert "after controls" in index and "before controls" in index


def test_the_group_lists_every_high_and_critical_risk_and_every_units_late_actions(pack: Path) -> None:
    """The group's risks table holds every risk rated high or critical (not only ten), with its residual
    score; its actions table shows a unit's late action with how late it is, the latest first."""
    from riskbook.stages import portfolio

    docs = {u: results(pack, u) for u in UNITS}
    serious = sum(
        r["rating"] in ("high", "critical") for d in docs.values() for r in d["risks"] if r["movement"] != "closed"
    )
    top = portfolio.top_risks(docs)
    assert len(top) == max(10, serious) and top["rating"].isin(["high", "critical"]).sum() == serious
    words = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    for r in top.itertuples():
        assert r.id in words and r.title in words
    assert "Actions across units, the most overdue first" in words
    acts = portfolio.group_actions(docs, read_results(pack / "east" / "results.json").get("as_of", "") or "")
    late = acts[acts["days_overdue"].notna()]
    assert len(late) and late["days_overdue"].is_monotonic_decreasing
    assert late.iloc[0]["action"] in words
