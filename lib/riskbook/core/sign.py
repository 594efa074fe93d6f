"""Stage products are pickles, and unpickling runs code: each is signed with a key only this user can read
(HMAC-SHA256), and a product whose signature does not verify — written by someone else into a shared
outputs folder, or damaged — is never unpickled, only recomputed.

The key lives in ``$RISKBOOK_KEY_FILE``, else ``~/.config/riskbook/product.key`` (made on first use, mode
0600). Machines that share products (Dask workers) share the key through that variable.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

TAG = b"riskbook-signed-v1\n"
_KEY: bytes | None = None


def key_file() -> Path:
    """Where this user's signing key is kept."""
    if os.environ.get("RISKBOOK_KEY_FILE"):
        return Path(os.environ["RISKBOOK_KEY_FILE"])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "riskbook" / "product.key"


def _key() -> bytes:
    global _KEY
    if _KEY is None:
        path = key_file()
        try:
            _KEY = path.read_bytes()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    f.write(secrets.token_bytes(32))
            except FileExistsError:  # another process made it first
                pass
            _KEY = path.read_bytes()
        if len(_KEY) < 16:
            raise OSError(f"{path}: a signing key of {len(_KEY)} bytes is too short; delete it to make a new one")
    return _KEY


def sign(payload: bytes) -> bytes:
    """``payload`` with its signature in front."""
    return TAG + hmac.new(_key(), payload, hashlib.sha256).digest() + payload


def verified(blob: bytes) -> bytes | None:
    """The payload of a signed ``blob`` when its signature verifies with this user's key, else None."""
    n = len(TAG) + 32
    if len(blob) < n or not blob.startswith(TAG):
        return None
    mac, payload = blob[len(TAG) : n], blob[n:]
    return payload if hmac.compare_digest(mac, hmac.new(_key(), payload, hashlib.sha256).digest()) else None
