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

    It authenticates through the ``identity`` service client from the
    registry and finds Cinder in the service catalog (``[volume]``).
    """

    name = "volume"
    api_version = "1.0"
    description = "Cinder: volume service client, volume commands and quota."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.volume import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[[Any], Any]]:
        from plugfair_plugins.volume import client

        return {"volume": lambda conf: client.make_client(conf, self.registry)}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.volume import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.volume.tests"

    def quota_resources(self) -> Sequence[QuotaResource]:
        from plugfair_plugins.volume import quota

        return quota.RESOURCES

    def quota_usage(self, project_id: str, resource_names: Sequence[str]) -> Mapping[str, int]:
        """Usage as Cinder counts it; unknown ({}) while no cloud is configured.

        :raises VolumeError: if a cloud is configured but Cinder answers
            with an error.
        """
        from plugfair_plugins.volume import client, quota

        try:
            identity = client.identity_client(self.conf, self.registry)
        except client.VolumeError as exc:
            LOG.warning("Volume usage is unknown: %s", exc)
            return {}
        if not getattr(identity, "configured", True):
            return {}
        volume = client.VolumeClient.from_identity(identity, self.conf)
        if not volume.in_catalog():
            LOG.debug("No %r endpoint in the catalog: volume usage is unknown.",
                     self.conf.volume.service_type)
            return {}
        return quota.usage(volume, project_id, resource_names)
