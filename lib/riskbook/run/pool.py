"""The local worker processes of a run: started with their signals set, each booting its warm kernel
(riskbook.run.kernels) before the first notebook; stopped, kernels and all, when the run is interrupted.

This module imports no pandas: ``riskbook run --force`` starts the workers (forked light) and their kernels
the moment it starts, while the runner still imports the rest and resolves the plan
(:func:`early`) — a run that rebuilds every unit needs them whatever the plan says.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor

from riskbook.run.tasks import kernel_env, prewarm, warm_kernels


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the runner, which stops them (and their kernels) itself; and die with the
    runner when it is killed outright (kill -9: Linux's parent-death signal). Their kernels follow them:
    a kernel polls its parent and exits when it is gone."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()


def die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG); elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    parent = os.getppid()
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except OSError:
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's workers and their kernels, so that none writes into the staging folder any more."""
    import psutil

    procs = []
    for p in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc = psutil.Process(p.pid)
            procs += [*proc.children(recursive=True), proc]
        except psutil.Error:
            continue
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(procs, timeout=10)
    pool.shutdown(wait=False, cancel_futures=True)


def workers(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` local worker processes."""
    return ProcessPoolExecutor(max_workers=jobs, initializer=_worker_signals)


def prewarm_all(pool: ProcessPoolExecutor, jobs: int) -> None:
    """Have every worker boot its kernel now, all at once, before the first notebook reaches it."""
    for _ in range(jobs):
        pool.submit(prewarm)


def early(jobs: int, scheduler: str | None, force: bool) -> ProcessPoolExecutor | None:
    """The local pool started, its kernels booting, before the plan is resolved: when the run is sure to
    build (``--force``) on this machine with warm kernels. None otherwise: the pool starts once the plan
    says what to build (an unchanged re-run starts none)."""
    if not force or scheduler or not warm_kernels():
        return None
    kernel_env()
    pool = workers(jobs)
    prewarm_all(pool, jobs)
    return pool
