"""Shield Tempest's own plugin loading from broken plugins.

Tempest loads its plugins through ``TempestTestPluginManager``, a
singleton built on a stevedore ``ExtensionManager`` that re-raises the
first plugin that fails to load.  Tempest builds it on the first access to
``tempest.config.CONF``, which every Tempest test module makes at import,
so one broken plugin would stop every Tempest test in the process.

:func:`install` replaces that manager, in this process, with one that
holds only the Tempest plugins plugfair has loaded here (those enabled and
healthy, in plugin-name order) and that logs, instead of raising, a plugin
hook that fails.  The bridge installs it before any Tempest test module is
imported: in the host process, in the lister and in every worker, because
plugfair loads the plugins of a process before it discovers their tests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

__all__ = ["ShieldedPluginManager", "install", "add", "manager"]

LOG = logging.getLogger(__name__)


class _Extension:
    """What Tempest reads of a stevedore extension: name, object and
    entry point."""

    def __init__(self, name: str, entry_point: Any, obj: Any) -> None:
        self.name = name
        self.entry_point = entry_point
        self.obj = obj
        self.plugin = type(obj)

    @property
    def entry_point_target(self) -> str:
        return str(getattr(self.entry_point, "value", ""))


class ShieldedPluginManager:
    """Tempest's plugin manager, with isolation.

    It offers the methods Tempest's code calls on
    ``TempestTestPluginManager``; each plugin hook runs in its own
    ``try``, so a plugin that raises is logged and left out, and the others
    are served.
    """

    def __init__(self) -> None:
        self._extensions: dict[str, _Extension] = {}

    # -- what the bridge does -------------------------------------------

    def add(self, name: str, entry_point: Any, obj: Any) -> None:
        """Serve a Tempest plugin object (loaded by plugfair) to Tempest."""
        self._extensions[name] = _Extension(name, entry_point, obj)

    @property
    def ext_plugins(self) -> list[_Extension]:
        return [self._extensions[n] for n in sorted(self._extensions)]

    def __iter__(self) -> Iterator[_Extension]:
        return iter(self.ext_plugins)

    # -- what Tempest calls --------------------------------------------

    def get_plugin_load_tests_tuple(self) -> dict[str, Any]:
        out = {}
        for ext in self.ext_plugins:
            try:
                out[ext.name] = ext.obj.load_tests()
            except Exception:  # noqa: BLE001 - one plugin never stops the others
                LOG.exception("Tempest plugin %s: load_tests() failed", ext.name)
        return out

    def register_plugin_opts(self, conf: Any) -> None:
        for ext in self.ext_plugins:
            try:
                ext.obj.register_opts(conf)
            except Exception:  # noqa: BLE001
                LOG.exception("Tempest plugin %s: register_opts() failed", ext.name)

    def get_plugin_options_list(self) -> list[Any]:
        out: list[Any] = []
        for ext in self.ext_plugins:
            try:
                out.extend(ext.obj.get_opt_lists() or [])
            except Exception:  # noqa: BLE001
                LOG.exception("Tempest plugin %s: get_opt_lists() failed", ext.name)
        return out

    def _register_service_clients(self) -> None:
        from tempest.lib.services import clients

        registry = clients.ClientsRegistry()
        for ext in self.ext_plugins:
            try:
                found = ext.obj.get_service_clients()
                if found:
                    registry.register_service_client(ext.name, found)
            except Exception:  # noqa: BLE001
                LOG.exception("Tempest plugin %s: get_service_clients() failed", ext.name)


_MANAGER: ShieldedPluginManager | None = None


def manager() -> ShieldedPluginManager:
    """The shielded manager of this process (installed on first use)."""
    return install()


def install() -> ShieldedPluginManager:
    """Make Tempest use the shielded manager in this process (idempotent).

    :returns: the manager.
    """
    global _MANAGER
    if _MANAGER is not None:
        return _MANAGER
    from tempest import config
    from tempest.test_discover import plugins

    _MANAGER = ShieldedPluginManager()
    shielded = _MANAGER

    def get_manager() -> ShieldedPluginManager:
        return shielded

    plugins.TempestTestPluginManager = get_manager
    if getattr(config.CONF, "_config", None) is not None:
        LOG.warning(
            "Tempest's configuration was read before plugfair could shield its "
            "plugin loading; a broken Tempest plugin may affect the others."
        )
    return shielded


def add(name: str, entry_point: Any, obj: Any) -> None:
    """Serve a loaded Tempest plugin object to Tempest in this process."""
    manager().add(name, entry_point, obj)
