"""riskbook's exceptions: one base, narrow subclasses, messages that say how to fix it."""

from __future__ import annotations


class RiskbookError(Exception):
    """Base class of every error riskbook reports to a user in one line."""


class DataError(RiskbookError):
    """An input file is unreadable or breaks the data contract."""

    def __init__(
        self, file: str, problem: str, *, row: int | None = None, column: str | None = None, fix: str | None = None
    ) -> None:
        where = file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        msg = f"{where}: {problem}"
        if fix:
            msg += f" — {fix}"
        super().__init__(msg)
        self.file, self.row, self.column = file, row, column


class ParamError(RiskbookError):
    """A parameter (command line, notebook or params/*.yaml) has an invalid value."""


def check_choice(name: str, value: object, options: list | tuple) -> None:
    """Raise ParamError unless ``value`` is one of ``options``."""
    if value not in options:
        raise ParamError(f"The value for `{name}` must be one of {list(options)}, but {value!r} was passed.")
