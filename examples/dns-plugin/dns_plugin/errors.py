"""Errors of the DNS plugin, rooted at :class:`plugfair.api.PlugfairError`."""

from __future__ import annotations

from plugfair.api import ServiceError, UsageError

__all__ = ["DnsError", "DnsNotFound", "DnsConflict", "InvalidInput"]


class DnsError(ServiceError):
    """A DNS operation failed; the message says which and why.

    ``status_code`` is the HTTP status of Designate's answer, if any.
    """


class DnsNotFound(DnsError, LookupError):
    """No such zone or recordset."""


class DnsConflict(DnsError):
    """The zone or recordset already exists."""


class InvalidInput(UsageError):
    """A zone name, e-mail, TTL or record is not valid; nothing was written."""
