"""Base of the compute plugin's API tests against a real cloud."""

from __future__ import annotations

import uuid
from typing import Any

from plugfair.api import TestCase
from plugfair_plugins.compute import client as compute_client


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class ComputeAPITestCase(TestCase):
    """A test with ``self.compute`` on the configured cloud.

    It skips unless the ``identity`` and ``compute`` services are offered
    (the tests host's rule for every service), the identity client is
    configured, and the service catalog has a compute endpoint.
    """

    required_services = ("identity", "compute")

    def setUp(self) -> None:
        super().setUp()
        self.identity: Any = self.service_client("identity")
        if not self.identity.configured:
            self.skipTest("no cloud is configured: the identity client needs "
                          "[identity] auth_url and credentials, or cloud")
        self.compute = compute_client.ComputeClient.from_identity(self.identity, self.conf)
        if not self.compute.in_catalog():
            group = self.conf.compute
            self.skipTest(
                "the configured cloud's service catalog has no %r endpoint "
                "(interface %s, region %s)"
                % (group.service_type, group.interface or self.identity.interface,
                   group.region_name or self.identity.region_name or "any")
            )

    def ignore_missing(self, func: Any, *args: Any) -> None:
        """Call a delete function, ignoring "already gone" (for cleanups)."""
        try:
            func(*args)
        except compute_client.ComputeNotFound:
            pass
