"""Test seams for plugin authors: temporary distributions and registries."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import fixtures

from plugfair.interface.deadlines import HOOK_TIMEOUT_DEFAULT

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.plugin import Plugin

__all__ = ["PluginDistribution", "make_registry"]

_NAMESPACE = "plugfair.plugins"


class PluginDistribution(fixtures.Fixture):
    """Make a temporary plugin distribution discoverable in this process.

    It writes the modules and a ``.dist-info`` directory with real entry
    points into a temporary ``sys.path`` entry, so discovery finds the
    plugins exactly as if they had been installed with pip.  Everything is
    removed again on cleanup, including the imported modules.

    :param name: the distribution name.
    :param plugins: entry-point name -> ``"module:Class"`` in group
        ``plugfair.plugins``.
    :param modules: dotted module name -> Python source.  Packages are
        created as needed.
    :param version: the distribution version.
    :param directory: an existing directory to use as the ``sys.path``
        entry (several distributions may share one); a new temporary
        directory by default.
    :param entry_points: entry points of other groups, as ``{group: {name:
        "module:attr"}}``, e.g. a ``tempest.test_plugins`` entry point for
        a plugin that hosts Tempest plugins.

    .. versionadded:: 1.0
    .. versionchanged:: 1.1
       ``entry_points``.
    """

    def __init__(
        self,
        name: str,
        plugins: Mapping[str, str],
        modules: Mapping[str, str] | None = None,
        *,
        version: str = "1.0.0",
        directory: str | None = None,
        entry_points: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.plugins = dict(plugins)
        self.modules = dict(modules or {})
        self.version = version
        self.directory = directory
        self.entry_points = {g: dict(eps) for g, eps in (entry_points or {}).items()}
        #: The ``sys.path`` entry holding the distribution, once set up.
        self.path = ""

    def _setUp(self) -> None:
        if self.directory is None:
            self.path = self.useFixture(fixtures.TempDir()).path
        else:
            self.path = self.directory
        write_distribution(
            self.path, self.name, self.version, self.plugins, self.modules,
            self.entry_points,
        )
        if self.path not in sys.path:
            sys.path.insert(0, self.path)
            self.addCleanup(_remove_path, self.path)
        self.addCleanup(_forget_modules, self.path)
        _invalidate()
        self.addCleanup(_invalidate)


def write_distribution(
    path: str,
    name: str,
    version: str,
    plugins: Mapping[str, str],
    modules: Mapping[str, str],
    extra_entry_points: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Write modules and a dist-info for ``name`` under ``path``.

    :returns: the dist-info directory.
    """
    # A name that has submodules is a package, whatever the order given.
    packages = {
        ".".join(d.split(".")[:i]) for d in modules for i in range(1, d.count(".") + 1)
    }
    for dotted, source in modules.items():
        parts = dotted.split(".")
        for i in range(1, len(parts)):
            pkg = os.path.join(path, *parts[:i])
            os.makedirs(pkg, exist_ok=True)
            init = os.path.join(pkg, "__init__.py")
            if not os.path.exists(init):
                open(init, "w").close()
        filename = os.path.join(path, *parts) + ".py"
        if dotted in packages or os.path.isdir(os.path.join(path, *parts)):
            os.makedirs(os.path.join(path, *parts), exist_ok=True)
            filename = os.path.join(path, *parts, "__init__.py")
        with open(filename, "w", encoding="utf-8") as f:
            f.write(textwrap.dedent(source))
    norm = name.replace("-", "_")
    info = os.path.join(path, "%s-%s.dist-info" % (norm, version))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, "METADATA"), "w", encoding="utf-8") as f:
        f.write("Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version))
    groups: dict[str, Mapping[str, str]] = {_NAMESPACE: plugins}
    groups.update(extra_entry_points or {})
    with open(os.path.join(info, "entry_points.txt"), "w", encoding="utf-8") as f:
        for group, eps in groups.items():
            f.write("[%s]\n" % group)
            for ep_name, target in eps.items():
                f.write("%s = %s\n" % (ep_name, target))
            f.write("\n")
    with open(os.path.join(info, "RECORD"), "w", encoding="utf-8") as f:
        f.write("")
    return info


def _remove_path(path: str) -> None:
    while path in sys.path:
        sys.path.remove(path)


def _forget_modules(path: str) -> None:
    prefix = os.path.join(path, "")
    for modname, mod in list(sys.modules.items()):
        location = getattr(mod, "__file__", None) or ""
        if location.startswith(prefix):
            del sys.modules[modname]


def _invalidate() -> None:
    importlib.invalidate_caches()
    try:
        from stevedore import ExtensionManager
    except ImportError:  # pragma: no cover
        return
    ExtensionManager.ENTRY_POINT_CACHE.pop(_NAMESPACE, None)


def make_registry(
    *plugins: type[Plugin],
    conf: cfg.ConfigOpts | None = None,
    hook_timeout: float | None = HOOK_TIMEOUT_DEFAULT,
) -> Any:
    """Build a registry of plugin classes, as the host would of installed ones.

    Each class is validated exactly as an installed plugin would be, with
    its ``name`` as the entry-point name, and so are the plugins it hosts.
    The result offers :meth:`~plugfair.api.ServiceClients.service_client`
    and ``load(name)`` (which returns the plugin instance).

    .. versionadded:: 1.0
    """
    from plugfair.interface.provided import provided

    return provided("make_registry")(*plugins, conf=conf, hook_timeout=hook_timeout)
