"""The small protocols a plugin uses to reach the host (API 1.1).

A plugin never gets plugfair's internal classes: it gets an object that
satisfies one of these protocols.  ``self.registry`` of a plugin, a
command or a test is a :class:`ServiceClients`; a command's
``quota_enforcer()`` returns a :class:`QuotaEnforcer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

__all__ = ["ServiceClients", "QuotaEnforcer"]


@runtime_checkable
class ServiceClients(Protocol):
    """Another plugin's service client, by service name.

    .. versionadded:: 1.1
    """

    def service_client(self, service: str) -> Any:
        """Build the client of ``service``, whichever plugin offers it.

        The offering plugin's factory runs on each call, with the current
        configuration; a plugin that wants one session per configuration
        keeps it itself.

        :raises PluginNotFound: if no usable plugin offers ``service``.
        :raises PluginCollision: if two enabled plugins offer it and the
            operator did not pick one (``[plugfair] service_providers``).
        :raises PluginLoadError: if the offering plugin fails.
        """


@runtime_checkable
class QuotaEnforcer(Protocol):
    """Quota checks against every plugin's declared limits.

    Keys are ``<plugin>.<resource>``; deltas and amounts are positive
    integers.

    .. versionadded:: 1.1
    """

    def check(self, project_id: str, deltas: Mapping[str, int]) -> None:
        """Raise :class:`plugfair.api.QuotaExceeded`, naming every resource
        that would go over its limit, if adding ``deltas`` would."""

    def consume(self, project_id: str, deltas: Mapping[str, int]) -> None:
        """Check, then record the usage (for resources the host counts)."""

    def release(self, project_id: str, amounts: Mapping[str, int]) -> None:
        """Give back what :meth:`consume` recorded."""

    def usage(self, project_id: str) -> dict[str, int | None]:
        """Current usage of every resource (``None``: unknown)."""
