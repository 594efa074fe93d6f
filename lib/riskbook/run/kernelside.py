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
    """Import what every notebook imports and remember the kernel's state as the one to reset to. pyplot
    is not among them (0.3-0.5 s): only the group's heatmap draws with it, and imports it there."""
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    import riskbook
    import riskbook.display.show  # noqa: F401
    import riskbook.stages.pipeline  # noqa: F401

    _saved.update(cwd=os.getcwd(), environ=dict(os.environ), path=list(sys.path), filters=list(warnings.filters))


def reset() -> None:
    """Put the kernel back as :func:`warm` left it (call before each notebook)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None:
        shell.reset(new_session=False)  # user namespace, In/Out, _ … cleared
        shell.execution_count = 1  # cell numbers as in a fresh kernel
    if "matplotlib" in sys.modules:  # a notebook drew: no figure left open, settings as a fresh kernel's
        import matplotlib

        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        matplotlib.rc_file_defaults()  # the matplotlibrc's (the inline backend adds none); the backend stays
    if _saved:
        os.chdir(_saved["cwd"])
        os.environ.clear()
        os.environ.update(_saved["environ"])
        sys.path[:] = _saved["path"]
        warnings.filters[:] = _saved["filters"]
    gc.collect()
