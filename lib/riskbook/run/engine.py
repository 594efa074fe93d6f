"""The papermill engine ``riskbook``: nbclient execution on the worker's warm kernel (riskbook.run.kernels)."""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

from riskbook.run.kernels import current, kernel, max_mib, release

NAME = "riskbook"
SAVE_EVERY = 10.0  # seconds between saves of a running notebook's output (papermill saves at every cell)


def _save_seldom(nb_man: Any) -> Any:
    """Make papermill save the running notebook at most every SAVE_EVERY seconds instead of at each cell's
    start and end (twenty writes of the whole notebook, a fifth of a short notebook's time): one running
    long still shows how far it got, and papermill writes the finished one. Returns the unthrottled save."""
    save = nb_man.save

    def seldom(**kwargs: Any) -> None:
        if kwargs.get("nb") is not None:
            nb_man.nb = kwargs["nb"]
        if (nb_man.now() - nb_man.last_save_time).total_seconds() >= SAVE_EVERY:
            save()

    nb_man.save = seldom
    return save


class WarmEngine(Engine):
    """papermill engine ``riskbook``: nbclient execution on this worker's warm kernel."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: float = 60,
        execution_timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        from papermill.engines import logger

        k = kernel(kernel_name, start_timeout)
        client = PapermillNotebookClient(
            nb_man,
            km=k.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            iopub_timeout=kwargs.get("iopub_timeout", 4),
        )
        client.kc = k.kc
        save = _save_seldom(nb_man)
        try:
            return client.execute(cleanup_kc=False)
        except Exception as exc:
            from nbclient.exceptions import CellExecutionError

            if not isinstance(exc, CellExecutionError):  # a timeout, a lost kernel: it may still be busy
                release()
                save()  # the notebook as far as it ran, for failed/ (papermill writes it only on a cell error)
            raise
        finally:
            if current() is k and (not k.alive() or k.rss_mib() > max_mib()):
                release()


def register() -> None:
    """Make ``engine_name="riskbook"`` known to papermill in this process."""
    papermill_engines.register(NAME, WarmEngine)
