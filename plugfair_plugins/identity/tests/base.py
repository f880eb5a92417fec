"""Base of the identity plugin's API tests.

The tests talk to a real Keystone.  They skip, saying why, when
``[identity]`` is not configured: the decision comes from the
configuration the tests run with, never from a list of services.
"""

from __future__ import annotations

import uuid
from typing import Any

from plugfair.api import TestCase
from plugfair_plugins.identity import client as identity_client

NOT_CONFIGURED = (
    "[identity] is not configured (set auth_url and credentials, or cloud, "
    "in the plugfair.conf the tests run with); the Keystone API tests need "
    "a reachable Keystone."
)


# One authenticated client per configuration and scope, shared by the tests
# of a process: every authentication costs Keystone a password hash.
_CLIENTS: dict[tuple[int, str], tuple[Any, Any]] = {}


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class IdentityTestCase(TestCase):
    """A test with ``self.identity``: the registry's ``identity`` client.

    It skips unless a plugin offers service ``identity`` (the tests host's
    rule, the same for every service) and ``[identity]`` is configured.
    """

    required_services = ("identity",)

    def setUp(self) -> None:
        super().setUp()
        self.identity: Any = self._shared("project", lambda: self.service_client("identity"))
        if not self.identity.configured:
            self.skipTest(NOT_CONFIGURED)

    def _shared(self, scope: str, build: Any) -> Any:
        key = (id(self.conf), scope)
        cached = _CLIENTS.get(key)
        if cached is None or cached[0] is not self.conf:
            cached = _CLIENTS[key] = (self.conf, build())
        return cached[1]

    def system_client(self) -> Any:
        """A system-scoped client with the configured credentials (shared)."""
        return self._shared("system", self.identity.system_scoped)

    def ignore_missing(self, func: Any, *args: Any) -> None:
        """Call a delete function, ignoring "already gone" (for cleanups)."""
        try:
            func(*args)
        except identity_client.IdentityNotFound:
            pass
