"""The ``alerts:`` section of the company and unit files: who ``riskbook watch`` tells, how, and when.

Checked with the rest of the file (one line per problem, at start): recipients are e-mail addresses,
webhooks are http(s) URLs of a known kind, durations read like ``10m``/``1d``, thresholds are numbers.
Secrets never sit in these files: SMTP credentials and signing secrets are named environment variables.
A unit's file overrides the company's (the settings merge): a unit's own ``email:`` replaces the company's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

ALERT_KEYS = {"email", "webhooks", "owners", "smtp", "rules", "remind_every", "pack_url"}
WEBHOOK_KEYS = {"type", "url", "url_env", "secret_env", "min"}
SMTP_KEYS = {"host", "port", "security", "from", "user_env", "password_env", "timeout"}
WEBHOOK_TYPES = ("json", "slack", "teams", "dingtalk", "wecom", "feishu")
SECURITY = ("none", "starttls", "ssl")
SEVERITIES = ("info", "amber", "red")  # an alert's severity, lowest first
RULES: dict[str, dict[str, Any]] = {  # each rule's settings and defaults (rules.<rule>.<key>)
    "kri": {"enabled": True, "min": "amber", "worse_by": 10.0, "kris": []},  # worse_by: % a red KRI moves to escalate
    # kris: the KRIs watched (empty: all)
    "risk": {"enabled": True, "min": "high"},  # a risk rated this or worse that the latest pack did not rate so
    "action": {"enabled": True, "due_within": 7, "red_after": 30},  # days before due; days late that make it red
    "data": {"enabled": True, "share": 2.0, "rows": 5},  # % of new rows with an error finding, and at least rows
}
EMAIL = re.compile(r"[^@\s<>,;\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(/[^\s]*)?")
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
DURATION = re.compile(r"(\d{1,6})\s*([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: Any) -> float | None:
    """Seconds of ``10m``, ``1h``, ``1d``, ``30s`` (None when it is not one)."""
    m = DURATION.fullmatch(str(text).strip()) if isinstance(text, (str, int)) and not isinstance(text, bool) else None
    return float(int(m.group(1)) * SECONDS[m.group(2)]) if m else None


def _recipient(p: Any, where: str, r: Any) -> None:
    if isinstance(r, dict):
        r = p.keys(where, r, {"to", "min"})
        _min(p, f"{where}.min", r.get("min"))
        r = r.get("to")
    if not isinstance(r, str) or not EMAIL.fullmatch(r):
        p.add(where, f"must be an e-mail address (name@example.com) or {{to: …, min: red}}, but {r!r} was given")


def _min(p: Any, where: str, v: Any) -> None:
    if v is not None and v not in SEVERITIES:
        p.add(where, f"must be one of {list(SEVERITIES)}, but {v!r} was given")


def _env(p: Any, where: str, v: Any) -> None:
    if v is not None and (not isinstance(v, str) or not ENV_NAME.fullmatch(v)):
        p.add(where, f"must name an environment variable (EAST_DINGTALK_SECRET), but {v!r} was given")


def _webhook(p: Any, where: str, w: Any) -> None:
    w = p.keys(where, w, WEBHOOK_KEYS)
    if not w:
        return
    if w.get("type") not in WEBHOOK_TYPES:
        p.add(f"{where}.type", f"must be one of {list(WEBHOOK_TYPES)}, but {w.get('type')!r} was given")
    if ("url" in w) == ("url_env" in w):
        p.add(where, "give the webhook's url: or url_env: (the variable holding it), one of them")
    if "url" in w and (not isinstance(w["url"], str) or not URL.fullmatch(w["url"])):
        p.add(f"{where}.url", f"must be an http(s) URL, but {str(w['url'])[:80]!r} was given")
    _env(p, f"{where}.url_env", w.get("url_env"))
    _env(p, f"{where}.secret_env", w.get("secret_env"))
    _min(p, f"{where}.min", w.get("min"))


def _smtp(p: Any, s: Any) -> None:
    s = p.keys("alerts.smtp", s, SMTP_KEYS)
    if not s:
        return
    if not isinstance(s.get("host"), str) or not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]{1,253}", s["host"]):
        p.add("alerts.smtp.host", f"must be a host name (smtp.example.com), but {s.get('host')!r} was given")
    port = s.get("port", 25)
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        p.add("alerts.smtp.port", f"must be a port number (25, 465, 587), but {port!r} was given")
    if s.get("security", "none") not in SECURITY:
        p.add("alerts.smtp.security", f"must be one of {list(SECURITY)}, but {s.get('security')!r} was given")
    if s.get("from") is not None and (not isinstance(s["from"], str) or not EMAIL.fullmatch(s["from"])):
        p.add("alerts.smtp.from", f"must be an e-mail address, but {s['from']!r} was given")
    for k in ("user_env", "password_env"):
        _env(p, f"alerts.smtp.{k}", s.get(k))


def _rules(p: Any, rules: Any) -> None:
    for rule, given in p.keys("alerts.rules", rules, set(RULES)).items():
        if rule not in RULES:
            continue
        for k, v in p.keys(f"alerts.rules.{rule}", given, set(RULES[rule])).items():
            at = f"alerts.rules.{rule}.{k}"
            if k not in RULES[rule]:
                continue
            if k == "enabled" and not isinstance(v, bool):
                p.add(at, f"must be true or false, but {v!r} was given")
            elif k == "min" and rule == "kri" and v not in ("amber", "red"):
                p.add(at, f"must be amber or red, but {v!r} was given")
            elif k == "min" and rule == "risk" and v not in ("high", "critical"):
                p.add(at, f"must be high or critical, but {v!r} was given")
            elif k == "kris":
                _kri_list(p, at, v)
            elif k not in ("enabled", "min") and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                p.add(at, f"must be a number of 0 or more, but {v!r} was given")


def _kri_list(p: Any, at: str, v: Any) -> None:
    from riskbook.kris import REGISTRY

    if not isinstance(v, list) or not all(isinstance(k, str) for k in v):
        p.add(at, f"must be a list of KRI ids ([dso, overdue_ratio]), but {v!r} was given")
        return
    for k in v:
        if k not in REGISTRY:
            p.add(at, f"'{k}' is not a KRI (riskbook kri list shows them)")


def check_alerts(p: Any, doc: Any) -> None:
    """Add to ``p`` (settings.validate.Problems) every problem of an ``alerts:`` section."""
    doc = p.keys("alerts", doc, ALERT_KEYS)
    emails = doc.get("email")
    if emails is not None:
        for i, r in enumerate(emails if isinstance(emails, list) else [emails]):
            _recipient(p, f"alerts.email[{i}]" if isinstance(emails, list) else "alerts.email", r)
    hooks = doc.get("webhooks")
    if hooks is not None and not isinstance(hooks, list):
        p.add("alerts.webhooks", "must be a list (- {type: slack, url: https://…})")
    for i, w in enumerate(hooks if isinstance(hooks, list) else []):
        _webhook(p, f"alerts.webhooks[{i}]", w)
    owners = doc.get("owners")
    if owners is not None:
        for name, addr in p.keys("alerts.owners", owners, set(owners) if isinstance(owners, dict) else set()).items():
            if not isinstance(addr, str) or not EMAIL.fullmatch(addr):
                p.add(f"alerts.owners.{name}", f"must be an e-mail address, but {addr!r} was given")
    if doc.get("smtp") is not None:
        _smtp(p, doc["smtp"])
    if doc.get("rules") is not None:
        _rules(p, doc["rules"])
    if "remind_every" in doc and duration(doc["remind_every"]) is None:
        p.add("alerts.remind_every", f"must be a duration (12h, 1d, 30m), but {doc['remind_every']!r} was given")
    if doc.get("pack_url") is not None and (not isinstance(doc["pack_url"], str) or not URL.fullmatch(doc["pack_url"])):
        p.add("alerts.pack_url", f"must be an http(s) URL, but {doc['pack_url']!r} was given")


@dataclass(frozen=True)
class Recipient:
    """One place an alert goes: an e-mail address or a webhook, from this severity up."""

    channel: str  # email | json | slack | teams | dingtalk | wecom | feishu
    target: str  # the address, or the webhook's URL (read from its variable when url_env: names one)
    min: str = "amber"
    secret: str = ""  # a DingTalk or Feishu signing secret, from its variable

    @property
    def key(self) -> str:
        """Stable and safe to show: the address, or the webhook's kind, host and a hash of its whole URL (two
        robots of one chat service share a host; the URL may hold a token, so it is never shown)."""
        if self.channel == "email":
            return f"email:{self.target}"
        import hashlib

        host = re.sub(r"^https?://([^/?#]+).*$", r"\1", self.target)
        return f"{self.channel}:{host}#{hashlib.sha256(self.target.encode()).hexdigest()[:10]}"


@dataclass(frozen=True)
class Alerting:
    """A unit's alert settings, resolved: its recipients, owners' addresses, rule settings, reminders."""

    recipients: tuple[Recipient, ...] = ()
    owners: dict[str, str] = field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = field(default_factory=lambda: {k: dict(v) for k, v in RULES.items()})
    remind_every: float = 86400.0
    pack_url: str = ""
    smtp: dict[str, Any] = field(default_factory=dict)


def alerting(settings: dict[str, Any], unit: str = "") -> Alerting:
    """A unit's merged settings' ``alerts:`` as an Alerting (the file was checked when read); ParamError when
    a variable a webhook names is not set to an http(s) URL (cron and systemd start with few variables)."""
    from riskbook.core.errors import ParamError

    doc = settings.get("alerts") or {}
    out: list[Recipient] = []
    emails = doc.get("email") or []
    for r in emails if isinstance(emails, list) else [emails]:
        to, low = (r.get("to"), r.get("min", "amber")) if isinstance(r, dict) else (r, "amber")
        out.append(Recipient("email", str(to), low))
    for w in doc.get("webhooks") or []:
        url = w.get("url") or os.environ.get(w.get("url_env", ""), "")
        if not url or not URL.fullmatch(url):
            raise ParamError(
                f"unit {unit}: alerts.webhooks: the variable {w.get('url_env')} is not set to an http(s) URL "
                f"(set it where riskbook watch runs: a cron job or systemd unit has its own environment)"
            )
        secret = os.environ.get(w["secret_env"], "") if w.get("secret_env") else ""
        out.append(Recipient(w["type"], url, w.get("min", "amber"), secret))
    rules = {k: {**v, **((doc.get("rules") or {}).get(k) or {})} for k, v in RULES.items()}
    return Alerting(
        tuple(out),
        {str(k): str(v) for k, v in (doc.get("owners") or {}).items()},
        rules,
        duration(doc.get("remind_every", "1d")) if "remind_every" in doc else 86400.0,  # 0: no reminders
        str(doc.get("pack_url") or ""),
        dict(doc.get("smtp") or {}),
    )
