"""Errors that reach the user as one line: what went wrong, where, and the fix."""

from __future__ import annotations


def first_line(e: BaseException | str) -> str:
    """The first line of an error's message (DuckDB's and Spark's run to many), else its type."""
    text = str(e).strip()
    if text:
        return text.splitlines()[0]
    return type(e).__name__ if isinstance(e, BaseException) else ""


class ChatgraphError(Exception):
    """Base class: the message is printed as ``Error: <message>`` and the exit code is 1."""

    exit_code = 1


class NotAnExport(ChatgraphError):
    """A file holds no posts in any supported format."""


class UnknownFormat(NotAnExport):
    """No supported format recognises the file (or it is empty, or holds no posts of any)."""


class BadRecord(ChatgraphError):
    """A record could not be read (raised under ``--strict``)."""


class ArchiveBusy(ChatgraphError):
    """Another process holds the archive's write lock."""


class UsageError(ChatgraphError):
    """The command line asks for something that does not exist."""

    exit_code = 2
