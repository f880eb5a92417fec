"""A stand-in host for one plugin's unit tests: :class:`FakeHost`.

A plugin's unit tests need what the host gives the plugin (a configuration
with the plugin's options, and other plugins' service clients through
``registry``) without the other plugins themselves, and they run the
plugin's commands in-process.  :class:`FakeHost` gives exactly that, with
stand-in clients for the other plugins' services, such as
:meth:`plugfair.api.FakeCloud.identity_client`.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import fixtures

from plugfair.interface.errors import PluginNotFound, UsageError

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.interface.plugin import Plugin
    from plugfair.interface.protocols import QuotaEnforcer

__all__ = ["FakeHost"]


class FakeHost(fixtures.Fixture):
    """One plugin as the host runs it, with stand-ins for the other plugins.

    On setup it makes a configuration that holds the plugin's options (read
    from no file), instantiates the plugin with it and becomes the plugin's
    ``registry``: a :class:`~plugfair.api.ServiceClients` that answers with
    the stand-in clients given and, for the plugin's own services, calls the
    plugin's factories as the host calls them (with itself as the second
    argument of a factory that takes one).  So the plugin's clients are built
    exactly as in production::

        cloud = self.useFixture(api.FakeCloud({"compute": "/compute/v2.1"}))
        host = self.useFixture(api.FakeHost(
            ComputePlugin, services={"identity": cloud.identity_client()}))
        client = host.service_client("compute")
        out = host.run("server list", "-f", "json")

    It checks nothing about the plugin: :func:`plugfair.api.make_registry`
    validates a plugin as the host does.

    :param plugin: the plugin class.
    :param services: stand-in clients of other plugins' services, by service
        name.
    :param config: option values to set, as ``{group: {option: value}}``.
    :param enforcer: what a command's ``quota_enforcer()`` returns.

    .. versionadded:: 1.1
    """

    def __init__(
        self,
        plugin: type[Plugin],
        *,
        services: Mapping[str, Any] | None = None,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        enforcer: QuotaEnforcer | None = None,
    ) -> None:
        super().__init__()
        self.plugin_class = plugin
        self.services = dict(services or {})
        self.config = {group: dict(values) for group, values in (config or {}).items()}
        self.enforcer = enforcer

    def _setUp(self) -> None:
        from oslo_config import cfg

        #: The configuration: the plugin's options and :attr:`config`.
        self.conf = cfg.ConfigOpts()
        #: The plugin instance; its ``registry`` is this fixture.
        self.plugin = self.plugin_class(self.conf)
        self.plugin.registry = self
        for group, opts in self.plugin.config_options():
            self.conf.register_opts(list(opts), group=group)
        self.conf(args=[], default_config_files=[], default_config_dirs=[])
        for group, values in self.config.items():
            for name, value in values.items():
                self.conf.set_override(name, value, group=group)

    def service_client(self, service: str) -> Any:
        """The stand-in client of ``service``, or the plugin's own.

        :raises PluginNotFound: if neither has ``service``.
        """
        if service in self.services:
            return self.services[service]
        factories = self.plugin.service_clients()
        factory: Callable[..., Any] | None = factories.get(service)
        if factory is None:
            raise PluginNotFound("service:%s" % service,
                                 known=sorted({*self.services, *factories}))
        return factory(self.conf, self) if _takes_services(factory) else factory(self.conf)

    def quota_enforcer(self) -> QuotaEnforcer:
        """The ``enforcer`` given.

        :raises UsageError: if none was.
        """
        if self.enforcer is None:
            raise UsageError("This FakeHost was given no quota enforcer (enforcer=).")
        return self.enforcer

    def run(self, command: str, *argv: str, expect: int = 0) -> str:
        """Run one of the plugin's commands in-process, like ``plugfair COMMAND ARGV``.

        :param command: the command's name, e.g. ``"server list"``.
        :param argv: its arguments, e.g. ``"-f", "json"``.
        :param expect: the exit status it must return.
        :returns: what it wrote to standard output.
        :raises UsageError: if the plugin has no such command.
        :raises AssertionError: if the status is not ``expect``; the message
            has what the command wrote to standard error.
        """
        from cliff.app import App
        from cliff.commandmanager import CommandManager

        commands = self.plugin.cli_commands()
        if command not in commands:
            raise UsageError("Plugin %r has no command %r; it has: %s."
                             % (self.plugin.name, command, ", ".join(sorted(commands))))
        out, err = io.StringIO(), io.StringIO()
        app = App("plugfair", "0", CommandManager(None), stdout=out, stderr=err,
                  deferred_help=True)
        app.conf = self.conf  # type: ignore[attr-defined]
        app.registry = self  # type: ignore[attr-defined]
        app.quota_enforcer = self.quota_enforcer  # type: ignore[attr-defined]
        cmd = commands[command](app, None)
        status = cmd.run(cmd.get_parser("plugfair " + command).parse_args(list(argv)))
        if status != expect:
            raise AssertionError("'plugfair %s' exited with %r, not %d: %s"
                                 % (" ".join([command, *argv]), status, expect, err.getvalue()))
        return out.getvalue()


def _takes_services(factory: Callable[..., Any]) -> bool:
    """Whether a factory accepts a second positional argument, as the host
    asks (the host passes its service clients there)."""
    try:
        inspect.signature(factory).bind(None, None)
    except (TypeError, ValueError):
        return False
    return True
