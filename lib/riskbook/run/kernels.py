"""One warm kernel per worker: started and imported once, reset between notebooks (the papermill engine that
runs notebooks on it is riskbook.run.engine; this module needs only jupyter_client, so that a worker starts
its kernel before it imports papermill).

Starting a kernel and importing pandas and riskbook costs more than most of riskbook's notebooks
compute; paid once per worker instead of once per notebook (the approach of papermill issue 583). Between
notebooks the kernel runs :func:`riskbook.run.kernelside.reset`: no name, figure, working folder or setting of
one notebook reaches the next. A kernel that dies (or is killed) fails only the notebook it was running; the
next notebook starts a new kernel. A kernel that has grown past ``RISKBOOK_KERNEL_MAX_MIB`` (default 1536) is
replaced after its notebook, so one large unit does not keep its memory for the rest of the run.

Kernels talk to the worker over Unix sockets in a private folder (``ipc`` transport), not TCP ports: two
kernels starting at once on one machine cannot pick the same port.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from typing import Any

WARM = "import riskbook.run.kernelside as _rb_k; _rb_k.warm(); del _rb_k"
RESET = "import riskbook.run.kernelside as _rb_k; _rb_k.reset()"
START_ATTEMPTS = 3  # a kernel that dies before answering (it ran nothing) is started again
_local = threading.local()  # one kernel per worker thread (a process pool worker has one thread)


def _run(coro: Any) -> Any:
    """Await ``coro`` on this thread's event loop (the one nbclient uses, so the client's sockets stay valid)."""
    from jupyter_core.utils import run_sync

    async def wrapped() -> Any:  # run_sync takes a coroutine function, not a coroutine
        return await coro

    return run_sync(wrapped)()


def max_mib() -> float:
    """The kernel's resident memory past which it is replaced after its notebook."""
    try:
        return float(os.environ.get("RISKBOOK_KERNEL_MAX_MIB", "1536"))
    except ValueError:
        return 1536.0


class WarmKernel:
    """A started kernel with its client, warmed up (imports done) and ready for a notebook."""

    def __init__(self, kernel_name: str, timeout: float) -> None:
        from jupyter_client.manager import AsyncKernelManager

        self.dir = tempfile.mkdtemp(prefix="riskbook-kernel-")
        last: Exception | None = None
        for _ in range(START_ATTEMPTS):
            self.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(self.dir, "k"))
            try:
                # no history database: the cell numbers start again at 1 with every notebook
                _run(self.km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"]))
                self.kc = self.km.client()
                self.kc.start_channels()
                _run(self.kc.wait_for_ready(timeout=timeout))
                self.kc.allow_stdin = False
                self.execute(WARM, timeout)
                self.fresh = True  # as warm() left it: the first notebook needs no reset
                return
            except Exception as exc:  # died before replying: nothing ran, start another
                last = exc
                self._stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        raise RuntimeError(f"the kernel did not start ({START_ATTEMPTS} attempts): {last}")

    def execute(self, code: str, timeout: float = 120) -> None:
        """Run ``code`` silently (no output, no cell number); raise if it fails."""

        async def go() -> None:
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = await self.kc.get_shell_msg(timeout=timeout)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            content = reply["content"]
            if content.get("status") != "ok":
                raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

        _run(go())

    def alive(self) -> bool:
        try:
            return bool(_run(self.km.is_alive()))
        except Exception:
            return False

    def rss_mib(self) -> float:
        """The kernel process's resident memory, MiB (0 when unknown)."""
        import psutil

        pid = getattr(self.km.provisioner, "pid", None)
        try:
            return psutil.Process(pid).memory_info().rss / 2**20 if pid else 0.0
        except psutil.Error:
            return 0.0

    def _stop(self) -> None:
        try:
            if getattr(self, "kc", None) is not None:
                self.kc.stop_channels()
            _run(self.km.shutdown_kernel(now=True))
        except Exception:
            pass  # already gone
        self.kc = None

    def close(self) -> None:
        """Shut the kernel down and remove its sockets."""
        self._stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def started(kernel_name: str, timeout: float) -> WarmKernel:
    """This thread's kernel, alive: the one it has, else a new one, warmed up (a worker starts it early)."""
    k: WarmKernel | None = getattr(_local, "kernel", None)
    if k is not None and k.alive():
        return k
    if k is not None:
        k.close()
    k = WarmKernel(kernel_name, timeout)
    _local.kernel = k
    _finalize_at_exit(k)
    return k


def kernel(kernel_name: str, timeout: float) -> WarmKernel:
    """This thread's warm kernel, reset for a new notebook (a new one when there is none or it died); a
    kernel no notebook has run on yet is as warm() left it, and needs no reset."""
    k = started(kernel_name, timeout)
    if not k.fresh:
        try:
            k.execute(RESET)
        except Exception:  # died while resetting: a new one
            release()
            k = started(kernel_name, timeout)
    k.fresh = False
    return k


def current() -> WarmKernel | None:
    """This thread's kernel, if it has one."""
    return getattr(_local, "kernel", None)


def release() -> None:
    """Shut this thread's kernel down (the worker is done, or the kernel must not be reused)."""
    k = getattr(_local, "kernel", None)
    _local.kernel = None
    if k is not None:
        k.close()


def _finalize_at_exit(k: WarmKernel) -> None:
    """Shut the kernel when the worker exits: multiprocessing workers skip atexit, so register with both."""
    import atexit
    from multiprocessing import util

    atexit.register(k.close)
    util.Finalize(k, k.close, exitpriority=10)
