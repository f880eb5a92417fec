"""Hosting other plugins and preparing test runs (API 1.1).

:class:`HostedPlugin` is what :meth:`plugfair.api.Plugin.hosted_plugins`
returns: a plugin contributed by another plugin, e.g. one Tempest plugin
found by a plugin that hosts the Tempest ecosystem.  :class:`TestRun` is
the host's view of a test run, given to
:meth:`plugfair.api.Plugin.prepare_test_run`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from plugfair.interface.errors import PluginValidationError
from plugfair.interface.plugin import validate_plugin_name

if TYPE_CHECKING:  # pragma: no cover - typing only
    from oslo_config import cfg

    from plugfair.interface.plugin import Plugin

__all__ = ["HostedPlugin", "TestRun"]

_MODULE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_TEXT_LIMIT = 200


def _text(host: str, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > _TEXT_LIMIT:
        raise PluginValidationError(
            host,
            "hosted_plugins()",
            "a hosted plugin's %s must be a non-empty string of at most %d "
            "characters, not %r." % (field, _TEXT_LIMIT, value),
        )
    return value


class HostedPlugin:
    """A plugin contributed by another plugin.

    :param name: the plugin's name (the same rule as an entry-point name:
        a lowercase identifier of at most 40 characters).
    :param load: called with no arguments, it imports what the plugin
        needs and returns a :class:`plugfair.api.Plugin` subclass whose
        ``name`` is ``name``.  The host calls it in every process that uses
        the plugin, with the same isolation and deadline as an entry
        point's import.
    :param distribution: the distribution the plugin's code comes from,
        as ``plugfair plugin list`` shows it.
    :param version: that distribution's version.
    :param module: the dotted name of the module the plugin's code lives
        in.  Its top-level package is the plugin's own package (its tests
        must be inside it), and its files are watched, so editing them
        refreshes the manifest.
    :param origin: where the plugin was found, for people, e.g.
        ``"tempest.test_plugins: barbican_tests =
        barbican_tempest_plugin.plugin:BarbicanTempestPlugin"``.  For a
        plugin made from an entry point, give it in exactly that form,
        ``"<group>: <name> = <value>"``: ``plugfair check`` reads it to
        judge the plugin through that group's interface when a profile
        describes it, and to pick that profile by default.

    .. versionadded:: 1.1
    """

    def __init__(
        self,
        name: str,
        load: Callable[[], type[Plugin]],
        *,
        distribution: str,
        version: str,
        module: str,
        origin: str = "",
    ) -> None:
        self.name = name
        self.load = load
        self.distribution = distribution
        self.version = version
        self.module = module
        self.origin = origin

    def validate(self, host: str) -> HostedPlugin:
        """Check the declaration; return it.

        :param host: the name of the hosting plugin, for messages.
        :raises PluginValidationError: if a field is malformed.
        """
        try:
            validate_plugin_name(self.name)
        except PluginValidationError as exc:
            raise PluginValidationError(
                host, "hosted_plugins()", "hosted plugin name: %s" % exc.message
            ) from None
        if not callable(self.load):
            raise PluginValidationError(
                host, "hosted_plugins()", "hosted plugin %r: load is not callable." % self.name
            )
        _text(host, "distribution", self.distribution)
        _text(host, "version", self.version)
        if not isinstance(self.module, str) or not _MODULE.fullmatch(self.module):
            raise PluginValidationError(
                host,
                "hosted_plugins()",
                "hosted plugin %r: module must be a dotted module name, not %r."
                % (self.name, self.module),
            )
        if not isinstance(self.origin, str) or len(self.origin) > 400:
            raise PluginValidationError(
                host,
                "hosted_plugins()",
                "hosted plugin %r: origin must be a string of at most 400 "
                "characters." % self.name,
            )
        return self

    def __repr__(self) -> str:
        return "HostedPlugin(%r, distribution=%r, version=%r, module=%r)" % (
            self.name,
            self.distribution,
            self.version,
            self.module,
        )


class TestRun(Protocol):
    """The host's view of one test run, for :meth:`Plugin.prepare_test_run`.

    .. versionadded:: 1.1
    """

    __test__: ClassVar[bool] = False  # not a test, whatever its name says

    @property
    def conf(self) -> cfg.ConfigOpts:
        """The host configuration of the run, with every enabled plugin
        that has tests loaded (so their options are registered)."""

    @property
    def directory(self) -> str:
        """A directory private to this plugin and this run.  The host
        removes it after the run, whatever happens."""

    @property
    def workspace(self) -> str:
        """The workspace directory the tests run in (their working
        directory)."""

    def set_environment(self, name: str, value: str) -> None:
        """Set an environment variable in every test process of the run.

        :raises UsageError: for a name plugfair reserves (``PLUGFAIR_*``,
            ``PYTHON*``, ``LD_*``, ``PATH``, ``HOME``...), a malformed name
            or value, or a variable another plugin set to another value.
        """

    def add_cleanup(self, func: Callable[..., Any], *args: Any) -> None:
        """Call ``func(*args)`` after the run (last in, first out).  A
        cleanup that fails is reported and the others still run."""
