"""The plugfair plugins the bridge hosts: Tempest's own tests, and each
installed Tempest plugin.

Each is a :class:`plugfair.api.Plugin` subclass made when plugfair loads
it, so it is judged, selected, configured and reported like any plugin:

* its options are the options it registers in Tempest's configuration,
  moved into groups of its own (see :func:`plugfair_group`): Tempest's
  ``[identity]`` becomes ``[tempest_identity]``, and the
  ``[service_available] barbican`` option of the plugin ``barbican_tests``
  becomes ``[barbican_tests_service_available] barbican``;
* its tests are the package its ``load_tests()`` names (for Tempest itself:
  ``tempest.api``, ``tempest.scenario`` and ``tempest.serial_tests``).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from oslo_config import cfg

from plugfair.api import Plugin, PluginValidationError

__all__ = [
    "TempestHosted",
    "TEMPEST_PACKAGES",
    "plugfair_group",
    "plugin_name",
    "loaded",
    "load_tempest",
    "load_tempest_plugin",
]

#: The packages of Tempest's own tests, as ``tempest run`` discovers them.
TEMPEST_PACKAGES = ("tempest.api", "tempest.scenario", "tempest.serial_tests")

#: One Tempest option, where it lives: (Tempest group or None for
#: [DEFAULT], plugfair group, the option).
Placement = tuple[str | None, str, cfg.Opt]

_LOADED: dict[str, TempestHosted] = {}


def plugin_name(entry_point_name: str) -> str:
    """A plugfair plugin name for a ``tempest.test_plugins`` entry point:
    lowercase, with every other character than ``a-z0-9_`` turned into
    ``_``, starting with a letter, at most 40 characters."""
    name = re.sub(r"[^a-z0-9_]", "_", entry_point_name.lower())
    if not name[:1].isalpha():
        name = "p_" + name
    return name[:40]


def plugfair_group(plugin: str, tempest_group: str | None) -> str:
    """The plugfair group of a Tempest group, for one hosted plugin:
    ``<plugin>_<group>`` with ``-`` turned into ``_``, or ``<plugin>`` for
    ``[DEFAULT]``."""
    if not tempest_group or tempest_group == "DEFAULT":
        return plugin
    return "%s_%s" % (plugin, tempest_group.replace("-", "_").lower())


class _Recorder(cfg.ConfigOpts):
    """A ``ConfigOpts`` that remembers what is registered into it, so a
    Tempest plugin's ``register_opts()`` says exactly what it adds."""

    def __init__(self) -> None:
        # Set before ConfigOpts.__init__, which registers options itself.
        self.found: list[tuple[str | None, cfg.Opt]] = []
        super().__init__()
        self.found.clear()

    def register_opt(self, opt: cfg.Opt, group: Any = None, cli: bool = False, **kw: Any) -> bool:
        name = group.name if isinstance(group, cfg.OptGroup) else group
        self.found.append((name, opt))
        return bool(super().register_opt(opt, group, cli, **kw))


class TempestHosted(Plugin):
    """Base of the plugins the bridge hosts (made by the load functions)."""

    api_version = "1.1"
    #: Where each of its Tempest options lives.
    placements: ClassVar[tuple[Placement, ...]] = ()
    #: Its test packages.
    packages: ClassVar[tuple[str, ...]] = ()
    #: For a Tempest plugin: its entry point and the object Tempest uses.
    entry_point: ClassVar[Any] = None
    tempest_plugin: ClassVar[Any] = None

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        from plugfair_plugins.tempest import shield

        shield.install()
        if self.tempest_plugin is not None:
            shield.add(self.entry_point.name, self.entry_point, self.tempest_plugin)
        _LOADED[self.name] = self

    def config_options(self) -> Sequence[tuple[str, Sequence[cfg.Opt]]]:
        groups: dict[str, list[cfg.Opt]] = {}
        for _tempest, group, opt in self.placements:
            if all(o.dest != opt.dest for o in groups.get(group, [])):
                groups.setdefault(group, []).append(opt)
        return sorted(groups.items())

    def test_packages(self) -> Sequence[str]:
        return list(self.packages)


def loaded() -> list[TempestHosted]:
    """The hosted plugins loaded in this process, by name."""
    return [_LOADED[n] for n in sorted(_LOADED)]


def _make(name: str, description: str, placements: list[Placement], packages: Sequence[str],
          **extra: Any) -> type[TempestHosted]:
    attrs: dict[str, Any] = {
        "name": name,
        "description": description,
        "placements": tuple(placements),
        "packages": tuple(packages),
        "__module__": __name__,
        "__doc__": description,
    }
    attrs.update(extra)
    return type("Hosted_%s" % name, (TempestHosted,), attrs)


def load_tempest() -> type[TempestHosted]:
    """Load Tempest's own tests as the plugin ``tempest``."""
    from tempest import config

    from plugfair_plugins.tempest import shield

    shield.install()
    placements: list[Placement] = []
    for group, opts in getattr(config, "_opts", ()):
        tempest_group = getattr(group, "name", group)
        for opt in opts:
            placements.append((tempest_group, plugfair_group("tempest", tempest_group), opt))
    packages = [p for p in TEMPEST_PACKAGES if importlib.util.find_spec(p) is not None]
    return _make(
        "tempest",
        "Tempest's own tests (%s)." % ", ".join(packages),
        placements,
        packages,
    )


def _test_package(plugin: str, where: object) -> str:
    """The dotted package of a Tempest plugin's ``load_tests()`` answer."""
    if not (isinstance(where, (tuple, list)) and len(where) == 2):
        raise PluginValidationError(
            plugin, "load_tests()", "it returned %r, not (test_dir, top_level)." % (where,)
        )
    test_dir, top = (os.path.abspath(str(p)) for p in where)
    relative = os.path.relpath(test_dir, top)
    if relative.startswith(os.pardir) or os.path.isabs(relative):
        raise PluginValidationError(
            plugin, "load_tests()", "its test directory %s is not under %s." % (test_dir, top)
        )
    return ".".join(part for part in relative.split(os.sep) if part and part != os.curdir)


def load_tempest_plugin(name: str, entry_point: Any) -> Callable[[], type[TempestHosted]]:
    """A loader for the Tempest plugin of ``entry_point``, as plugin ``name``."""

    def load() -> type[TempestHosted]:
        from plugfair_plugins.tempest import shield

        shield.install()
        obj = entry_point.load()()
        recorder = _Recorder()
        obj.register_opts(recorder)
        placements = [
            (group, plugfair_group(name, group), opt) for group, opt in recorder.found
        ]
        package = _test_package(name, obj.load_tests())
        return _make(
            name,
            "Tempest plugin %s (%s)." % (entry_point.name, entry_point.value),
            placements,
            [package] if package else [],
            entry_point=entry_point,
            tempest_plugin=obj,
        )

    return load
