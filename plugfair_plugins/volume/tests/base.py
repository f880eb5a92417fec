"""Base of the volume plugin's API tests against a real cloud."""

from __future__ import annotations

import uuid
from typing import Any

from plugfair.api import TestCase
from plugfair_plugins.volume import client as volume_client


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class VolumeAPITestCase(TestCase):
    """A test with ``self.volume`` on the configured cloud.

    It skips unless the ``identity`` and ``volume`` services are offered
    (the tests host's rule for every service), the identity client is
    configured, and the service catalog has a volume endpoint.
    """

    required_services = ("identity", "volume")

    def setUp(self) -> None:
        super().setUp()
        self.identity: Any = self.service_client("identity")
        if not self.identity.configured:
            self.skipTest("no cloud is configured: the identity client needs "
                          "[identity] auth_url and credentials, or cloud")
        self.volume = volume_client.VolumeClient.from_identity(self.identity, self.conf)
        if not self.volume.in_catalog():
            group = self.conf.volume
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
        except volume_client.VolumeNotFound:
            pass
