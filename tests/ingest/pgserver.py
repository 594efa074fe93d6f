"""A throwaway PostgreSQL server for the tests, from the Debian server binaries.

``PgServer`` runs ``initdb`` into a fresh temporary directory, starts ``postgres`` as a child
process listening only on a unix socket in that directory (no TCP, so it never clashes with another
server or port), creates a database, and on ``stop()`` shuts the server down and removes the
directory.  As root (initdb refuses root) the binaries run as the ``postgres`` system user,
which the Debian package creates; the directory is owned by that user.  Every step has a timeout.

The pytest fixture ``postgres_url`` (session-scoped) yields a SQLAlchemy URL such as
``postgresql+psycopg://postgres@/riskbook?host=/tmp/riskbook-pg-x1y2`` and skips when the binaries
are missing.  Import it into a test module to use it: ``from tests.ingest.pgserver import postgres_url``.

Debug: ``python -m tests.ingest.pgserver`` starts a server, prints its URL and timings, and stops it.
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

MISSING = "PostgreSQL server binaries not found: apt-get install postgresql"
DB_USER = "postgres"  # the superuser initdb creates (trust authentication, socket only)
PORT = 5432  # only names the socket file (.s.PGSQL.5432) in our own directory
TIMEOUT = 60  # seconds for any one step (initdb, start, createdb)

# Settings for a fast, private, disposable server.
CONF = """
listen_addresses = ''
unix_socket_directories = '{sock}'
port = {port}
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 20
shared_buffers = 16MB
dynamic_shared_memory_type = mmap
logging_collector = off
log_min_messages = warning
"""


class PgServerError(RuntimeError):
    """The server could not be set up; the message includes the failing command's output."""


def find_bindir() -> Path | None:
    """The folder holding initdb, postgres and createdb.

    $PG_BINDIR, else the newest Debian /usr/lib/postgresql/<version>/bin, else the one on PATH.
    """
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(os.environ["PG_BINDIR"])

    def version(path: str) -> tuple[int, ...]:
        m = re.search(r"/postgresql/([\d.]+)/bin", path)
        return tuple(int(x) for x in m.group(1).split(".")) if m else ()

    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb")).resolve().parent))
    for c in candidates:
        if all(os.access(Path(c) / exe, os.X_OK) for exe in ("initdb", "postgres", "createdb")):
            return Path(c)
    return None


class PgServer:
    """One throwaway server: ``start()``, ``url``, ``stop()`` (also a context manager)."""

    def __init__(self, dbname: str = "riskbook", bindir: Path | None = None) -> None:
        self.dbname = dbname
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise FileNotFoundError(MISSING)
        self.root: Path | None = None
        self.proc: subprocess.Popen | None = None
        self.timings: dict[str, float] = {}
        self._run_as: dict = {}
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise FileNotFoundError(
                    "running as root, but there is no 'postgres' system user to run "
                    "the PostgreSQL server as: apt-get install postgresql"
                ) from None
            self._uid, self._gid = pw.pw_uid, pw.pw_gid
            # subprocess switches user itself (setgid/setgroups/setuid before exec): no runuser, su or PAM.
            self._run_as = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    # -- paths -----------------------------------------------------------------------------------
    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def sockdir(self) -> Path:
        return self.root

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the database (psycopg 3 driver, unix socket)."""
        return f"postgresql+psycopg://{DB_USER}@/{self.dbname}?host={self.sockdir}&port={PORT}"

    # -- steps -----------------------------------------------------------------------------------
    def _run(self, step: str, *argv: str, as_owner: bool = True) -> None:
        """Run a binary to completion (output to a file, never a pipe a daemon could keep open)."""
        out = self.root / f"{step}.out"
        t0 = time.perf_counter()
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC", "TZ": "UTC"}
        if self._run_as and as_owner:
            env.update(HOME=str(self.root), USER="postgres", LOGNAME="postgres")
        with open(out, "wb") as fh:
            try:
                p = subprocess.run(
                    [str(self.bindir / argv[0]), *argv[1:]],
                    stdin=subprocess.DEVNULL,
                    stdout=fh,
                    stderr=subprocess.STDOUT,
                    cwd=self.root,
                    env=env,
                    timeout=TIMEOUT,
                    **(self._run_as if as_owner else {}),
                )
            except subprocess.TimeoutExpired:
                raise PgServerError(f"{step} timed out after {TIMEOUT} s: {self._tail(out)}") from None
        self.timings[step] = time.perf_counter() - t0
        if p.returncode != 0:
            raise PgServerError(f"{step} failed (exit {p.returncode}): {self._tail(out)}")

    @staticmethod
    def _tail(path: Path, n: int = 20) -> str:
        try:
            return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no output)"

    def start(self) -> PgServer:
        # Under /tmp, not pytest's tmp_path: the postgres user must be able to reach it (tmp_path's
        # parents are root-only, 0700), and unix socket paths are limited to ~107 bytes.
        base = "/tmp" if os.path.isdir("/tmp") else None
        self.root = Path(tempfile.mkdtemp(prefix="riskbook-pg-", dir=base))
        atexit.register(self.stop)
        try:
            if self._run_as:
                os.chown(self.root, self._uid, self._gid)
            self._run(
                "initdb",
                "initdb",
                "-D",
                str(self.datadir),
                "-U",
                DB_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
                "--no-instructions",
            )
            with open(self.datadir / "postgresql.conf", "a", encoding="utf-8") as fh:
                fh.write(CONF.format(sock=self.sockdir, port=PORT))
            self._spawn()
            # createdb is a client: it runs as us and connects through the socket (trust auth).
            self._run(
                "createdb",
                "createdb",
                "-h",
                str(self.sockdir),
                "-p",
                str(PORT),
                "-U",
                DB_USER,
                self.dbname,
                as_owner=False,
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self) -> None:
        """Start ``postgres`` as our own child process and wait until it accepts connections.

        Not ``pg_ctl start``: that daemonises the server, which then belongs to PID 1 (a zombie
        after shutdown in containers without an init that reaps); as our child we wait for it, know
        its pid, and see at once when it dies during start-up.
        """
        t0 = time.perf_counter()
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC", "TZ": "UTC"}
        if self._run_as:
            env.update(HOME=str(self.root), USER="postgres", LOGNAME="postgres")
        with open(self.logfile, "ab") as log:
            self.proc = subprocess.Popen(
                [str(self.bindir / "postgres"), "-D", str(self.datadir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.root,
                env=env,
                start_new_session=True,
                **self._run_as,
            )
        pidfile = self.datadir / "postmaster.pid"
        deadline = time.monotonic() + TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise PgServerError(
                    f"postgres exited with {self.proc.returncode} while starting: {self._tail(self.logfile)}"
                )
            try:  # line 8 of postmaster.pid is the server's status, "ready" once it accepts connections
                lines = pidfile.read_text().splitlines()
                if len(lines) >= 8 and lines[7].strip() == "ready":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise PgServerError(f"postgres not ready after {TIMEOUT} s: {self._tail(self.logfile)}")
            time.sleep(0.02)
        self.timings["start"] = time.perf_counter() - t0

    def stop(self) -> None:
        """Stop the server (fast shutdown; SIGKILL after 20 s) and remove the directory. Idempotent."""
        if self.root is None:
            return
        if self.proc is not None and self.proc.poll() is None:
            t0 = time.perf_counter()
            self.proc.send_signal(signal.SIGINT)  # "fast" shutdown: abort sessions, checkpoint, exit
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()  # its children exit when the postmaster dies
                self.proc.wait(timeout=10)
            self.timings["stop"] = time.perf_counter() - t0
        self.proc = None
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture(scope="session")
def postgres_url():
    """SQLAlchemy URL of a fresh database on a throwaway server, for the whole session."""
    try:
        server = PgServer()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    with server:
        yield server.url


if __name__ == "__main__":
    t0 = time.perf_counter()
    with PgServer() as s:
        started = time.perf_counter() - t0
        print(s.url)
    print(
        f"start {started:.2f} s ({', '.join(f'{k} {v:.2f} s' for k, v in s.timings.items())}), "
        f"start+stop {time.perf_counter() - t0:.2f} s"
    )
