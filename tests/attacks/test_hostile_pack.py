"""A whole pack built from a company whose every text is hostile — markup, a local-file attachment, formula
prefixes, control characters — and from stage products someone else wrote: every value lands as text, no
PDF carries an attachment, no workbook cell an illegal character, no pickle from outside is unpickled."""

from __future__ import annotations

import html.parser
import pickle
import subprocess
from pathlib import Path

import pytest
import yaml

from riskbook import cli
from tests.attacks.corpus import TRIED, bounded, company
from tests.conftest import TINY, write_tables

MARKUP = '<img src=x onerror="alert(1)">'
ATTACH = '<link rel="attachment" href="file:///etc/passwd">'
SCRIPT = "<script>document.title='owned'</script>"
CONTROL = "Alpha\x1b[31m\x07Ltd"  # ESC, a terminal colour, BEL


class Elements(html.parser.HTMLParser):
    """Every element and attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    cfg = company(root, company=f"Acme {SCRIPT}", classification=f"Secret {ATTACH}")
    tables = dict(TINY)
    tables["customers"] = TINY["customers"].replace("Alpha Ltd", CONTROL).replace("Gamma Inc", f'"{MARKUP}"')
    tables["reps"] = TINY["reps"].replace("Rep Two", ATTACH.replace('"', "'"))
    write_tables(cfg.parent / "data", tables)
    (cfg.parent / "units" / "u.yaml").write_text(yaml.safe_dump({"name": {"en": f"U {MARKUP}", "zh": MARKUP}}))
    register = {
        "risks": {
            "R-FIN-01": {
                "owner": f"Wang {SCRIPT}",
                "response": "mitigate",
                "actions": [{"action": f"Chase {ATTACH}", "owner": "=HYPERLINK(1)", "due": "2026-12-31"}],
                "controls": [{"name": f"Insurance {MARKUP}", "reduces": {"impact": 1}}],
            }
        },
        "added": [{"id": "R-CMP-99", "title": f"Fraud {SCRIPT}", "family": "compliance", "likelihood": 3, "impact": 4}],
    }
    (cfg.parent / "register" / "u.yaml").write_text(yaml.safe_dump(register, allow_unicode=True), encoding="utf-8")
    out = root / "outputs"
    with bounded(600):
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", "2026Q3", "--force"]) == 0
    return out / "2026Q3"


@pytest.mark.slow
def test_every_page_shows_hostile_text_as_text(hostile: Path) -> None:
    TRIED.append("hostile-text-in-every-page")
    pages = sorted(hostile.rglob("*.html"))
    assert len(pages) >= 6
    for page in pages:
        text = page.read_text(encoding="utf-8")
        parser = Elements()
        parser.feed(text)
        tags = parser.tags
        assert not [t for t, _ in tags if t in ("script", "iframe", "object", "embed")], page
        assert not [a for _, a in tags if any(k.startswith("on") for k in a)], page
        assert not [a for t, a in tags if t == "link" and a.get("rel") == "attachment"], page
        assert not [a for t, a in tags if t == "img" and a.get("src") == "x"], page
        assert "\x1b" not in text and "\x07" not in text, page
    summary = (hostile / "u" / "04_summary.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;" in summary  # shown, escaped


@pytest.mark.slow
def test_no_pdf_carries_an_attachment_or_a_local_file(hostile: Path) -> None:
    TRIED.append("pdf-attachment-from-a-value")
    pdfs = sorted(hostile.rglob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        listing = subprocess.run(["pdfdetach", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert listing.strip().startswith("0 embedded files"), listing
        assert b"root:x:0:0" not in pdf.read_bytes()
    text = subprocess.run(
        ["pdftotext", str(hostile / "u" / "u_2026Q3_risk_report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "R-CMP-99 Fraud" in text and "<script>document.title='owned'</" in text  # printed as the text it is


@pytest.mark.slow
def test_control_characters_are_a_finding_and_never_reach_a_cell(hostile: Path) -> None:
    from openpyxl import load_workbook

    TRIED.append("control-characters-in-names")
    import json

    doc = json.loads((hostile / "u" / "results.json").read_text(encoding="utf-8"))
    found = [i for i in doc["data_quality"]["issues"] if i["check"] == "control_characters"]
    assert found and found[0]["table"] == "customers" and found[0]["column"] == "customer_name", found
    wb = load_workbook(hostile / "u" / "u_2026Q3_risk_register.xlsx")
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [x for x in texts if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in x)]
    assert any("Alpha[31mLtd" in x for x in texts)  # the name, its control characters taken out


def test_a_stage_product_not_written_by_riskbook_is_never_unpickled(tmp_path: Path, monkeypatch) -> None:
    """A pickle planted in a shared outputs folder (it would run a command when loaded), or one signed with
    another user's key, is computed again instead; a product riskbook signed is used."""
    from types import SimpleNamespace

    from riskbook.core import paths, sign
    from riskbook.stages import pipeline

    TRIED.append("planted-stage-pickle")
    sentinel = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (subprocess.call, (["touch", str(sentinel)],))

    unit = SimpleNamespace(out=tmp_path / "u", key="k1")
    path = paths.stage_product(unit.out, "identification")
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({"key": "k1", "product": Evil()}))
    assert pipeline.saved(unit, "identification") is None and not sentinel.exists()
    monkeypatch.setenv("RISKBOOK_KEY_FILE", str(tmp_path / "other.key"))
    monkeypatch.setattr(sign, "_KEY", None)
    path.write_bytes(sign.sign(pickle.dumps({"key": "k1", "product": Evil()})))  # another user's key
    monkeypatch.setenv("RISKBOOK_KEY_FILE", str(tmp_path / "mine.key"))
    monkeypatch.setattr(sign, "_KEY", None)
    assert pipeline.saved(unit, "identification") is None and not sentinel.exists()
    pipeline.save(unit, "identification", {"kris": [1, 2]})
    assert pipeline.saved(unit, "identification") == {"kris": [1, 2]}
    assert (tmp_path / "mine.key").stat().st_mode & 0o777 == 0o600
