"""Errors of the identity plugin."""

from __future__ import annotations

from plugfair.api import ConfigError, ServiceError

__all__ = ["IdentityError", "IdentityNotFound", "NotConfigured"]


class IdentityError(ServiceError):
    """A Keystone call failed; the message says which and why.

    ``status_code`` is the HTTP status of Keystone's answer, if there was one.
    """


class IdentityNotFound(IdentityError, LookupError):
    """Keystone has no such object (HTTP 404), or a name matched nothing."""


class NotConfigured(ConfigError):
    """``[identity]`` does not say how to reach and authenticate to Keystone."""
