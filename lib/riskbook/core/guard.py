"""A file looked at before it is read: a regular file, not empty, text where text is expected, and of a size
this machine can read — said in one line naming the file, before a reader asks for more memory than there
is (a sparse 2 GiB CSV, a workbook declaring a cell at XFD1048576, a zip bomb)."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path

from riskbook.core.errors import DataError

MEMORY_FACTOR = 4  # a table in memory takes up to about 4× its CSV (text columns, the typed copy, the store)
MAX_CELLS = 50_000_000  # cells a sheet may declare: 1,048,576 rows × 47 columns
MAX_UNPACKED = 4 << 30  # bytes a workbook may unpack to (its XML)
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
SPREADSHEETS = (".xlsx", ".xlsm")


def available_memory() -> int:
    """Bytes this process may still use: the machine's available memory (psutil)."""
    import psutil

    return int(psutil.virtual_memory().available)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:  # bytes: each a code point
        n = n * 26 + (ch - 64)
    return n


def _declared_cells(head: bytes) -> int | None:
    """The cells a worksheet's ``<dimension ref="A1:XFD1048576"/>`` declares (None: no dimension)."""
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return None
    rows = int(m.group(4)) - int(m.group(2) or 1) + 1
    cols = _column_number(m.group(3)) - _column_number(m.group(1) or b"A") + 1
    return max(rows, 0) * max(cols, 0)


def check_workbook(path: Path) -> None:
    """An .xlsx: a zip whose parts unpack to a sane size and whose sheets declare a sane number of cells."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            unpacked = sum(i.file_size for i in infos)
            if unpacked > min(MAX_UNPACKED, available_memory()):
                raise DataError(
                    str(path),
                    f"unpacks to {unpacked / (1 << 30):.1f} GiB, more than this machine can read "
                    f"({path.stat().st_size / (1 << 20):.1f} MiB packed: a zip bomb, or a damaged file)",
                    fix="export the table again, or as CSV",
                )
            for info in infos:
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                with z.open(info) as f:
                    cells = _declared_cells(f.read(4096))
                if cells is not None and cells > MAX_CELLS:
                    raise DataError(
                        str(path),
                        f"sheet {Path(info.filename).stem} declares {cells:,} cells, more than riskbook reads "
                        f"({MAX_CELLS:,}): a damaged or hostile workbook",
                        fix="open it in Excel and save it again, or export the table as CSV",
                    )
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise DataError(
            str(path), f"cannot be read ({type(exc).__name__}: {exc})", fix="save it as UTF-8 CSV, XLSX or Parquet"
        ) from None


def check_file(path: Path, fix: str = "", contents: bool = True) -> None:
    """DataError (one line naming ``path``) unless it is a regular, non-empty file of a size that fits in
    memory; a CSV must be text (no NUL bytes: a binary or sparse file), a workbook sane (check_workbook; not
    with ``contents`` False, for a caller that checks it itself)."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DataError(str(path), "file not found", fix=fix) from None
    except OSError as exc:
        raise DataError(str(path), f"cannot be read ({exc.strerror or exc})", fix=fix) from None
    if stat.S_ISDIR(st.st_mode):
        raise DataError(str(path), "is a folder, not a file", fix=fix or "put the export itself there")
    if not stat.S_ISREG(st.st_mode):
        kind = "a pipe" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise DataError(str(path), f"is not a regular file ({kind})", fix=fix or "put the export itself there")
    if st.st_size == 0:
        raise DataError(str(path), "is empty (0 bytes)", fix=fix or "export it again, with its header row")
    suffix = path.suffix.lower()
    need = st.st_size * MEMORY_FACTOR
    if suffix not in SPREADSHEETS and need > available_memory():
        raise DataError(
            str(path),
            f"{st.st_size / (1 << 30):.1f} GiB needs about {need / (1 << 30):.0f} GiB of memory to read, and "
            f"this machine has {available_memory() / (1 << 30):.0f} GiB free",
            fix="split the export by period or unit, or run on a machine with more memory",
        )
    if suffix in SPREADSHEETS:
        if contents:
            check_workbook(path)
    elif suffix in (".csv", ".txt", ".tsv", ""):
        _text_file(path, st.st_size)


SAMPLE = 1 << 16  # bytes read at the start, the middle and the end of a text file to judge it


def _text_file(path: Path, size: int) -> None:
    """DataError unless the file reads as text at its start, middle and end: a binary file, or one padded
    with NUL bytes (a sparse file, a disk image), would otherwise be read to its end as one huge row."""
    try:
        with open(path, "rb") as f:
            head = f.read(SAMPLE)
            utf16 = head[:2] in (b"\xff\xfe", b"\xfe\xff")
            for at in dict.fromkeys((0, max(size // 2 - SAMPLE // 2, 0), max(size - SAMPLE, 0))):
                f.seek(at)
                chunk = head if at == 0 else f.read(SAMPLE)
                nuls = chunk.count(b"\x00")
                # a NUL in a name is a finding; a file of them is not text
                if not utf16 and nuls > max(len(chunk) // 100, 16):
                    where = f"its first {len(chunk):,}" if at == 0 else f"{len(chunk):,} bytes from byte {at:,}"
                    raise DataError(
                        str(path),
                        f"is not a text file ({nuls:,} NUL bytes in {where})",
                        fix="export the table again as CSV",
                    )
    except OSError as exc:
        raise DataError(str(path), f"cannot be read ({exc.strerror or exc})") from None
