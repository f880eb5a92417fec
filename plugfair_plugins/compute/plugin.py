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

    It authenticates through the ``identity`` service client, which the host
    gives its factory, and finds Nova in the service catalog (``[compute]``).
    """

    name = "compute"
    api_version = "1.1"
    description = "Nova: compute service client, server commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.compute import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[..., Any]]:
        from plugfair_plugins.compute import client

        return {"compute": client.make_client}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.compute import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.compute.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.compute import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Nova counts it; unknown ({}) while there is no Nova to ask.

        :raises ComputeError: if Nova answers with an error.
        """
        from plugfair_plugins.compute import client, quota

        compute = client.make_client(self.conf, self.registry)
        reason = compute.api.unavailable()
        if reason:
            LOG.debug("Compute usage is unknown: %s", reason)
            return {}
        return quota.usage(compute, project_id, resource_names)
