"""plugfair's own commands, registered as the plugin ``plugfair``.

This class is listed in setup.cfg under ``plugfair.plugins`` exactly like
any other plugin; there is no private command table.  Each host module
listed in :data:`COMMAND_MODULES` has a ``commands()`` function returning
``{name: command class}``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.api import Plugin
from plugfair.interface.deadlines import HOOK_TIMEOUT_DEFAULT

#: Modules that contribute plugfair's own commands.
COMMAND_MODULES = (
    "plugfair.cli.commands.plugins",
    "plugfair.cli.commands.config",
    "plugfair.quota.commands",
    "plugfair.dashboard.commands",
    "plugfair.scaffold.commands",
    "plugfair.testhost.commands",
    "plugfair.conformance.commands",
)

#: Modules whose ``list_opts()`` returns ``[(group, [opts])]`` for the groups
#: plugfair's own plugin owns: [plugfair], [plugfair_*] and config_groups.
OPTION_MODULES = (
    "plugfair.config.opts",
    "plugfair.quota.opts",
    "plugfair.dashboard.opts",
    "plugfair.testhost.options",
)


# -- what the stable layer declares and this root provides --------------
# (entry-point group plugfair.api.provided; see plugfair.interface.provided)


def provide_test_host() -> Any:
    """The running test host's view, for ``plugfair.api.TestCase``."""
    from plugfair.testhost import context

    return context.current


def provide_make_registry() -> Any:
    """``plugfair.api.make_registry``: a registry of given plugin classes."""
    from plugfair.registry.core import Registry

    def make_registry(*plugins: Any, conf: Any = None, hook_timeout: float | None = HOOK_TIMEOUT_DEFAULT) -> Any:
        return Registry.from_plugins(plugins, conf=conf, hook_timeout=hook_timeout)

    return make_registry


def provide_registry_class() -> Any:
    """The deprecated ``plugfair.api.Registry``."""
    from plugfair.registry.core import Registry

    return Registry


def provide_enforcer_class() -> Any:
    """The deprecated ``plugfair.api.Enforcer``."""
    from plugfair.quota.enforcer import Enforcer

    return Enforcer


class PlugfairPlugin(Plugin):
    """Core commands: plugins, configuration, tests, quota, conformance."""

    name = "plugfair"
    api_version = "1.1"
    description = "plugfair's own commands."
    config_groups = ("quota", "dashboard")

    def cli_commands(self) -> Mapping[str, type[Any]]:
        out: dict[str, type[Any]] = {}
        for module in COMMAND_MODULES:
            out.update(importlib.import_module(module).commands())
        return out

    def config_options(self) -> Sequence[tuple[str, Sequence[Any]]]:
        # The host registers the same [plugfair] options before any plugin
        # loads (it needs them to select plugins); equal options register
        # once, and declaring them here puts them in the sample like any
        # other plugin's.
        out: list[tuple[str, Sequence[Any]]] = []
        for module in OPTION_MODULES:
            out.extend(importlib.import_module(module).list_opts())
        return out
