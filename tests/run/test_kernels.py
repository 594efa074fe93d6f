"""Warm kernels (riskbook.run.kernels): one kernel serves a worker's notebooks, and none of them sees
another's names, working folder, environment or figures; a notebook that fails or kills its kernel fails
alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts kernels: make test runs them, make test-fast does not
# papermill, nbformat and jupyter_client are imported by the tests, not at collection (1.5 s of make test-fast)


def execute(*args: object) -> tuple[str, float, str | None]:
    from riskbook.run.tasks import execute as run

    return run(*args)


def notebook(path: Path, *cells: str) -> str:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return str(path)


def printed(path: str) -> dict:
    """The JSON the notebook's last cell printed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    return json.loads(text)


REPORT = (
    "import json, os, sys, warnings\n"
    "import matplotlib.pyplot as plt\n"
    "print(json.dumps({'pid': os.getpid(), 'names': sorted(n for n in globals() if not n.startswith('_')),\n"
    "  'cwd': os.getcwd(), 'env': os.environ.get('RB_LEAK'), 'figures': len(plt.get_fignums()),\n"
    "  'path': sys.path[0], 'dpi': plt.rcParams['figure.dpi'], 'filters': len(warnings.filters)}))"
)


@pytest.fixture
def warm(monkeypatch):
    from riskbook.run import kernels

    monkeypatch.setenv("RISKBOOK_WARM_KERNELS", "1")
    kernels.release()
    yield
    kernels.release()


def test_a_notebook_sees_nothing_of_the_one_before(tmp_path: Path, warm) -> None:
    import nbformat

    first = notebook(tmp_path / "a.ipynb", REPORT)
    leaky = notebook(
        tmp_path / "b.ipynb",
        "leak = 1\nimport os, sys, warnings\nimport matplotlib.pyplot as plt\n"
        "os.chdir('/tmp'); os.environ['RB_LEAK'] = 'yes'; sys.path.insert(0, '/nowhere')\n"
        "warnings.simplefilter('ignore'); plt.rcParams['figure.dpi'] = 13; plt.figure()",
        REPORT,
    )
    after = notebook(tmp_path / "c.ipynb", REPORT)
    for nb in (first, leaky, after):
        assert execute(nb, nb.replace(".ipynb", ".out.ipynb"), {})[0] == "ok"
    a, b, c = (printed(nb.replace(".ipynb", ".out.ipynb")) for nb in (first, leaky, after))
    assert a["pid"] == b["pid"] == c["pid"]  # one kernel for the three: start-up and imports paid once
    assert "leak" in b["names"] and b["env"] == "yes" and b["dpi"] == 13 and b["cwd"] == "/tmp"
    assert "leak" not in c["names"] and c["names"] == a["names"]
    counts = [c.execution_count for c in nbformat.read(after.replace(".ipynb", ".out.ipynb"), as_version=4).cells]
    assert counts == [1]  # numbered as in a fresh kernel
    assert (c["cwd"], c["env"], c["figures"], c["path"], c["dpi"], c["filters"]) == (
        a["cwd"],
        None,
        0,
        a["path"],
        a["dpi"],
        a["filters"],
    )


def test_a_failing_notebook_leaves_the_kernel_to_the_next(tmp_path: Path, warm) -> None:
    bad = notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('boom')", "y = 2")
    status, _, error = execute(bad, str(tmp_path / "bad.out.ipynb"), {})
    assert status == "failed" and "ValueError: boom" in error and "\n" not in error
    good = notebook(tmp_path / "good.ipynb", REPORT)
    assert execute(good, str(tmp_path / "good.out.ipynb"), {})[0] == "ok"
    assert "x" not in printed(str(tmp_path / "good.out.ipynb"))["names"]


def test_a_killed_kernel_fails_its_notebook_only(tmp_path: Path, warm) -> None:
    before = notebook(tmp_path / "before.ipynb", REPORT)
    assert execute(before, str(tmp_path / "before.out.ipynb"), {})[0] == "ok"
    killer = notebook(
        tmp_path / "kill.ipynb", "x = 41 + 1\nx", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    )
    status, _, error = execute(killer, str(tmp_path / "kill.out.ipynb"), {})
    assert status == "failed" and "died" in error.lower() and "\n" not in error
    import nbformat  # the notebook as far as it ran is kept (papermill saves it seldom while it runs)

    ran = nbformat.read(str(tmp_path / "kill.out.ipynb"), as_version=4).cells
    assert ran[0].outputs[0]["data"]["text/plain"] == "42"
    assert ran[1].metadata.papermill["start_time"]  # the cell it died in
    after = notebook(tmp_path / "after.ipynb", REPORT)
    assert execute(after, str(tmp_path / "after.out.ipynb"), {})[0] == "ok"
    old, new = printed(str(tmp_path / "before.out.ipynb")), printed(str(tmp_path / "after.out.ipynb"))
    assert new["pid"] != old["pid"]  # a new kernel, started for the next notebook


def test_a_worker_starts_its_kernel_before_its_first_notebook(tmp_path: Path, warm) -> None:
    """prewarm (a worker's first task) boots the kernel; the first notebook runs on it as warm() left it,
    without a reset, and matplotlib is imported only by a notebook that draws."""
    from riskbook.run.tasks import prewarm

    prewarm()
    probe = "import json, os, sys\nprint(json.dumps({'pid': os.getpid(), 'mpl': 'matplotlib' in sys.modules}))"
    first = notebook(tmp_path / "first.ipynb", probe)
    assert execute(first, first.replace(".ipynb", ".out.ipynb"), {})[0] == "ok"
    from riskbook.run import kernels

    k = kernels.current()
    assert k is not None and not k.fresh
    assert printed(first.replace(".ipynb", ".out.ipynb")) == {"pid": k.km.provisioner.pid, "mpl": False}


def test_a_kernel_past_its_memory_ceiling_is_replaced(tmp_path: Path, warm, monkeypatch) -> None:
    """RISKBOOK_KERNEL_MAX_MIB=1: every kernel is over it after its notebook, so each notebook gets a new one."""
    monkeypatch.setenv("RISKBOOK_KERNEL_MAX_MIB", "1")
    pids = []
    for name in ("one", "two"):
        nb = notebook(tmp_path / f"{name}.ipynb", REPORT)
        assert execute(nb, nb.replace(".ipynb", ".out.ipynb"), {})[0] == "ok"
        pids.append(printed(nb.replace(".ipynb", ".out.ipynb"))["pid"])
    assert pids[0] != pids[1]
