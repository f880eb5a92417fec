"""Base of the volume plugin's API tests against a real cloud."""

from __future__ import annotations

import uuid

from plugfair.api import TestCase
from plugfair_plugins.volume import client as volume_client


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class VolumeAPITestCase(TestCase):
    """A test with ``self.volume`` on the configured cloud.

    It skips unless the ``identity`` and ``volume`` services are offered
    (the tests host's rule for every service) and the volume API can be
    reached: the identity client has a cloud whose catalog has Cinder.
    """

    required_services = ("identity", "volume")

    def setUp(self) -> None:
        super().setUp()
        self.volume = volume_client.make_client(self.conf, self.registry)
        reason = self.volume.api.unavailable()
        if reason:
            self.skipTest(reason)
        #: The project of the token.
        self.project_id = self.volume.api.adapter.get_project_id()
