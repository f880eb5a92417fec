"""The network plugin: Neutron as a plugfair plugin like any other."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.api import Plugin, QuotaResource

__all__ = ["NetworkPlugin"]

LOG = logging.getLogger(__name__)


class NetworkPlugin(Plugin):
    """Neutron: the ``network`` service client, network commands and quota.

    It authenticates through the ``identity`` service client, which the host
    gives its factory, and finds Neutron in the service catalog (``[network]``).
    """

    name = "network"
    api_version = "1.1"
    description = "Neutron: network service client, network commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.network import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[..., Any]]:
        from plugfair_plugins.network import client

        return {"network": client.make_client}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.network import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.network.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.network import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Neutron counts it; unknown ({}) while there is no Neutron to ask.

        :raises NetworkError: if Neutron answers with an error.
        """
        from plugfair_plugins.network import client, quota

        network = client.make_client(self.conf, self.registry)
        reason = network.api.unavailable()
        if reason:
            LOG.debug("Network usage is unknown: %s", reason)
            return {}
        return quota.usage(network, project_id, resource_names)
