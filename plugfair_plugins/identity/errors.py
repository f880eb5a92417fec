"""Errors of the identity plugin."""

from __future__ import annotations

from plugfair.api import ConfigError, PlugfairError

__all__ = ["IdentityError", "IdentityNotFound", "NotConfigured"]


class IdentityError(PlugfairError):
    """A Keystone call failed; the message says which and why.

    :param status_code: the HTTP status, or ``None`` when no answer came.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of Keystone's answer, if there was one.
        self.status_code = status_code


class IdentityNotFound(IdentityError, LookupError):
    """Keystone has no such object (HTTP 404), or a name matched nothing."""


class NotConfigured(ConfigError):
    """``[identity]`` does not say how to reach and authenticate to Keystone."""
