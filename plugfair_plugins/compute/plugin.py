"""The compute plugin: Nova as a plugfair plugin like any other."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.api import Plugin, QuotaResource

__all__ = ["ComputePlugin"]

LOG = logging.getLogger(__name__)


class ComputePlugin(Plugin):
    """Nova: the ``compute`` service client, server commands and quota.

    It authenticates through the ``identity`` service client from the
    registry and finds Nova in the service catalog (``[compute]``).
    """

    name = "compute"
    api_version = "1.0"
    description = "Nova: compute service client, server commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.compute import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[[Any], Any]]:
        from plugfair_plugins.compute import client

        return {"compute": lambda conf: client.make_client(conf, self.registry)}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.compute import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.compute.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.compute import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Nova counts it; unknown ({}) while no cloud is configured.

        :raises ComputeError: if a cloud is configured but Nova answers
            with an error.
        """
        from plugfair_plugins.compute import client, quota

        try:
            identity = client.identity_client(self.conf, self.registry)
        except client.ComputeError as exc:
            LOG.warning("Compute usage is unknown: %s", exc)
            return {}
        if not getattr(identity, "configured", True):
            return {}
        compute = client.ComputeClient.from_identity(identity, self.conf)
        if not compute.in_catalog():
            LOG.debug("No %r endpoint in the catalog: compute usage is unknown.",
                     self.conf.compute.service_type)
            return {}
        return quota.usage(compute, project_id, resource_names)
