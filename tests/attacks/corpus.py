"""The attack and fault corpus's shared pieces: a small company folder to attack, the outcome every case
asserts (nothing executed, nothing written outside, earlier reports intact, one line), and the count
``make test`` prints."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.conftest import TINY, write_tables

TRIED: list[str] = []  # every case run, for the count printed at the end of make test

EARLIER_PDF = b"%PDF-1.7 an earlier, good report\n%%EOF\n"


def company(root: Path, **settings: object) -> Path:
    """A company folder under ``root``: company.yaml (its data in data/), units/u.yaml, register/u.yaml, and
    an outputs folder holding an earlier good report. Returns company.yaml."""
    folder = root / "company"
    write_tables(folder / "data", TINY)
    doc = {"company": "Attack Test Co", "currency": "CNY", "lang": "en", "data": "data", **settings}
    (folder / "company.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (folder / "units").mkdir()
    (folder / "units" / "u.yaml").write_text("name: {en: Unit U, zh: U 单元}\n", encoding="utf-8")
    (folder / "register").mkdir()
    (folder / "register" / "u.yaml").write_text("risks: {}\n", encoding="utf-8")
    earlier = root / "outputs" / "2026Q3" / "u"
    earlier.mkdir(parents=True)
    (earlier / "u_2026Q3_risk_report.pdf").write_bytes(EARLIER_PDF)
    (root / "outside").mkdir()
    return folder / "company.yaml"


def snapshot(root: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file and link under ``root`` (its bytes, or where a link points), but those under ``skip``. A
    file over 64 MiB (a case's huge sparse file) stands by its size and modification time."""
    out: dict[str, bytes] = {}
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root).as_posix()
        if rel.split("/")[0] in skip:
            continue
        if p.is_symlink():
            out[rel] = b"-> " + str(p.readlink()).encode()
        elif p.is_file():
            st = p.stat()
            out[rel] = p.read_bytes() if st.st_size <= 64 << 20 else f"{st.st_size} {st.st_mtime_ns}".encode()
    return out


@contextmanager
def bounded(seconds: float) -> Iterator[None]:
    """Fail the case (TimeoutError) when its block runs longer than ``seconds``: no case may hang."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the case did not end within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
