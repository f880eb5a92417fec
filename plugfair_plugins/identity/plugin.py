"""The identity plugin: Keystone as a plugfair plugin like any other."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from plugfair.api import Plugin

__all__ = ["IdentityPlugin"]


class IdentityPlugin(Plugin):
    """Keystone: the ``identity`` service client, project and token commands.

    Configure it in ``[identity]`` (an auth URL and credentials, or a
    clouds.yaml cloud).  Its tests are real API tests against Keystone and
    skip, saying why, while ``[identity]`` is not configured.
    """

    name = "identity"
    api_version = "1.1"
    description = "Keystone: identity service client, project and token commands."

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        from plugfair_plugins.identity import opts

        return [(opts.GROUP, opts.list_opts())]

    def service_clients(self) -> Mapping[str, Callable[[Any], Any]]:
        from plugfair_plugins.identity import client

        return {"identity": client.make_client}

    def cli_commands(self) -> Mapping[str, type[Any]]:
        from plugfair_plugins.identity import commands

        return commands.commands()

    def test_package(self) -> str | None:
        return "plugfair_plugins.identity.tests"
