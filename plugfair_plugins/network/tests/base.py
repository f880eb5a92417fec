"""Base of the network plugin's API tests against a real cloud."""

from __future__ import annotations

import uuid

from plugfair.api import TestCase
from plugfair_plugins.network import client as network_client


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class NetworkAPITestCase(TestCase):
    """A test with ``self.network`` on the configured cloud.

    It skips unless the ``identity`` and ``network`` services are offered
    (the tests host's rule for every service) and the network API can be
    reached: the identity client has a cloud whose catalog has Neutron.
    """

    required_services = ("identity", "network")

    def setUp(self) -> None:
        super().setUp()
        self.network = network_client.make_client(self.conf, self.registry)
        reason = self.network.api.unavailable()
        if reason:
            self.skipTest(reason)
        #: The project of the token.
        self.project_id = self.network.api.adapter.get_project_id()
