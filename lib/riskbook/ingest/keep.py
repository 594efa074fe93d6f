"""``keep:`` — which rows of a source to keep, in a small expression language that cannot run code.

A filter is the column names of the file (a name that is not a Python word in backticks: `` `Order
Status` ``), literals (text in quotes, numbers, True, False, None), comparisons (``==  !=  <  <=  >
>=``, ``in``/``not in`` a list of literals), and ``and``/``or``/``not`` with parentheses. Nothing else
parses: no attribute, call, subscript, ``@`` variable or arithmetic — so a settings file passed around by
e-mail cannot make ``riskbook validate`` run a command (pandas' own ``query`` evaluates Python).
"""

from __future__ import annotations

import ast
import re
from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.errors import ParamError

_BACKTICK = re.compile(r"`([^`]*)`")
_OPS = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
ALLOWED = "column names, literals, == != < <= > >=, in [...], and/or/not"


class _Refused(Exception):
    """The expression uses something the language does not have."""


def _parse(expr: str) -> tuple[ast.expr, dict[str, str]]:
    """The expression's tree, with each backticked name replaced by a placeholder word (→ the name)."""
    names: dict[str, str] = {}

    def word(m: re.Match[str]) -> str:
        key = f"__col{len(names)}__"
        names[key] = m.group(1)
        return key

    try:
        tree = ast.parse(_BACKTICK.sub(word, expr).strip(), mode="eval")
    except SyntaxError as exc:
        raise _Refused(f"not a filter ({exc.msg})") from None
    return tree.body, names


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float, bool, type(None))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v = _literal(node.operand)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return -v
    raise _Refused(f"'{ast.unparse(node)}' is not allowed: a filter has {ALLOWED}")


def _operand(node: ast.expr, df: pd.DataFrame, names: dict[str, str]) -> tuple[str, Any]:
    """('column', the series) or ('value', a literal)."""
    if isinstance(node, ast.Name):
        col = names.get(node.id, node.id)
        if col not in df.columns:
            raise _Refused(f"'{col}' is not a column of the file (columns: {', '.join(map(str, df.columns))})")
        return "column", df[col]
    return "value", _literal(node)


def _compare(op: ast.cmpop, left: tuple[str, Any], right: tuple[str, Any], node: ast.expr) -> pd.Series:
    if isinstance(op, (ast.In, ast.NotIn)):
        raise _Refused("'in' takes a list of literals: status in ['won', 'lost']")
    (lk, lv), (rk, rv) = left, right
    if lk == "value" and rk == "value":
        raise _Refused(f"'{ast.unparse(node)}' compares no column")
    if lk == "value":  # 5 < amount → amount > 5
        flipped = {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}
        return _compare(flipped.get(type(op), op), right, left, node)
    if rk == "value":
        if rv is None:
            if isinstance(op, (ast.Eq, ast.NotEq)):
                empty = lv.isna() | (lv.astype("string").str.strip() == "")
                return empty if isinstance(op, ast.Eq) else ~empty
            raise _Refused("None compares with == or != only")
        if isinstance(rv, (int, float)) and not isinstance(rv, bool) and not pd.api.types.is_numeric_dtype(lv):
            lv = pd.to_numeric(lv, errors="coerce")  # numbers read as text: compare as numbers
        elif isinstance(rv, str) and not pd.api.types.is_string_dtype(lv) and lv.dtype != object:
            lv = lv.astype("string")
    with np.errstate(invalid="ignore"):
        try:
            out = _OPS[type(op)](lv, rv)
        except TypeError as exc:
            raise _Refused(f"'{ast.unparse(node)}' compares values of different kinds ({exc})") from None
    return pd.Series(out, index=lv.index).fillna(False).astype(bool)


def _mask(node: ast.expr, df: pd.DataFrame, names: dict[str, str]) -> pd.Series:
    if isinstance(node, ast.BoolOp):
        parts = [_mask(v, df, names) for v in node.values]
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if isinstance(node.op, ast.And) else (out | p)
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ~_mask(node.operand, df, names)
    if isinstance(node, ast.Compare):
        out = pd.Series(True, index=df.index)
        left = node.left
        for op, right in zip(node.ops, node.comparators):
            if isinstance(op, (ast.In, ast.NotIn)):
                kind, col = _operand(left, df, names)
                if kind != "column" or not isinstance(right, (ast.List, ast.Tuple, ast.Set)):
                    raise _Refused("'in' takes a column and a list of literals: status in ['won', 'lost']")
                values = [_literal(e) for e in right.elts]
                texts = col.astype("string").str.strip()
                hit = col.isin(values) | texts.isin([str(v) for v in values])
                out &= ~hit.fillna(False) if isinstance(op, ast.NotIn) else hit.fillna(False)
            elif type(op) in _OPS:
                out &= _compare(op, _operand(left, df, names), _operand(right, df, names), node)
            else:
                raise _Refused(f"'{ast.unparse(node)}': use ==, !=, <, <=, >, >=, in or not in")
            left = right
        return out
    if isinstance(node, ast.Name):  # a yes/no column on its own
        kind, col = _operand(node, df, names)
        return col.astype("string").str.strip().str.lower().isin(["true", "1", "yes", "y"]).fillna(False)
    raise _Refused(f"'{ast.unparse(node)}' is not allowed ({ALLOWED})")


def keep_rows(df: pd.DataFrame, expr: str, where: str) -> pd.DataFrame:
    """The rows of ``df`` that ``expr`` keeps; ParamError (one line naming ``where``) when it is not a filter."""
    try:
        if not isinstance(expr, str) or len(expr) > 2000:
            raise _Refused("a filter is one line of text of at most 2,000 characters")
        tree, names = _parse(expr)
        mask = _mask(tree, df, names)
    except _Refused as exc:
        raise ParamError(f"{where}: {str(expr)[:80]!r}: {exc}") from None
    except RecursionError:
        raise ParamError(f"{where}: the filter is nested too deeply") from None
    return df[mask.to_numpy()]
