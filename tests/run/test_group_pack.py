"""The group pack as a CFO reads it: every unit's rating after and before controls, every red KRI named,
the top risks with their residual and previous scores, the severe risks nobody has acted on, and a KRI
status set by a unit's own rule marked as such. Each figure is worked out here from the units'
results.json and looked for in the group's PDF and page."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from riskbook.demo import company as demo
from tests.conftest import read_results

pytestmark = pytest.mark.slow
PERIOD = "2026Q3"
NAMES = {
    "east": "East China",
    "key_accounts": "Key Accounts",
    "north": "North China",
    "online": "Online",
    "south": "South China",
    "west": "West China",
}
RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class _Tables(HTMLParser):
    """Every table of a page as rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def tables(page: Path) -> list[list[list[str]]]:
    p = _Tables()
    p.feed(page.read_text(encoding="utf-8"))
    return p.tables


def table_after(page: Path, first_header: str, second_header: str) -> list[list[str]]:
    """The page's table whose first two headers are these, as rows of cells (header row dropped)."""
    return next(tb[1:] for tb in tables(page) if tb and tb[0][:2] == [first_header, second_header])


def pdf_words(path: Path) -> str:
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


@pytest.fixture(scope="module")
def docs(pack: Path) -> dict[str, dict]:
    return {u: read_results(pack / u / "results.json") for u in demo.UNITS}


def test_each_unit_is_rated_after_and_before_controls_the_lower_net_ranked_lower(pack: Path, docs) -> None:
    rows = table_after(pack / "group" / "portfolio.html", "Business unit", "Overall rating")
    by_name = {r[0]: r[1] for r in rows}
    for u, d in docs.items():
        net, gross = d["overall"]["residual"], d["overall"]["inherent"]
        assert by_name[NAMES[u]] == f"{net} after controls {gross} before controls", (u, by_name[NAMES[u]])
    order = [r[0] for r in rows if r[0] in NAMES.values()]
    nets = [RANK[docs[u]["overall"]["residual"]] for u in (k for n in order for k, v in NAMES.items() if v == n)]
    assert nets == sorted(nets, reverse=True)  # the headline is net risk: a unit whose controls work ranks lower
    assert any(d["overall"]["residual"] != d["overall"]["inherent"] for d in docs.values())  # the demo shows it
    words = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert "East China high after controls" in words and "critical before controls" in words


def test_every_red_kri_of_every_unit_is_named_on_the_summary_page(pack: Path, docs) -> None:
    rows = {r[0]: r for r in table_after(pack / "group" / "portfolio.html", "Business unit", "Red KRIs")}
    reds = {u: [k["title"] for k in d["kris"] if k["status"] == "red"] for u, d in docs.items()}
    assert sum(map(len, reds.values())) >= 10
    for u, titles in reds.items():
        if not titles:
            assert NAMES[u] not in rows
            continue
        assert rows[NAMES[u]][1] == str(len(titles)) and rows[NAMES[u]][2] == ", ".join(titles)
    pdf = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    summary = pdf[pdf.index("Red KRIs by unit") : pdf.index("Risks shared by several units")]
    for titles in reds.values():
        for title in titles:
            assert title in summary, title


def test_the_top_risks_show_net_gross_and_previous_scores(pack: Path, docs) -> None:
    rows = table_after(pack / "group" / "portfolio.html", "Business unit", "Risk")
    severe = [  # every one rated high or critical before or after controls is listed
        (u, r)
        for u, d in docs.items()
        for r in d["risks"]
        if r["movement"] != "closed" and {r["rating"], r["residual_rating"]} & {"high", "critical"}
    ]
    shown = {(r[0], r[1].split()[0]): r for r in rows}
    for u, r in severe:
        row = shown[(NAMES[u], r["id"])]
        assert row[2].startswith(str(r["score"])) and row[2].endswith(r["rating"])
        assert row[3] == f"{r['residual_score']} {r['residual_rating']}"
        assert row[4] == ("–" if r.get("previous_score") is None else str(r["previous_score"]))
    nets = [int(r[3].split()[0]) for r in rows]
    assert nets == sorted(nets, reverse=True)
    moved = [r for _, r in severe if r.get("previous_score") is not None]
    assert moved and all(r["movement"] in ("up", "down", "same") for r in moved)
    pdf = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")  # its column adds up to more: said
    assert "the units' totals above count it once, so this column adds up to more than the group's total" in pdf
    east_fin = next(r for r in docs["east"]["risks"] if r["id"] == "R-FIN-01")
    assert east_fin["previous_score"] is not None and east_fin["residual_score"] < east_fin["score"]


def test_severe_risks_with_no_action_taken_on_are_named(pack: Path, docs) -> None:
    """A risk high or critical after controls whose actions are all recommendations (or none) is listed
    by unit; one with an action open, in progress or done is not."""
    bare = {
        u: [
            r["id"]
            for r in d["risks"]
            if r["movement"] != "closed"
            and r["residual_rating"] in ("high", "critical")
            and not any(a.get("status", "open") in ("open", "in progress", "done") for a in r["actions"])
        ]
        for u, d in docs.items()
    }
    assert any(bare.values()) and "R-FIN-01" not in bare["east"]  # east's receivables risk has open actions
    pdf = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    line = pdf[pdf.index("with no action taken on:") : pdf.index("Risks shared by several units")]
    for u, ids in bare.items():
        if ids:
            assert f"{NAMES[u]} {', '.join(ids)}" in line, (u, ids, line)  # units apart by "; "
        else:
            assert NAMES[u] not in line
    assert "R-FIN-01" not in line.split("East China")[1].split(",")[0]


def test_a_status_the_units_own_rule_set_is_marked_and_explained(pack: Path, docs) -> None:
    """East's revenue growth of about -7 % is past the -5 % amber threshold printed beside it, yet green
    because it sits in East's usual range: its cell carries † and the note says so; a value the printed
    thresholds rate as shown carries none. The status key comes before the table, not alone on a page."""
    rows = {r[0]: r for r in table_after(pack / "group" / "portfolio.html", "KRI", "Amber / red")}
    head = next(tb[0] for tb in tables(pack / "group" / "portfolio.html") if tb and tb[0][:2] == ["KRI", "Amber / red"])
    units = [next(u for u, n in NAMES.items() if n == name) for name in head[2:]]

    def worse(v: float, th: dict, up: bool) -> str:
        past = (lambda a, b: a >= b) if up else (lambda a, b: a <= b)
        return "red" if past(v, th["red"]) else "amber" if past(v, th["amber"]) else "green"

    marked = plain = 0
    for u, d in docs.items():
        for k in d["kris"]:
            if k["status"] == "n/a" or k["value"] is None or not k.get("thresholds"):
                continue
            cell = rows[f"{k['title']} {k['id']}"][2 + units.index(u)]  # the id is there for developers
            if worse(k["value"], k["thresholds"], k["direction"] == "up") != k["status"]:
                assert cell.endswith("†"), (u, k["id"], cell)
                marked += 1
            else:
                assert "†" not in cell, (u, k["id"], cell)
                plain += 1
    assert marked and plain
    summary = pdf_words(pack / "group" / f"group_{PERIOD}_risk_report.pdf")
    line = summary[
        summary.index("Past a threshold but usual for their unit") : summary.index("Risks shared by several")
    ]
    for u, d in docs.items():  # the summary page names each one past a threshold, not only the † further on
        for k in d["kris"]:
            cell = rows[f"{k['title']} {k['id']}"][2 + units.index(u)]
            if cell.endswith("†"):
                assert f"{NAMES[u]} {k['title']} {cell[:-1]}" in line, (u, k["id"], line)
    assert rows["Revenue growth vs previous period revenue_growth"][2 + units.index("east")].endswith("†")
    pdf_path = pack / "group" / f"group_{PERIOD}_risk_report.pdf"
    pdf = pdf_words(pdf_path)
    assert "† the unit's own rule sets this status" in pdf
    section = pdf.index("KRIs across units")
    assert section < pdf.index("Amber / red: the thresholds") < pdf.index("Revenue growth vs previous", section)
    pages = subprocess.run(["pdftotext", str(pdf_path), "-"], check=True, capture_output=True, text=True)
    last = pages.stdout.split("\f")[-2]
    assert len(last.split()) > 40  # the last page holds table rows, not a legend alone


def test_every_risk_the_unit_summary_counts_is_named_in_its_identification(pack: Path, docs) -> None:
    """East's summary counts three risks; one an analyst added in the register and no KRI measures, so the
    identification section names it too (before, it listed two and left the reader to find the third)."""
    live = [r for r in docs["east"]["risks"] if r["movement"] != "closed"]
    added = [r for r in live if r["source"] == "analyst"]
    assert added and len(live) == 3
    pdf = pdf_words(pack / "east" / f"east_{PERIOD}_risk_report.pdf")
    assert f"{len(live)} risks identified" in pdf
    start = pdf.index("Risks present", pdf.index("Key risk indicators"))
    section = pdf[start : pdf.index("Data quality Every row", start)]
    for r in live:
        assert r["id"] in section and r["title"] in section, r["id"]
    assert "Added by analysts in the register (1;" in section


def test_a_run_of_one_unit_keeps_the_groups_scope(pack: Path, company: str, tmp_path: Path) -> None:
    """Re-running East alone re-renders the group over every published unit: its cover and running footer
    still say six units, not the one this run built."""
    import shutil

    from riskbook import cli

    out = tmp_path / "out"
    shutil.copytree(pack.parent, out)
    assert cli.main(["run", "--config", company, "--out", str(out), "--unit", "east", "--force"]) == 0
    words = pdf_words(out / PERIOD / "group" / f"group_{PERIOD}_risk_report.pdf")
    assert f"All business units ({len(demo.UNITS)})" in words and "All business units (1)" not in words


def test_a_units_summary_names_every_kri_past_a_threshold_it_does_not_count(pack: Path, docs) -> None:
    """East's revenue growth of about -7 % is past the -5 % amber line but green (usual for East): the
    summary counts it nowhere, so it names it, with its value and the threshold it is past."""
    rank = {"green": 0, "amber": 1, "red": 2}
    past = []
    for k in docs["east"]["kris"]:
        th = k.get("thresholds") or {}
        if k["status"] == "n/a" or not th:
            continue
        worse = (lambda a, b: a >= b) if k["direction"] == "up" else (lambda a, b: a <= b)
        plain = "red" if worse(k["value"], th["red"]) else "amber" if worse(k["value"], th["amber"]) else "green"
        if rank[plain] > rank[k["status"]]:
            past.append((k["title"], plain, th[plain]))
    assert past
    pdf = pdf_words(pack / "east" / f"east_{PERIOD}_risk_report.pdf")
    line = pdf[pdf.index("Past a threshold but usual for East China") : pdf.index("Top risks")]
    for title, level, limit in past:
        assert title in line and f"({level} {limit:.1f}%)" in line, (title, line)
