"""Hostile or broken settings, files, workbooks and arguments, each refused with one line naming the file
(and key, row or column) and a non-zero exit: nothing executed (the sentinel file never appears), nothing
written outside the outputs folder and the cache, the earlier report byte-identical, no case hanging."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from riskbook import cli
from tests.attacks.corpus import TRIED, bounded, company, snapshot


@dataclass
class Case:
    id: str
    setup: Callable[[Path, Path, Path], list[str]]  # (root, company.yaml, sentinel) → the command's arguments
    says: str  # what the one line says
    code: int = 2


def _edit(cfg: Path, **changes: object) -> None:
    doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    doc.update(changes)
    cfg.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _run(cfg: Path, root: Path, *extra: str) -> list[str]:
    return ["run", "--config", str(cfg), "--out", str(root / "outputs"), *extra]


def _validate(cfg: Path) -> list[str]:
    return ["validate", "--config", str(cfg)]


def _mapped(cfg: Path, keep: str) -> None:
    """The company's orders read through a sources: mapping with ``keep``."""
    data = cfg.parent / "data"
    sources = {name: {"file": f"data/{name}.csv"} for name in ("orders", "customers", "reps", "invoices")}
    sources["orders"]["keep"] = keep
    doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    doc.pop("data")
    doc["sources"] = sources
    cfg.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert data.is_dir()


def keep_case(expr: str) -> Callable[[Path, Path, Path], list[str]]:
    def setup(root: Path, cfg: Path, sentinel: Path) -> list[str]:
        _mapped(cfg, expr.replace("SENTINEL", str(sentinel)))
        return _validate(cfg)

    return setup


def settings_case(text: str, file: str = "company.yaml") -> Callable[[Path, Path, Path], list[str]]:
    def setup(root: Path, cfg: Path, sentinel: Path) -> list[str]:
        target = cfg.parent / file
        kept = target.read_text(encoding="utf-8") if file == "company.yaml" else ""  # a register: this text alone
        target.write_text(kept + text, encoding="utf-8")
        return _run(cfg, root)

    return setup


def _gbk(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    cfg.write_bytes(cfg.read_text(encoding="utf-8").replace("Attack Test Co", "华东测试公司").encode("gbk"))
    return _run(cfg, root)


def _bomb(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    lines = ["_a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"_{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    _append(cfg, "\n".join(lines) + "\n")
    return _run(cfg, root)


def _huge_settings(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    _append(cfg, "_padding: " + "x" * (3 << 20) + "\n")
    return _run(cfg, root)


def _fifo(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    (cfg.parent / "units" / "u.yaml").unlink()
    os.mkfifo(cfg.parent / "units" / "u.yaml")
    return _run(cfg, root)


def _fifo_data(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    (cfg.parent / "data" / "orders.csv").unlink()
    os.mkfifo(cfg.parent / "data" / "orders.csv")
    return _run(cfg, root)


def _sparse(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    with open(cfg.parent / "data" / "orders.csv", "r+b") as f:
        f.truncate(2 << 30)  # 2 GiB, nearly all of it a hole of NUL bytes
    return _run(cfg, root)


def _padded(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    """A real orders file, its text longer than the first block read, then 2 GiB of NUL bytes (a disk image
    or a file the export tool preallocated): read as CSV it was one row of two billion characters."""
    path = cfg.parent / "data" / "orders.csv"
    header, *rows = path.read_text(encoding="utf-8").splitlines()
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join([header, *rows * (1 + (1 << 17) // max(len("".join(rows)), 1))]) + "\n")
    with open(path, "r+b") as f:
        f.truncate(2 << 30)
    return _run(cfg, root)


def _too_big_for_memory(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, Path, Path], list[str]]:
    def setup(root: Path, cfg: Path, sentinel: Path) -> list[str]:
        from riskbook.core import guard

        monkeypatch.setattr(guard, "available_memory", lambda: 2048)  # a machine with 2 KiB free
        return _run(cfg, root)

    return setup


def _xlsx_orders(cfg: Path, sheet_xml: bytes | None = None, sizes: int | None = None) -> None:
    """orders as an .xlsx through a sources: mapping; its sheet XML replaced by ``sheet_xml``, or its
    declared uncompressed sizes patched to ``sizes`` (a zip bomb's header)."""
    import pandas as pd

    data = cfg.parent / "data"
    book = data / "orders.xlsx"
    pd.read_csv(data / "orders.csv", dtype=str).to_excel(book, index=False)
    if sheet_xml is not None:
        with zipfile.ZipFile(book) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["xl/worksheets/sheet1.xml"] = sheet_xml
        with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
            for n, b in parts.items():
                z.writestr(n, b)
    if sizes is not None:
        raw = bytearray(book.read_bytes())
        for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local headers, central directory
            i = raw.find(sig)
            while i >= 0:
                raw[i + off : i + off + 4] = sizes.to_bytes(4, "little")
                i = raw.find(sig, i + 4)
        book.write_bytes(bytes(raw))
    doc = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    doc.pop("data")
    doc["sources"] = {
        "orders": {"file": "data/orders.xlsx"},
        **{n: {"file": f"data/{n}.csv"} for n in ("customers", "reps", "invoices")},
    }
    cfg.write_text(yaml.safe_dump(doc), encoding="utf-8")


def _xfd(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr">'
        b'<is><t>order_id</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
        b"</worksheet>"
    )
    _xlsx_orders(cfg, sheet_xml=sheet)
    return _validate(cfg)


def _zip_bomb(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    _xlsx_orders(cfg, sizes=0xFFFFFFF0)
    return _validate(cfg)


def _register_book(root: Path, unit: object = "u", name: str = "u_2026Q3_risk_register.xlsx", both: bool = False):
    """A minimal register workbook whose About sheet names ``unit``, with one analyst-owned risk."""
    from openpyxl import Workbook

    wb = Workbook()
    about = wb.active
    about.title = "About"
    about.append(["Business unit", unit])
    reg = wb.create_sheet("Register")
    reg.append(["ID", "Source", "Response", "Owner", "Override likelihood", "Override impact", "Override reason"])
    reg.append(["R-FIN-01", "kri", "mitigate", "Wang Fang", None, None, None])
    if both:
        zh = wb.create_sheet("风险登记册")
        zh.append(["编号", "来源", "应对策略", "负责人", "调整后可能性", "调整后影响", "调整原因"])
        zh.append(["R-FIN-01", "kri", "accept", "Li Lei", None, None, None])
    wb.create_sheet("Actions").append(["Risk", "Action", "Owner", "Due", "Status"])
    wb.create_sheet("Controls").append(["Risk", "Control", "Reduces likelihood by", "Reduces impact by"])
    path = root / "inbox" / name
    path.parent.mkdir(exist_ok=True)
    wb.save(path)
    return path


def import_case(unit: object, **kw: object) -> Callable[[Path, Path, Path], list[str]]:
    def setup(root: Path, cfg: Path, sentinel: Path) -> list[str]:
        book = _register_book(root, unit if unit != "SENTINEL" else str(sentinel), **kw)
        return ["register", "import", str(book), "--config", str(cfg)]

    return setup


def _linked_register(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    target = cfg.parent / "register" / "u.yaml"
    target.unlink()
    target.symlink_to(root / "outside" / "stolen.yaml")
    (root / "outside" / "stolen.yaml").write_text("risks: {}\n")
    book = _register_book(root)
    return ["register", "import", str(book), "--config", str(cfg)]


def _init_link_out(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    folder = root / "newco"
    folder.mkdir()
    (root / "outside" / "notes.md").write_text("mine\n")
    (folder / "README.md").symlink_to(root / "outside" / "notes.md")
    return ["init", str(folder), "--data", str(cfg.parent / "data")]


def _init_units_link(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    folder = root / "newco"
    folder.mkdir()
    (folder / "units").symlink_to(root / "outside")
    return ["init", str(folder), "--data", str(cfg.parent / "data")]


def _init_dangling(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    folder = root / "newco"
    (folder / "units").mkdir(parents=True)
    (folder / "units" / "u.yaml").symlink_to(root / "outside" / "created.yaml")  # dangling
    (folder / "README.md").symlink_to(root / "outside" / "readme-created.md")  # dangling, out
    return ["init", str(folder), "--data", str(cfg.parent / "data")]


def _locked(root: Path, cfg: Path, sentinel: Path) -> list[str]:
    import fcntl
    import json

    out = root / "outputs"
    fd = os.open(out / ".riskbook.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.pwrite(fd, json.dumps({"pid": 4242, "started": "2026-12-07 09:00:00", "command": "riskbook run"}).encode(), 0)
    _LOCKS.append(fd)  # held by "another run" until the case ends
    return _run(cfg, root)


_LOCKS: list[int] = []


def _currency(root: Path, cfg: Path) -> list[str]:
    _edit(cfg, currency='<link rel="attachment" href="file:///etc/passwd">')
    return _run(cfg, root)


CASES = [
    # code from settings
    Case("keep-os-system", keep_case("@pd.io.common.os.system('touch SENTINEL') == 0"), "sources.orders.keep"),
    Case("keep-import", keep_case("__import__('os').system('touch SENTINEL') == 0"), "is not allowed"),
    Case("keep-attribute", keep_case("status.__class__ == 1"), "is not allowed"),
    Case("keep-call", keep_case("open('SENTINEL', 'w') == 1"), "is not allowed"),
    Case("keep-lambda", keep_case("(lambda: 1)() == 1"), "is not allowed"),
    Case("keep-subscript", keep_case("status[0] == 'c'"), "is not allowed"),
    # values that would become markup, or settings that lie
    Case("currency-markup", lambda root, cfg, s: _currency(root, cfg), "currency: must be a currency code or symbol"),
    Case("duplicate-currency", settings_case("currency: EUR\n"), "key 'currency' is given twice"),
    Case(
        "duplicate-threshold",
        settings_case("kri:\n  dso: {amber: 45, red: 60}\n  dso: {amber: 45, red: 600}\n"),
        "key 'dso' is given twice",
    ),
    Case("nan-threshold", settings_case("kri:\n  dso: {amber: .nan, red: 60}\n"), "kri.dso.amber: must be a finite"),
    Case("inf-threshold", settings_case("kri:\n  dso: {amber: 45, red: .inf}\n"), "kri.dso.red: must be a finite"),
    Case("added-not-a-list", settings_case("added: 5\n", "register/u.yaml"), "added: must be a list"),
    Case(
        "reduces-a-lot",
        settings_case(
            "risks:\n  R-FIN-01:\n    controls:\n    - {name: Insurance, reduces: {impact: a lot}}\n", "register/u.yaml"
        ),
        "reduces.impact: must be a whole number from 0 to 4",
    ),
    Case(
        "exposure-lots",
        settings_case(
            "added:\n- {id: R-X-1, title: Fraud, family: compliance, likelihood: 2, impact: 3, exposure: lots}\n",
            "register/u.yaml",
        ),
        "added[0].exposure: must be a number",
    ),
    Case(
        "owner-a-list",
        settings_case("risks:\n  R-FIN-01: {owner: [a, b]}\n", "register/u.yaml"),
        "risks.R-FIN-01.owner: must be text",
    ),
    Case(
        "added-id-markup",
        settings_case(
            "added:\n- {id: '<script>x</script>', title: T, family: compliance, likelihood: 2, impact: 3}\n",
            "register/u.yaml",
        ),
        "added[0].id: must be letters, digits",
    ),
    Case(
        "added-unknown-kri",
        settings_case(
            "added:\n- {id: R-X-2, title: T, family: market, likelihood: 2, impact: 3, kris: [dsoo]}\n",
            "register/u.yaml",
        ),
        "'dsoo' is not a KRI — did you mean 'dso'?",
    ),
    Case(
        "owner-with-escape",
        settings_case('risks:\n  R-FIN-01: {owner: "Wang\\e[31m"}\n', "register/u.yaml"),
        "risks.R-FIN-01.owner: holds a control character ('\\x1b' at character 5)",
    ),
    Case("data-a-list", lambda root, cfg, s: (_edit(cfg, data=[1]), _run(cfg, root))[1], "data: must be a folder"),
    Case("gbk-company-file", _gbk, "not UTF-8 (it reads as GBK/GB18030)"),
    Case("alias-bomb", _bomb, "aliases expand to more than"),
    Case("settings-too-large", _huge_settings, "too large for a settings file"),
    Case("settings-a-fifo", _fifo, "units/u.yaml: not a regular file"),
    # files
    Case("orders-a-fifo", _fifo_data, "orders.csv: is not a regular file (a pipe)"),
    Case("orders-sparse-2gib", _sparse, "orders.csv: is not a text file"),
    Case("orders-text-then-2gib-of-nul", _padded, "NUL bytes in 65,536 bytes from byte"),
    Case("sheet-at-xfd1048576", _xfd, "declares 17,179,869,184 cells"),
    Case("xlsx-zip-bomb", _zip_bomb, "unpacks to"),
    # workbooks coming back from analysts
    Case("import-unit-traversal", import_case("../../x"), "is not a unit id"),
    Case("import-unit-absolute", import_case("SENTINEL"), "is not a unit id"),
    Case("import-unit-reserved", import_case("group"), "is not a unit id"),
    Case("import-unit-not-the-company-s", import_case("west"), "'west' is not a unit of the company"),
    Case("import-two-register-sheets", import_case("u", both=True), "Register and 风险登记册 are the same sheet"),
    Case("import-through-a-link-out", _linked_register, "a link out of the folder"),
    # scaffolding a company folder
    Case("init-readme-links-out", _init_link_out, "README.md: outside"),
    Case("init-units-folder-links-out", _init_units_link, "outside"),
    Case("init-dangling-links-out", _init_dangling, "README.md: outside"),
    # arguments and concurrency
    Case("scheduler-inproc", lambda root, cfg, s: _run(cfg, root, "--scheduler", "inproc://"), "--scheduler inproc://"),
    Case("cell-timeout-zero", lambda root, cfg, s: _run(cfg, root, "--cell-timeout", "0"), "--cell-timeout must be"),
    Case("a-second-run-at-once", _locked, "another riskbook run is writing there (pid 4242"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_refused_with_one_line(case: Case, tmp_path: Path, capsys, monkeypatch) -> None:
    TRIED.append(case.id)
    cfg = company(tmp_path)
    sentinel = tmp_path / "outside" / "sentinel"
    with bounded(120):
        argv = case.setup(tmp_path, cfg, sentinel)
        before = snapshot(tmp_path, skip=("outputs",))
        earlier = snapshot(tmp_path / "outputs")
        try:
            code = cli.main(argv)
        finally:
            while _LOCKS:
                os.close(_LOCKS.pop())
    err = capsys.readouterr().err.strip()
    assert code == case.code, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("riskbook: error: ") and "Traceback" not in err, err
    assert case.says in err, err
    assert not sentinel.exists(), "a command from the input ran"
    assert snapshot(tmp_path, skip=("outputs",)) == before, "a file was written outside the outputs folder"
    after = snapshot(tmp_path / "outputs")
    assert {k: v for k, v in after.items() if not k.endswith(".riskbook.lock")} == {
        k: v for k, v in earlier.items() if not k.endswith(".riskbook.lock")
    }, "the outputs changed"


def test_the_data_that_does_not_fit_memory_is_refused_before_reading(tmp_path: Path, capsys, monkeypatch) -> None:
    TRIED.append("file-larger-than-memory")
    cfg = company(tmp_path)
    with bounded(60):
        code = cli.main(_too_big_for_memory(monkeypatch)(tmp_path, cfg, tmp_path / "s"))
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "orders.csv" in err and "of memory to read, and this machine has 0 GiB free" in err


def test_a_workbook_file_name_cannot_write_yaml_into_the_register(tmp_path: Path, capsys) -> None:
    """A newline in the workbook's file name ends up in the register's header comment: shown as '?', so no
    line of the name becomes live YAML (an added risk)."""
    TRIED.append("import-file-name-newline")
    cfg = company(tmp_path)
    name = "u_2026Q3_risk_register.xlsx\nadded:\n- {id: R-EVIL-1, title: x, family: market}\n#.xlsx"
    book = _register_book(tmp_path, name=name)
    with bounded(60):
        assert cli.main(["register", "import", str(book), "--config", str(cfg)]) == 0
    text = (cfg.parent / "register" / "u.yaml").read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    assert "added" not in doc and doc["risks"]["R-FIN-01"]["owner"] == "Wang Fang"
    assert text.splitlines()[0].startswith(
        "# Analysts' register of u; imported from u_2026Q3_risk_register.xlsx?added:"
    )
    assert "R-EVIL-1" not in "".join(text.splitlines()[1:])


def test_the_report_code_joins_no_value_into_html_by_hand() -> None:
    """Every HTML fragment of the notebooks' display code is a fixed template with its values escaped into
    it (show.h, markupsafe): no f-string builds markup, so no value can become markup by a forgotten
    escape."""
    import re

    from riskbook.display import show

    TRIED.append("no-hand-joined-html")
    pages = ("show", "html", "identification", "assessment", "monitoring", "summary", "group", "quality")
    folder = Path(show.__file__).parent
    for name in pages:
        source = (folder / f"{name}.py").read_text(encoding="utf-8")
        by_hand = re.findall(r"""\bf(["'])[^"'\n]*<[a-z/][^"'\n]*\1""", source)
        assert by_hand == [], (name, by_hand)
    assert show.h("<b>{}</b>", '<img src=x onerror="1">') == "<b>&lt;img src=x onerror=&#34;1&#34;&gt;</b>"
