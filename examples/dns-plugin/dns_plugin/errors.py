"""Errors of the DNS plugin, rooted at :class:`plugfair.api.PlugfairError`."""

from __future__ import annotations

from plugfair.api import PlugfairError, UsageError

__all__ = ["DnsError", "DnsNotFound", "DnsConflict", "InvalidInput"]


class DnsError(PlugfairError):
    """A DNS operation failed; the message says which and why.

    :param status_code: the HTTP status from Designate, if any.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of Designate's answer, if there was one.
        self.status_code = status_code


class DnsNotFound(DnsError, LookupError):
    """No such zone or recordset."""


class DnsConflict(DnsError):
    """The zone or recordset already exists."""


class InvalidInput(UsageError):
    """A zone name, e-mail, TTL or record is not valid; nothing was written."""
