"""Sending a message: e-mail over SMTP (STARTTLS or SSL; the login from environment variables), and
webhooks — a generic JSON post, and the formats of Slack, Microsoft Teams, DingTalk (signed), WeCom and
Feishu (signed). A send either succeeds or raises SendError with one line saying why (the message stays
in the outbox and is tried again later)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from riskbook.display.palettes import ACCENT, RAG
from riskbook.settings.alerts import Recipient
from riskbook.watch.messages import Message

TIMEOUT = 10.0  # seconds a server may take to answer
CODED = ("dingtalk", "wecom", "feishu")  # services that answer 200 with an error code when they refuse


class SendError(Exception):
    """A channel did not take the message (down, refused, or answered with an error)."""


def one_line(text: str) -> str:
    """``text`` on one line without control characters (a subject or header may hold neither: a vertical
    tab pasted from Word, a line or paragraph separator)."""
    return " ".join("".join(c if c.isprintable() else " " for c in str(text)).split())


def send(r: Recipient, m: Message, smtp: dict[str, Any]) -> None:
    """Send ``m`` to ``r``; SendError when it did not go."""
    if r.channel == "email":
        send_mail(r.target, m, smtp)
    else:
        post(r, m)


def send_mail(to: str, m: Message, smtp: dict[str, Any]) -> None:
    """One e-mail through the company's SMTP server (alerts.smtp; user and password from the variables it
    names, RISKBOOK_SMTP_USER and RISKBOOK_SMTP_PASSWORD by default)."""
    if not smtp.get("host"):
        raise SendError("no SMTP server: set alerts.smtp.host in the company file")
    msg = EmailMessage()
    msg["Subject"] = one_line(m.subject)
    msg["From"] = smtp.get("from") or "riskbook@localhost"
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="riskbook")
    msg["X-Riskbook-Alert"] = f"{m.alert_id} {m.kind}"
    msg.set_content(m.body(), charset="utf-8")
    security, port = (
        smtp.get("security", "none"),
        int(smtp.get("port") or (465 if smtp.get("security") == "ssl" else 25)),
    )
    user = os.environ.get(smtp.get("user_env") or "RISKBOOK_SMTP_USER", "")
    password = os.environ.get(smtp.get("password_env") or "RISKBOOK_SMTP_PASSWORD", "")
    timeout = float(smtp.get("timeout") or TIMEOUT)
    try:
        if security == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp["host"], port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(smtp["host"], port, timeout=timeout)
        with server:
            if security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if user:
                server.login(user, password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendError(f"SMTP {smtp['host']}:{port}: {one_line(str(exc)) or type(exc).__name__}") from None


def payload(channel: str, m: Message) -> dict[str, Any]:
    """The body each webhook kind expects."""
    text = m.text()
    if channel == "slack":
        return {"text": text}
    if channel == "teams":  # an Office 365 connector card (Teams incoming webhooks and Workflows take it)
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": m.subject,
            "themeColor": {**RAG, "info": ACCENT}.get(m.severity, RAG["n/a"]).lstrip("#"),
            "title": m.subject,
            "text": "\n\n".join(m.lines),
        }
    if channel == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": m.subject, "text": "\n\n".join([f"### {m.subject}", *m.lines])},
        }
    if channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": "\n".join([f"**{m.subject}**", *m.lines])}}
    if channel == "feishu":
        return {"msg_type": "text", "content": {"text": text}}
    return {"riskbook": "alert", **m.to_json(), "text": text}


def dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """DingTalk's signed URL: timestamp and HMAC-SHA256 of "timestamp\\nsecret", base64, URL-quoted."""
    ts = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={ts}&sign={sign}"


def feishu_sign(secret: str, now_s: int | None = None) -> dict[str, str]:
    """Feishu's signature: HMAC-SHA256 keyed by "timestamp\\nsecret" over nothing, base64."""
    ts = str(now_s if now_s is not None else int(time.time()))
    digest = hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return {"timestamp": ts, "sign": base64.b64encode(digest).decode()}


def post(r: Recipient, m: Message) -> None:
    """POST ``m`` to a webhook; the chat services answer 200 with an error code when they refuse."""
    body = payload(r.channel, m)
    url = r.target
    if r.channel == "dingtalk" and r.secret:
        url = dingtalk_url(url, r.secret)
    if r.channel == "feishu" and r.secret:
        body = {**feishu_sign(r.secret), **body}
    if not url.startswith(("http://", "https://")):
        raise SendError(f"{r.key}: not an http(s) URL")
    req = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "riskbook-watch"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as resp:  # noqa: S310 (http(s) checked above)
            answer = resp.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"{r.key}: HTTP {exc.code} {one_line(str(exc.reason or ''))}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise SendError(f"{r.key}: {one_line(str(getattr(exc, 'reason', exc))) or type(exc).__name__}") from None
    if r.channel not in CODED:
        return
    try:
        doc = json.loads(answer) if answer.strip().startswith(b"{") else {}
    except ValueError:
        doc = {}
    code = doc.get("errcode", doc.get("code", doc.get("StatusCode", 0))) if isinstance(doc, dict) else 0  # feishu: code
    if code not in (0, None):
        raise SendError(f"{r.key}: refused ({code}: {one_line(str(doc.get('errmsg') or doc.get('msg') or ''))})")
