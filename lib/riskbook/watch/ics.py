"""The register's open actions as an iCalendar file (RFC 5545): one all-day event per action on its due
date, which calendars and task tools import. Text from the register is escaped (commas, semicolons,
backslashes, line breaks), lines are folded at 75 octets, and each event keeps one UID across exports,
so importing the file again updates the events instead of doubling them."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from riskbook.core import paths
from riskbook.settings.params import company_dir
from riskbook.settings.register import load_register


def escape(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters gone."""
    text = "".join(c for c in str(text) if c >= " " or c in "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str) -> str:
    """A content line folded at 75 octets (a UTF-8 character is never split)."""
    out, cur = [], b""
    for ch in line:
        b = ch.encode()
        if len(cur) + len(b) > (75 if not out else 74):
            out.append(cur.decode())
            cur = b""
        cur += b
    out.append(cur.decode())
    return "\r\n ".join(out)


def events(params_dir: Path) -> list[list[str]]:
    """One VEVENT (as its lines) per action not done nor cancelled, with a due date, of every unit."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = []
    for f in sorted((params_dir / "register").glob("*.yaml")):
        unit = f.stem
        if not paths.is_unit_id(unit):
            continue
        reg = load_register(unit, params_dir)
        for rid, entry in sorted(reg.entries.items()):
            for a in entry.get("actions") or []:
                due = pd.to_datetime(str(a.get("due") or ""), errors="coerce", format="ISO8601")
                if a.get("status", "open") in ("done", "cancelled") or pd.isna(due):
                    continue
                text = str(a.get("action") or "")
                uid = hashlib.sha1(f"{unit}|{rid}|{text}".encode()).hexdigest()  # noqa: S324 (an id, not a secret)
                day = due.strftime("%Y%m%d")
                nxt = (due + pd.Timedelta(days=1)).strftime("%Y%m%d")
                desc = f"Unit {unit}, risk {rid}, owner {a.get('owner') or '-'}, status {a.get('status', 'open')}"
                out.append(
                    [
                        "BEGIN:VEVENT",
                        f"UID:{uid}@riskbook",
                        f"DTSTAMP:{stamp}",
                        f"DTSTART;VALUE=DATE:{day}",
                        f"DTEND;VALUE=DATE:{nxt}",
                        f"SUMMARY:{escape(f'[{unit}] {text}')}",
                        f"DESCRIPTION:{escape(desc)}",
                        "TRANSP:TRANSPARENT",
                        "END:VEVENT",
                    ]
                )
    return out


def write_ics(path: Path, config_file: str | None = None) -> int:
    """Write the calendar of the company's open actions to ``path``; returns how many actions."""
    folder = company_dir(None, config_file)
    if folder is None or not (folder / "register").is_dir():
        from riskbook.core.errors import ParamError

        raise ParamError(f"{folder}: no register/ folder to read actions from (riskbook init makes one)")
    evs = events(folder)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//riskbook//actions//EN", "CALSCALE:GREGORIAN"]
    lines += [line for e in evs for line in e] + ["END:VCALENDAR"]
    text = "".join(fold(x) + "\r\n" for x in lines)
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    with paths.replacing(path) as tmp:
        tmp.write_bytes(text.encode())
    return len(evs)
