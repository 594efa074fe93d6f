"""The package's shape: folders in pipeline order, each importing only from the folders before it; the
command line and Dask workers do not import the drawing libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "lib" / "riskbook"
# the pipeline, in order: a module may import from its own folder and the folders before it
ORDER = ["core", "demo", "kris", "risks", "settings", "ingest", "stages", "display", "render", "run", "watch"]
TOP = {"__init__", "cli"}  # the package's interface and the command line sit on top of everything


def folder_of(module: str) -> str:
    """The pipeline folder of ``riskbook.<folder>.…`` (or the top-level module's name)."""
    return module.split(".")[1] if module.count(".") >= 1 else "__init__"


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute riskbook module) of every import in ``path``, in functions too."""
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod == "riskbook":  # from riskbook import core, …: each name is a folder (or __version__)
                out += [(node.lineno, f"riskbook.{a.name}") for a in node.names if a.name != "__version__"]
            elif mod.startswith("riskbook."):
                out.append((node.lineno, mod))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("riskbook.")]
    return out


def test_every_module_lives_in_a_pipeline_folder() -> None:
    loose = [p.name for p in PKG.glob("*.py") if p.stem not in TOP]
    assert loose == [], f"modules outside the pipeline folders: {loose}"
    folders = sorted(p.name for p in PKG.iterdir() if p.is_dir() and any(p.glob("*.py")))
    assert folders == sorted(ORDER)


def test_each_folder_imports_only_from_the_folders_before_it() -> None:
    wrong = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        own = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if own in TOP:
            continue
        for line, mod in imports(path):
            other = folder_of(mod)
            if other in TOP or ORDER.index(other) > ORDER.index(own):
                wrong.append(f"{rel}:{line} imports {mod} ({other} comes after {own})")
    assert wrong == [], "\n".join(wrong)


def test_the_command_line_and_workers_import_no_drawing_library() -> None:
    code = (
        "import sys, riskbook, riskbook.cli, riskbook.run.runner, riskbook.stages.unit; "
        "print(sorted(m for m in ('IPython', 'matplotlib.pyplot', 'seaborn', 'weasyprint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_colours_live_only_in_the_palette() -> None:
    """Every colour of the charts, pages, PDFs, index and workbook comes from riskbook.display.palettes."""
    import re

    hexes = re.compile(r"#[0-9a-fA-F]{6}\b")
    stray = [
        f"{p.relative_to(PKG)}: {m}"
        for p in sorted([*PKG.rglob("*.py"), *PKG.rglob("*.css"), *PKG.rglob("*.html")])
        if p.name != "palettes.py"
        for m in hexes.findall(p.read_text(encoding="utf-8"))
    ]
    assert stray == []


def test_the_display_layers_take_their_chinese_from_the_translations() -> None:
    """Stages, report, render and the runner hold no Chinese text of their own: core.i18n has it (and
    each KRI, risk and check definition carries its own title in both languages)."""
    import re

    han = re.compile(r"[\u4e00-\u9fff]")
    stray = [
        f"{p.relative_to(PKG)}:{n}"
        for folder in ("stages", "display", "render", "run", "watch")
        for p in sorted((PKG / folder).rglob("*"))
        if p.suffix in (".py", ".html", ".css") and p.name != "scaffold.py"  # scaffold: an example to copy
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if han.search(line)
    ]
    assert stray == []


def _module(path: Path) -> str:
    rel = path.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_loop_anywhere() -> None:
    """No chain of imports — at the top of a module or inside a function — leads back to where it started,
    within a folder as between folders (a loop hidden by imports inside functions still makes a module
    impossible to read or test on its own)."""
    modules = {_module(p): p for p in PKG.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for _, mod in imports(path):
            while mod not in modules and "." in mod:  # from riskbook.x import name: the module riskbook.x
                mod = mod.rsplit(".", 1)[0]
            if mod in modules and mod != name and not name.startswith(mod + ".") and mod != "riskbook":
                targets.add(mod)  # a module's own package __init__ re-exports it: not a loop of code
        graph[name] = targets
    loops: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loops.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert loops == [], "\n".join(" → ".join(x) for x in loops)


MODULE_LINES, FUNCTION_LINES = 400, 60  # rooms a newcomer reads whole; functions that fit on a screen


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    big, long = [], []
    for path in sorted(PKG.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(PKG.parent)
        if text.count("\n") > MODULE_LINES:
            big.append(f"{rel}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > FUNCTION_LINES:
                    long.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    assert big == [], f"modules over {MODULE_LINES} lines: {big}"
    assert long == [], f"functions over {FUNCTION_LINES} lines: {long}"
