"""One run at a time on an outputs folder, and the leftovers of an interrupted one cleaned by the next.

The lock is ``<out>/.riskbook.lock``, held with ``flock`` for the whole run: the kernel releases it when
the process ends, however it ends (kill -9 included), so a stale lock never blocks anyone. The file says
which run holds it, for the one line a second run prints.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from riskbook.core import config, paths
from riskbook.core.errors import ParamError


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold the outputs folder's lock for the block; ParamError naming the holder when another run has it."""
    path = paths.lock(out)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        raise ParamError(f"--out {out}: cannot lock it ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            raise ParamError(
                f"--out {out}: another riskbook run is writing there ({holder}); wait for it to finish, or "
                f"use another --out"
            ) from None
        os.ftruncate(fd, 0)
        doc = {"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": " ".join(sys.argv)}
        os.pwrite(fd, json.dumps(doc).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(fd: int) -> str:
    try:
        doc = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {doc['pid']}, started {doc['started']}: {paths.one_line(doc['command'])[:120]}"
    except (OSError, ValueError, KeyError, TypeError):
        return "pid unknown"


def clean_leftovers(out: Path) -> list[Path]:
    """Remove what an interrupted run left under ``out`` (called with the lock held, so no run is using
    them): staging folders, folders a publish was replacing, half-written files. Returns what it removed."""
    out = Path(out)
    gone: list[Path] = []
    candidates = list(out.glob(".staging-*"))
    for period in (d for d in out.iterdir() if d.is_dir() and not d.name.startswith(".")):
        candidates += list(period.glob(".*.old-*"))
        candidates += list(period.glob(f"{config.FAILED}/.*.old-*"))
        candidates += [p for p in period.glob("*.tmp.*") if p.is_file()]
    for p in candidates:
        if p.is_symlink() or p.is_file():
            p.unlink(missing_ok=True)
        else:
            shutil.rmtree(p, ignore_errors=True)
        gone.append(p)
    return gone
