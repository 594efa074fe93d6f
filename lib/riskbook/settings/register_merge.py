"""A register file with an analyst's workbook merged in: translations kept where the text did not change,
library defaults left out, and the changes said one line per risk."""

from __future__ import annotations

import copy
from typing import Any

from riskbook.core.i18n import owner_en
from riskbook.risks import BY_ID


def _translated(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``new`` with the ``<field>_zh`` translations of ``old`` kept where the field's text did not change.
    A Chinese workbook shows the translation: a cell equal to it is the field unchanged, so the English
    stays too; an owner typed as a library role in Chinese (财务总监) reads back in English."""
    out = dict(new)
    for base, v in new.items():
        if isinstance(v, str) and v and v == old.get(f"{base}_zh") and base in old:
            out[base] = old[base]
        elif base == "owner" and isinstance(v, str) and v != old.get(base):
            out[base] = owner_en(v)
    for k, v in old.items():
        base = k[:-3]
        if k.endswith("_zh") and base in out and out[base] == old.get(base):
            out[k] = v
    for key, by in (("actions", "action"), ("controls", "name")):
        before: dict[Any, dict[str, Any]] = {}
        for x in old.get(key) or []:
            if isinstance(x, dict):
                before.setdefault(x.get(f"{by}_zh"), x)
                before[x.get(by)] = x
        if out.get(key):
            out[key] = [_translated(before.get(x.get(by)) or {}, x) for x in out[key]]
    if isinstance(out.get("override"), dict) and isinstance(old.get("override"), dict):
        out["override"] = _translated(old["override"], out["override"])
    return out


def _taken_on(risk: Any, actions: list[dict[str, Any]]) -> None:
    """A library risk's recommended action taken on (its status set in the workbook) keeps both languages:
    its text in English and Chinese, whichever the workbook showed."""
    pairs = list(zip(risk.actions_en, risk.actions_zh))
    for a in actions:
        for en, zh in pairs:
            if a.get("action") in (en, zh) and not a.get("action_zh"):
                a["action"], a["action_zh"] = en, zh


def merge(doc: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """``doc`` (a register file) with the workbook's view of each of its risks. A library risk's owner or
    response equal to the library's default is not written; risks not in the workbook are kept as they are."""
    out = copy.deepcopy(doc) if doc else {}
    risks = out.setdefault("risks", {}) or {}
    out["risks"] = risks
    added = {a.get("id"): a for a in out.get("added") or []}
    for rid, e in entries.items():
        source = e.pop("_source")
        if source == "analyst":  # a risk the analysts added: its scores stay as its register entry gives them
            a = added.get(rid)
            if a is not None:
                old = dict(a)
                for k in ("owner", "owner_zh", "response", "actions", "controls"):
                    a.pop(k, None)
                a.update(_translated(old, {k: v for k, v in e.items() if k != "override"}))
            continue
        lib = BY_ID.get(rid)
        old = risks.get(rid) or {}
        entry = {k: v for k, v in old.items() if k.startswith("_")}
        new = _translated(old, e)
        if lib is not None and new.get("actions"):
            _taken_on(lib, new["actions"])
        for k, v in new.items():
            if lib is not None and k in ("owner", "response") and v == getattr(lib, k):
                continue
            entry[k] = v
        if entry:
            risks[rid] = entry
        else:
            risks.pop(rid, None)
    if added:
        out["added"] = list(added.values())
    if not out["risks"]:
        out.pop("risks")
    return out


def _action_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """What happened to each action, named by its text: added with its status, removed, or its fields."""
    b = {str(x.get("action")): x for x in before if isinstance(x, dict)}
    a = {str(x.get("action")): x for x in after if isinstance(x, dict)}
    out = [f"action {k!r} added ({a[k].get('status', 'open')})" for k in a if k not in b]
    out += [f"action {k!r} removed" for k in b if k not in a]
    for k in (k for k in a if k in b and a[k] != b[k]):
        fields = sorted(f for f in set(a[k]) | set(b[k]) if a[k].get(f) != b[k].get(f))
        out.append(f"action {k!r}: " + ", ".join(f"{f} {b[k].get(f)!r} → {a[k].get(f)!r}" for f in fields))
    return out or ["actions reordered"]


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One line per risk whose register entry the import changes."""
    lines = []
    b_all = {**(before.get("risks") or {}), **{a.get("id"): a for a in before.get("added") or []}}
    a_all = {**(after.get("risks") or {}), **{a.get("id"): a for a in after.get("added") or []}}
    for rid in sorted(set(b_all) | set(a_all)):
        b, a = b_all.get(rid) or {}, a_all.get(rid) or {}
        if a == b:
            continue
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        parts = []
        for k in keys:
            if k == "actions":
                parts.extend(_action_changes(b.get(k) or [], a.get(k) or []))
            elif isinstance(a.get(k), (dict, list)) or isinstance(b.get(k), (dict, list)):
                parts.append(f"{k} edited")
            elif b.get(k) is None:
                parts.append(f"{k} set to {a.get(k)!r}")
            elif a.get(k) is None:
                parts.append(f"{k} {b.get(k)!r} removed")
            else:
                parts.append(f"{k} {b.get(k)!r} → {a.get(k)!r}")
        lines.append(f"  {rid}: " + "; ".join(parts))
    return lines
