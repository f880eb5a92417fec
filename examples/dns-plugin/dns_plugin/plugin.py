"""The DNS plugin class."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.api import Plugin, QuotaResource

__all__ = ["DnsPlugin"]

LOG = logging.getLogger(__name__)


class DnsPlugin(Plugin):
    """DNS zones: the ``dns`` service client, zone commands, quota and tests.

    Zones live in a local JSON file (``[dns] backend = demo``, the default)
    or in Designate, found through the ``identity`` service client and the
    service catalog (``[dns] backend = designate``).
    """

    name = "dns"
    api_version = "1.1"
    description = "DNS zones: service client, zone and recordset commands, quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from dns_plugin import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[..., Any]]:
        from dns_plugin import client

        return {"dns": client.make_client}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from dns_plugin import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "dns_plugin.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from dns_plugin import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage counted by the backend; unknown ({}) while Designate is out of reach.

        :raises DnsError: if the backend fails (e.g. Designate answers an error).
        """
        from dns_plugin import client, quota

        backend = client.make_client(self.conf, self.registry)
        api = getattr(backend, "api", None)  # the designate backend's
        reason = api.unavailable() if api is not None else None
        if reason:
            LOG.debug("DNS usage is unknown: %s", reason)
            return {}
        return quota.usage(backend, project_id, resource_names)
