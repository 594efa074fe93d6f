"""Settings checked at load: company, unit and register files, one line per problem naming file and key.

A misspelt key is an error with a suggestion (``kir`` — did you mean ``kri``?), not silently ignored
(keys that start with ``_`` are the user's own, such as a YAML anchor to reuse);
so are a value of the wrong type, amber and red thresholds in the wrong order, a response or status
outside its list, and an action without a due date. Plain Python, no schema library: the rules are
few, and each message says how to fix it.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

import pandas as pd

from riskbook.core import paths
from riskbook.core.errors import ParamError
from riskbook.risks import RESPONSES
from riskbook.settings.alerts import check_alerts

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
    "alerts",
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


def currency_ok(text: str) -> bool:
    """A currency as amounts are written with it: a code or a symbol (letters, currency signs, a dot)."""
    import unicodedata

    return 1 <= len(text) <= 8 and all(c.isalpha() or c in ". " or unicodedata.category(c) == "Sc" for c in text)


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
            p.add(key, f"must be text, but {_shown(doc[key])} was given")
    if isinstance(doc.get("currency"), str) and doc["currency"] and not currency_ok(doc["currency"]):
        p.add(
            "currency",
            f"must be a currency code or symbol (CNY, EUR, US$, ¥; at most 8 letters or symbols), "
            f"but {_shown(doc['currency'])} was given",
        )
    for key in ("company", "name", "classification", "currency"):
        _no_control(p, key, doc.get(key))
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
    if doc.get("alerts") is not None:
        check_alerts(p, doc["alerts"])
    _sections(p, doc)
    p.raise_any()


def _sections(p: Problems, doc: dict[str, Any]) -> None:
    """The policy:, assessment:, ecl_loss_rates: and churn: sections."""
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


def check_register(doc: dict[str, Any], path: Path) -> None:
    """ParamError listing every problem of a register file: keys, types, responses, statuses, due dates."""
    p = Problems(path)
    p.keys("", doc, {"risks", "added"})
    risks, added = doc.get("risks"), doc.get("added")
    if risks is not None and not isinstance(risks, dict):
        p.add("risks", f"must map risk ids to entries (R-FIN-01: {{owner: …}}), but {_shown(risks)} was given")
    if added is not None and not isinstance(added, list):
        p.add("added", f"must be a list of risks (- id: …), but {_shown(added)} was given")
    for rid, entry in risks.items() if isinstance(risks, dict) else []:
        _entry(p, f"risks.{rid}", entry or {}, ENTRY_KEYS)
    for i, a in enumerate(added if isinstance(added, list) else []):
        _entry(p, f"added[{i}]", a, ADDED_KEYS)
        if isinstance(a, dict):
            _added(p, f"added[{i}]", a)
    p.raise_any()


def _shown(v: Any) -> str:
    """A value as a message quotes it: short, on one line."""
    s = repr(v)
    return s if len(s) <= 60 else s[:57] + "…"


TEXT_KEYS = {"owner", "owner_zh", "title", "title_zh", "action", "action_zh", "name", "name_zh", "reason"}
TEXT_KEYS |= {"reason_zh", "id", "family"}


def _texts(p: Problems, where: str, d: dict[str, Any]) -> None:
    """Text fields are text (a number or a list where a name belongs is a mistake, said), without control
    characters (an ESC or BEL pasted from a terminal would reach every page and workbook cell)."""
    for k in TEXT_KEYS & set(d):
        if d[k] is not None and not isinstance(d[k], str):
            p.add(f"{where}.{k}", f"must be text, but {_shown(d[k])} was given")
        else:
            _no_control(p, f"{where}.{k}", d[k])


_CONTROL = re.compile(paths.CONTROL_CHARS)


def _no_control(p: Problems, where: str, v: Any) -> None:
    if isinstance(v, dict):
        for k, x in v.items():
            _no_control(p, f"{where}.{k}", x)
    elif isinstance(v, str) and (m := _CONTROL.search(v)):
        p.add(where, f"holds a control character ({m.group()!r} at character {m.start() + 1}); take it out")


def _whole(p: Problems, where: str, v: Any, low: int, high: int) -> None:
    if isinstance(v, bool) or not isinstance(v, int) or not low <= v <= high:
        p.add(where, f"must be a whole number from {low} to {high}, but {_shown(v)} was given")


RISK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")


def _added(p: Problems, where: str, a: dict[str, Any]) -> None:
    """A risk an analyst added: an id that is a word, its money and KRIs of the right kind."""
    from riskbook.kris import REGISTRY

    if isinstance(a.get("id"), str) and not RISK_ID.fullmatch(a["id"]):
        p.add(f"{where}.id", f"must be letters, digits, '-', '_' or '.' (R-OPS-99), but {_shown(a['id'])} was given")

    exp = a.get("exposure")
    if exp is not None and _number(p, f"{where}.exposure", exp) and exp < 0:
        p.add(f"{where}.exposure", f"must be 0 or more, but {exp!r} was given")
    kris = a.get("kris")
    if kris is not None:
        if not isinstance(kris, list) or not all(isinstance(k, str) for k in kris):
            p.add(f"{where}.kris", f"must be a list of KRI ids ([dso, overdue_ratio]), but {_shown(kris)} was given")
        else:
            for k in kris:
                if k not in REGISTRY:
                    p.add(f"{where}.kris", f"'{k}' is not a KRI{did_you_mean(k, set(REGISTRY))}")


def _entry(p: Problems, where: str, entry: Any, known: set[str]) -> None:
    entry = p.keys(where, entry, known)
    _texts(p, where, entry)
    if entry.get("response") is not None and entry["response"] not in RESPONSES:
        close = difflib.get_close_matches(str(entry["response"]), RESPONSES, n=1, cutoff=0.6)
        p.add(
            where,
            f"response must be one of {list(RESPONSES)}, but {entry['response']!r} was given"
            + (f" — did you mean '{close[0]}'?" if close else ""),
        )
    for key in ("controls", "actions"):
        if entry.get(key) is not None and not isinstance(entry[key], list):
            p.add(f"{where}.{key}", f"must be a list (- …), but {_shown(entry[key])} was given")
    controls = entry.get("controls") if isinstance(entry.get("controls"), list) else []
    for i, c in enumerate(controls):
        at = f"{where}.controls[{i}]"
        c = p.keys(at, c, CONTROL_KEYS)
        _texts(p, at, c)
        if c.get("reduces") is not None:
            for part, v in p.keys(f"{at}.reduces", c["reduces"], {"likelihood", "impact"}).items():
                if part in ("likelihood", "impact"):
                    _whole(p, f"{at}.reduces.{part}", v, 0, 4)
    actions = entry.get("actions") if isinstance(entry.get("actions"), list) else []
    for i, a in enumerate(actions):
        at = f"{where}.actions[{i}]"
        a = p.keys(at, a, ACTION_KEYS)
        if not a:
            continue
        _texts(p, at, a)
        if a.get("status", "open") not in STATUSES:
            p.add(f"{at}.status", f"must be one of {list(STATUSES)}, but {a.get('status')!r} was given")
        if a.get("status", "open") != "done":
            if not a.get("due"):
                p.add(f"{at}.due", "an open action needs a due date (due: 2026-12-31)")
            elif pd.isna(pd.to_datetime(str(a["due"]), errors="coerce", format="ISO8601")):
                p.add(f"{at}.due", f"must be an ISO date (2026-12-31), but {a['due']!r} was given")
    if entry.get("override") is not None:
        ov = p.keys(f"{where}.override", entry["override"], OVERRIDE_KEYS)
        _texts(p, f"{where}.override", ov)
        for part in ("likelihood", "impact"):
            if part in ov:
                _whole(p, f"{where}.override.{part}", ov[part], 1, 5)
