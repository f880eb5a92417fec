"""Base of the compute plugin's API tests against a real cloud."""

from __future__ import annotations

import uuid

from plugfair.api import TestCase
from plugfair_plugins.compute import client as compute_client


def unique_name(prefix: str) -> str:
    """A name no other test run uses: ``<prefix>-<12 hex>``."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


class ComputeAPITestCase(TestCase):
    """A test with ``self.compute`` on the configured cloud.

    It skips unless the ``identity`` and ``compute`` services are offered
    (the tests host's rule for every service) and the compute API can be
    reached: the identity client has a cloud whose catalog has Nova.
    """

    required_services = ("identity", "compute")

    def setUp(self) -> None:
        super().setUp()
        self.compute = compute_client.make_client(self.conf, self.registry)
        reason = self.compute.api.unavailable()
        if reason:
            self.skipTest(reason)
        #: The project of the token.
        self.project_id = self.compute.api.adapter.get_project_id()
