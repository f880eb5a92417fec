"""The base of a service client's tests against a real cloud: :class:`ServiceTestCase`."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from plugfair.interface.errors import UsageError
from plugfair.interface.serviceapi import ServiceAPI
from plugfair.interface.testcase import TestCase

__all__ = ["ServiceTestCase"]


class ServiceTestCase(TestCase):
    """A test of one service's client, against the configured cloud.

    Name the service in :attr:`service`.  Before each test, :attr:`client`
    is its client, built through the registry as any plugin builds it, and
    the test skips, saying why, unless the service is available (see
    :meth:`~plugfair.api.TestCase.require_service`) and, for a client on
    :class:`~plugfair.api.ServiceAPI` (its ``api`` attribute), the API can
    be reached (:meth:`~plugfair.api.ServiceAPI.unavailable`)::

        class ServerTest(api.ServiceTestCase):
            service = "compute"

            @api.idempotent_id("e9b6be5e-16cf-42ce-b345-36d9e033bae6")
            def test_list(self):
                self.assertIsInstance(self.client.list_servers(), list)

    .. versionadded:: 1.1
    """

    #: The service whose client is under test.
    service: ClassVar[str] = ""

    def setUp(self) -> None:
        super().setUp()
        if not self.service:
            raise UsageError(
                "%s is a ServiceTestCase without a service: set its class attribute "
                "'service' to a service name." % type(self).__name__
            )
        self.require_service(self.service)
        #: The client of :attr:`service`.
        self.client: Any = self.service_client(self.service)
        api = getattr(self.client, "api", None)
        reason = api.unavailable() if isinstance(api, ServiceAPI) else None
        if reason:
            self.skipTest("The %r service client cannot reach its API: %s."
                          % (self.service, reason.rstrip(".")))

    def unique_name(self, prefix: str = "plugfair-test") -> str:
        """A name no other test run uses: ``<prefix>-<12 hex digits>``."""
        return "%s-%s" % (prefix, uuid.uuid4().hex[:12])
