"""What a warm kernel runs between notebooks (imported inside the kernel, never by the runner).

``warm()`` pays the imports once, when the kernel starts; ``reset()`` runs before every notebook and puts
the kernel back as ``warm()`` left it: an empty user namespace, no open figure, the same working folder,
environment, ``sys.path``, warning filters and matplotlib settings. Imported modules stay imported — that is
the point — and riskbook keeps no state in its modules between calls.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from typing import Any

_saved: dict[str, Any] = {}


def warm() -> None:
    """Import what every notebook imports and remember the kernel's state as the one to reset to."""
    import matplotlib
    import matplotlib.pyplot  # noqa: F401 — the inline backend is set up on import
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import riskbook
    import riskbook.display.show  # noqa: F401
    import riskbook.stages.pipeline  # noqa: F401

    _saved.update(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        filters=list(warnings.filters),
        rc=matplotlib.rcParams.copy(),
    )


def reset() -> None:
    """Put the kernel back as :func:`warm` left it (call before each notebook)."""
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)  # user namespace, In/Out, _ … cleared
        shell.execution_count = 1  # cell numbers as in a fresh kernel
    plt.close("all")
    if _saved:
        os.chdir(_saved["cwd"])
        os.environ.clear()
        os.environ.update(_saved["environ"])
        sys.path[:] = _saved["path"]
        warnings.filters[:] = _saved["filters"]
        matplotlib.rcParams.update(_saved["rc"])
    gc.collect()
