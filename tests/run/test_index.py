"""The period's index: links to the same company's previous and next period where their packs are
published beside it, and the notebooks kept apart under "Analysis files"."""

from __future__ import annotations

import json
from pathlib import Path

from riskbook.core.periods import Period
from riskbook.render.index import write_index


def manifest(out: Path, period: str) -> Path:
    folder = out / period
    folder.mkdir(parents=True)
    doc = {
        "riskbook": "x",
        "created": "2026-12-07T00:00:00+00:00",
        "period": period,
        "lang": "en",
        "units": [],
        "seconds": 1.0,
        "names": {},
        "tasks": [],
        "failed": {},
    }
    (folder / "manifest.json").write_text(json.dumps(doc), encoding="utf-8")
    return folder


def test_the_index_links_the_neighbouring_periods_and_keeps_notebooks_apart(tmp_path: Path) -> None:
    q2, q3, sep = manifest(tmp_path, "2026Q2"), manifest(tmp_path, "2026Q3"), manifest(tmp_path, "2026-09")
    write_index(q2)
    write_index(sep)
    page = write_index(q3, Period.parse("2026Q3")).read_text(encoding="utf-8")
    assert '<a href="../2026Q2/index.html">← 2026Q2</a>' in page and "2026Q4" not in page  # no Q4 pack yet
    assert "../2026-09/index.html" not in page  # a month is another kind of period
    write_index(q2)
    assert '<a href="../2026Q3/index.html">2026Q3 →</a>' in (q2 / "index.html").read_text(encoding="utf-8")
    assert "<details><summary><small>Analysis files" in page
