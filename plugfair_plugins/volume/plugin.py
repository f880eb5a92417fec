"""The volume plugin: Cinder as a plugfair plugin like any other."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.api import Plugin, QuotaResource

__all__ = ["VolumePlugin"]

LOG = logging.getLogger(__name__)


class VolumePlugin(Plugin):
    """Cinder: the ``volume`` service client, volume commands and quota.

    It authenticates through the ``identity`` service client, which the host
    gives its factory, and finds Cinder in the service catalog (``[volume]``).
    """

    name = "volume"
    api_version = "1.1"
    description = "Cinder: volume service client, volume commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.volume import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[..., Any]]:
        from plugfair_plugins.volume import client

        return {"volume": client.make_client}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.volume import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.volume.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.volume import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Cinder counts it; unknown ({}) while there is no Cinder to ask.

        :raises VolumeError: if Cinder answers with an error.
        """
        from plugfair_plugins.volume import client, quota

        volume = client.make_client(self.conf, self.registry)
        reason = volume.api.unavailable()
        if reason:
            LOG.debug("Volume usage is unknown: %s", reason)
            return {}
        return quota.usage(volume, project_id, resource_names)
