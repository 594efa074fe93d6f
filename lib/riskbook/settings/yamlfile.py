"""Reading a settings file as the hostile input it may be: one line naming the file (and key or line) for a
file that is too large, not UTF-8, not YAML, has a key twice, expands aliases beyond reason, or holds a
number that is not finite — never a bare traceback, never the last duplicate quietly winning."""

from __future__ import annotations

import math
import stat
from pathlib import Path
from typing import Any

import yaml

from riskbook.core.errors import ParamError

MAX_BYTES = 1 << 20  # 1 MiB: a company file is a few kilobytes
MAX_NODES = 200_000  # values once every alias is expanded (a "billion laughs" file is refused, not expanded)


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a plain value", key_node.start_mark
                ) from None
            if key in seen:
                raise _Duplicate(key, seen[key], key_node.start_mark.line + 1)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


class _Duplicate(Exception):
    def __init__(self, key: Any, first: int, again: int) -> None:
        super().__init__(key, first, again)
        self.key, self.first, self.again = key, first, again


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for with every alias expanded (aliases share nodes: memoised)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a node that contains itself (a recursive alias) counts once, not forever
    if isinstance(node, yaml.SequenceNode):
        n = 1 + sum(_expanded_size(x, memo) for x in node.value)
    elif isinstance(node, yaml.MappingNode):
        n = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        n = 1
    memo[id(node)] = min(n, MAX_NODES + 1)
    return memo[id(node)]


def _not_finite(value: Any, where: str = "") -> str | None:
    """The key path of the first NaN or infinite number in ``value``, else None."""
    if isinstance(value, float) and not math.isfinite(value):
        return where or "(top level)"
    if isinstance(value, dict):
        for k, v in value.items():
            found = _not_finite(v, f"{where}.{k}" if where else str(k))
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _not_finite(v, f"{where}[{i}]")
            if found:
                return found
    return None


def _decode(path: Path, raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = ""
        for enc in ("gb18030", "big5", "shift_jis", "cp1252"):
            try:
                raw.decode(enc)
            except UnicodeDecodeError:
                continue
            guess = f" (it reads as {enc.upper().replace('GB18030', 'GBK/GB18030')})"
            break
        raise ParamError(
            f"{path}, line {line}: not UTF-8{guess}; save it as UTF-8 (in a text editor: Save as… → encoding UTF-8)"
        ) from None


def read_settings(path: Path) -> Any:
    """The YAML document in ``path`` (None when empty); ParamError with one line for any reason it is not a
    settings file riskbook can trust. A missing file is the caller's business (check before)."""
    path = Path(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise ParamError(f"{path}: not a regular file")
        if st.st_size > MAX_BYTES:
            raise ParamError(
                f"{path}: {st.st_size / (1 << 20):.1f} MiB is too large for a settings file (at most 1 MiB)"
            )
        with open(path, "rb") as f:
            raw = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ParamError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    text = _decode(path, raw)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_NODES:
            raise ParamError(
                f"{path}: its aliases expand to more than {MAX_NODES:,} values; a settings file needs far fewer "
                f"(is it an alias bomb?)"
            )
        doc = loader.construct_document(node)
    except _Duplicate as d:
        raise ParamError(
            f"{path}, line {d.again}: key '{d.key}' is given twice in one mapping (first on line {d.first}); keep one"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ParamError(f"{path}{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from None
    except RecursionError:
        raise ParamError(f"{path}: nested too deeply for a settings file") from None
    finally:
        loader.dispose()
    bad = _not_finite(doc)
    if bad:
        raise ParamError(f"{path}: {bad}: must be a finite number (.nan and .inf are not thresholds)")
    return doc
