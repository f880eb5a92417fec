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

    It authenticates through the ``identity`` service client from the
    registry and finds Neutron in the service catalog (``[network]``).
    """

    name = "network"
    api_version = "1.0"
    description = "Neutron: network service client, network commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.network import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[[Any], Any]]:
        from plugfair_plugins.network import client

        return {"network": lambda conf: client.make_client(conf, self.registry)}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.network import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.network.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.network import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Neutron counts it; unknown ({}) while no cloud is configured.

        :raises NetworkError: if a cloud is configured but Neutron answers
            with an error.
        """
        from plugfair_plugins.network import client, quota

        try:
            identity = client.identity_client(self.conf, self.registry)
        except client.NetworkError as exc:
            LOG.warning("Network usage is unknown: %s", exc)
            return {}
        if not getattr(identity, "configured", True):
            return {}
        network = client.NetworkClient.from_identity(identity, self.conf)
        if not network.in_catalog():
            LOG.debug("No %r endpoint in the catalog: network usage is unknown.",
                     self.conf.network.service_type)
            return {}
        return quota.usage(network, project_id, resource_names)
