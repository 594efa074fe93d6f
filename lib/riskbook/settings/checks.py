"""Settings checked at load: company, unit and register files, one line per problem naming file and key.

A misspelt key is an error with a suggestion (``kir`` — did you mean ``kri``?), not silently ignored
(keys that start with ``_`` are the user's own, such as a YAML anchor to reuse);
so are a value of the wrong type, amber and red thresholds in the wrong order, a response or status
outside its list, and an action without a due date. Plain Python, no schema library: the rules are
few, and each message says how to fix it.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core.errors import ParamError
from riskbook.risks import RESPONSES

COMPANY_KEYS: set[str] = {
    "company",
    "currency",
    "lang",
    "data",
    "sources",
    "as_of",
    "kri",
    "policy",
    "assessment",
    "ecl_loss_rates",
    "churn",
    "name",
    "classification",
}
UNIT_KEYS: set[str] = COMPANY_KEYS - {"data", "sources", "as_of"}
SECTIONS: dict[str, set[str]] = {
    "policy": {"discount_approval_limit"},
    "assessment": {"impact_bands_pct"},
    "ecl_loss_rates": {"current", "1-30", "31-60", "61-90", ">90"},
    "churn": {"customers"},
}
THRESHOLD_KEYS: set[str] = {"amber", "red", "direction", "rule"}
LANGS = ("en", "zh")

STATUSES = ("open", "in progress", "done", "cancelled")
# a text field's Chinese may follow it as <field>_zh (title_zh, owner_zh, action_zh, reason_zh, name_zh)
ENTRY_KEYS = {"owner", "owner_zh", "response", "controls", "actions", "override"}
ADDED_KEYS = ENTRY_KEYS | {"id", "family", "title", "title_zh", "likelihood", "impact", "exposure", "kris"}
ACTION_KEYS = {"action", "action_zh", "owner", "owner_zh", "due", "status"}
CONTROL_KEYS = {"name", "name_zh", "reduces"}
OVERRIDE_KEYS = {"likelihood", "impact", "reason", "reason_zh"}


def did_you_mean(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else f" (known: {', '.join(sorted(known))})"


class Problems:
    """Problems found in one file, reported together: one line each."""

    def __init__(self, path: Path) -> None:
        self.path, self.lines = path, []

    def add(self, where: str, problem: str) -> None:
        self.lines.append(f"{self.path}: {where}: {problem}")

    def keys(self, where: str, doc: Any, known: set[str]) -> dict:
        if not isinstance(doc, dict):
            self.add(where, f"must be a mapping of keys to values, but {type(doc).__name__} was given")
            return {}
        for k in doc:
            if k not in known and not str(k).startswith("_"):  # _name: yours, e.g. a YAML anchor to reuse
                self.add(f"{where}.{k}" if where else str(k), f"unknown key{did_you_mean(k, known)}")
        return doc

    def raise_any(self) -> None:
        if self.lines:
            raise ParamError("\n".join(self.lines))


def _number(p: Problems, where: str, v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        p.add(where, f"must be a number, but {v!r} was given")
        return False
    return True


def _thresholds(p: Problems, kri: Any, where: str = "kri") -> None:
    from riskbook.kris import KINDS, REGISTRY, RULES

    for kid, th in p.keys(where, kri, set(REGISTRY)).items():
        if kid not in REGISTRY:
            continue
        at = f"{where}.{kid}"
        th = p.keys(at, th, THRESHOLD_KEYS | set(KINDS))
        k = REGISTRY[kid]
        _order(p, at, kid, th.get("direction", k.direction), th.get("amber", k.amber), th.get("red", k.red))
        if "rule" in th and th["rule"] not in RULES:
            p.add(f"{at}.rule", f"must be one of {list(RULES)}, but {th['rule']!r} was given")
        for kind in KINDS:  # a period kind's own thresholds: kri.<id>.year: {amber: …, red: …}
            if th.get(kind) is None:
                continue
            own = p.keys(f"{at}.{kind}", th[kind], THRESHOLD_KEYS)
            if own and ("amber" in own) != ("red" in own):
                p.add(f"{at}.{kind}", "give both amber and red for a period kind's own thresholds")
            elif own:
                _order(
                    p,
                    f"{at}.{kind}",
                    kid,
                    own.get("direction", th.get("direction", k.direction)),
                    own["amber"],
                    own["red"],
                )


def _order(p: Problems, at: str, kid: str, direction: Any, amber: Any, red: Any) -> None:
    """Direction up or down, amber and red numbers in the order the direction needs."""
    if direction not in ("up", "down"):
        p.add(f"{at}.direction", f"must be up (higher is worse) or down, but {direction!r} was given")
        return
    if not (_number(p, f"{at}.amber", amber) and _number(p, f"{at}.red", red)):
        return
    if (direction == "up" and amber > red) or (direction == "down" and amber < red):
        worse = "higher" if direction == "up" else "lower"
        p.add(
            at,
            f"amber {amber:g} and red {red:g} are in the wrong order: {worse} is worse for {kid}, so "
            f"red must be {worse} than amber",
        )


def check_company(doc: dict[str, Any], path: Path, unit: bool = False) -> None:
    """ParamError listing every problem of a company file (or, ``unit``, of a unit's file)."""
    p = Problems(path)
    p.keys("", doc, UNIT_KEYS if unit else COMPANY_KEYS)
    if "lang" in doc and doc["lang"] not in LANGS:
        p.add("lang", f"must be one of {list(LANGS)}, but {doc['lang']!r} was given")
    for key in ("currency", "classification"):
        if key in doc and doc[key] is not None and not isinstance(doc[key], str):
            p.add(key, f"must be text, but {doc[key]!r} was given")
    for key in ("company", "name"):
        v = doc.get(key)
        if isinstance(v, dict):
            bad = [k for k in v if k not in LANGS or not isinstance(v[k], str)]
            if bad:
                p.add(key, f"must be text or {{en: …, zh: …}}, but {v!r} was given")
        elif v is not None and not isinstance(v, str):
            p.add(key, f"must be text or {{en: …, zh: …}}, but {v!r} was given")
    if doc.get("kri") is not None:
        _thresholds(p, doc["kri"])
    for section, known in SECTIONS.items():
        if doc.get(section) is not None:
            for k, v in p.keys(section, doc[section], known).items():
                if k == "impact_bands_pct":
                    if not (
                        isinstance(v, list)
                        and len(v) == 4
                        and all(isinstance(x, (int, float)) for x in v)
                        and v == sorted(v)
                    ):
                        p.add(
                            f"{section}.{k}",
                            f"must be four increasing percentages, e.g. [1, 3, 7, 15], but {v!r} was given",
                        )
                elif k == "customers":
                    from riskbook.kris.customer import POPULATIONS

                    if v not in POPULATIONS:
                        p.add(f"{section}.{k}", f"must be one of {list(POPULATIONS)}, but {v!r} was given")
                elif k in known:
                    _number(p, f"{section}.{k}", v)
    p.raise_any()


def check_register(doc: dict[str, Any], path: Path) -> None:
    """ParamError listing every problem of a register file: keys, responses, statuses, due dates."""
    p = Problems(path)
    p.keys("", doc, {"risks", "added"})
    for rid, entry in (doc.get("risks") or {}).items() if isinstance(doc.get("risks"), dict) else []:
        _entry(p, f"risks.{rid}", entry or {}, ENTRY_KEYS)
    for i, a in enumerate(doc.get("added") or []):
        _entry(p, f"added[{i}]", a, ADDED_KEYS)
    p.raise_any()


def _entry(p: Problems, where: str, entry: Any, known: set[str]) -> None:
    entry = p.keys(where, entry, known)
    if entry.get("response") is not None and entry["response"] not in RESPONSES:
        close = difflib.get_close_matches(str(entry["response"]), RESPONSES, n=1, cutoff=0.6)
        p.add(
            where,
            f"response must be one of {list(RESPONSES)}, but {entry['response']!r} was given"
            + (f" — did you mean '{close[0]}'?" if close else ""),
        )
    for i, c in enumerate(entry.get("controls") or []):
        c = p.keys(f"{where}.controls[{i}]", c, CONTROL_KEYS)
        if c.get("reduces") is not None:
            p.keys(f"{where}.controls[{i}].reduces", c["reduces"], {"likelihood", "impact"})
    for i, a in enumerate(entry.get("actions") or []):
        at = f"{where}.actions[{i}]"
        a = p.keys(at, a, ACTION_KEYS)
        if not a:
            continue
        if a.get("status", "open") not in STATUSES:
            p.add(f"{at}.status", f"must be one of {list(STATUSES)}, but {a.get('status')!r} was given")
        if a.get("status", "open") != "done":
            if not a.get("due"):
                p.add(f"{at}.due", "an open action needs a due date (due: 2026-12-31)")
            elif pd.isna(pd.to_datetime(str(a["due"]), errors="coerce", format="ISO8601")):
                p.add(f"{at}.due", f"must be an ISO date (2026-12-31), but {a['due']!r} was given")
    if entry.get("override") is not None:
        p.keys(f"{where}.override", entry["override"], OVERRIDE_KEYS)
