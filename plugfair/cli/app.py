"""The cliff application behind ``plugfair``.

It has no command table of its own: commands come from the registry,
which takes them from plugins (plugfair's own commands included, as the
plugin ``plugfair``).  A command's plugin is imported only when the
command is looked up.

cliff loads each command's hooks and each display command's formatters
through stevedore, whose cache covers every entry-point group installed
and is rebuilt, reading all of them, whenever anything is installed
(seconds with an OpenStack client's layout).  plugfair's commands take
those entry points from the manifest instead (:class:`ManifestExtensions`,
:data:`plugfair.cli.main.CLIFF_GROUPS`), which lists them, as stevedore
would, when it is built.  Loading, invoking and reporting failures stay
stevedore's: only the list of entry points comes from elsewhere.  A test
checks that the lists are stevedore's.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from typing import Any

from cliff.app import App
from cliff.command import Command
from cliff.commandmanager import CommandManager
from cliff.complete import CompleteCommand
from stevedore import ExtensionManager

from plugfair import __version__
from plugfair.cli import options as gopts
from plugfair.cli.main import CLIFF_GROUPS, DESCRIPTION
from plugfair.interface.errors import PlugfairError
from plugfair.interface.logs import logger
from plugfair.interface.text import printable

__all__ = ["PlugfairApp", "RegistryCommandManager", "LIBRARY_LOGGERS", "ManifestExtensions"]

#: Loggers of the libraries plugfair drives.  Their INFO messages are
#: about their own machinery (alembic's "setup plugin ..." and "Running
#: upgrade ..."), so the console shows only their warnings and errors
#: unless ``-v``/``--debug`` is given, as OpenStack Client does for the
#: libraries it uses.  A ``--log-file`` gets them at every level.
LIBRARY_LOGGERS = ("alembic", "sqlalchemy", "stevedore", "keystoneauth", "openstack", "urllib3")


class _LibraryFilter(logging.Filter):
    """Keep library records below WARNING off the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not any(record.name == n or record.name.startswith(n + ".") for n in LIBRARY_LOGGERS)


class _LazyEntry:
    """Entry-point-like handle that imports the command's plugin on load."""

    def __init__(self, manager: RegistryCommandManager, name: str, plugin: str) -> None:
        self.manager = manager
        self.name = name
        self.plugin = plugin

    @property
    def value(self) -> str:
        return "plugin %s" % self.plugin

    def load(self) -> Any:
        return _safe_text(self.manager.registry.command_class(self.name))


class _PrintableHelp:
    """A command's ``--help`` text comes from its plugin (the docstring, the
    distribution's name): make it printable before argparse shows it."""

    def get_description(self) -> str:
        return _printable_lines(super().get_description())  # type: ignore[misc]

    def get_epilog(self) -> str:
        return _printable_lines(super().get_epilog())  # type: ignore[misc]


class ManifestExtensions(ExtensionManager):  # type: ignore[misc,type-arg]
    """stevedore's ``ExtensionManager`` over entry points listed in the
    manifest rather than in stevedore's cache.

    :param entry_points: ``((name, value), ...)`` of ``namespace``.
    """

    def __init__(self, namespace: str, entry_points: Any, **kwargs: Any) -> None:
        import importlib.metadata

        self._listed = [importlib.metadata.EntryPoint(n, v, namespace) for n, v in entry_points]
        super().__init__(namespace, **kwargs)

    def list_entry_points(self) -> list[Any]:
        return list(self._listed)


def _extensions(app: Any, namespace: str, **kwargs: Any) -> Any:
    """The extensions of ``namespace``: from the manifest when the app
    has the manifest's list of that group, else through stevedore."""
    listed = getattr(app, "entry_points", None)
    if listed is None or not namespace.startswith(CLIFF_GROUPS):
        return ExtensionManager(namespace, **kwargs)
    return ManifestExtensions(namespace, listed.get(namespace, ()), **kwargs)


class _FromManifest:
    """cliff's hook and formatter loading, with the entry points from the
    manifest (see the module's docstring)."""

    app: Any
    cmd_name: str | None

    def _load_hooks(self) -> None:
        if not self.cmd_name:
            self._hooks: Any = []
            return
        # cliff's own naming of the group (cliff.command.Command._load_hooks)
        namespace = "{}.{}".format(self.app.command_manager.namespace, self.cmd_name.replace(" ", "_"))
        self._hooks = _extensions(self.app, namespace, invoke_on_load=True, invoke_kwds={"command": self})

    def _load_formatter_plugins(self) -> Any:
        return _extensions(self.app, self.formatter_namespace, invoke_on_load=True)  # type: ignore[attr-defined]


class _Complete(_FromManifest):
    """cliff's ``complete`` command, whose ``__init__`` asks stevedore for
    its formatters: the same, from the manifest."""

    def __init__(self, app: Any, app_args: Any, cmd_name: str | None = None) -> None:
        Command.__init__(self, app, app_args, cmd_name)  # type: ignore[arg-type]
        self._formatters = _extensions(app, "cliff.formatter.completion")


def _printable_lines(text: str | None) -> str:
    return "\n".join(printable(line) for line in (text or "").split("\n"))


def _safe_text(cls: type) -> type:
    """``cls`` with printable help, whatever cliff base it derives from."""
    return type(cls.__name__, (_PrintableHelp, _FromManifest, cls), {"__module__": cls.__module__,
                                                                     "__doc__": cls.__doc__})


class RegistryCommandManager(CommandManager):
    """A cliff command manager fed by the plugin registry."""

    def __init__(self) -> None:
        super().__init__(None)
        self.registry: Any = None

    def attach(self, registry: Any) -> None:
        self.registry = registry
        for name, (plugin, _summary) in registry.commands().items():
            self.commands[name] = _LazyEntry(self, name, plugin)  # type: ignore[assignment]
        # Every command is also reachable as "<plugin> <command>".
        for name, (plugin, _cmd, _summary) in registry.qualified_commands().items():
            self.commands.setdefault(name, _LazyEntry(self, name, plugin))  # type: ignore[arg-type]

    def add_command(self, name: str, command_class: Any) -> None:
        """cliff's own commands (``help``, ``complete``) load their hooks
        and formatters from the manifest too."""
        base = _Complete if issubclass(command_class, CompleteCommand) else _FromManifest
        wrapped = type(command_class.__name__, (base, command_class),
                       {"__module__": command_class.__module__, "__doc__": command_class.__doc__})
        super().add_command(name, wrapped)

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(sorted(self.commands.items()))


class _PrintableFilter(logging.Filter):
    """Console log records carry plugin text (a plugin's error message):
    make it printable, so it cannot send control sequences to the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = "\n".join(printable(line) for line in message.split("\n"))
        if safe != message:
            record.msg, record.args = safe, ()
        return True


class PlugfairApp(App):
    """The ``plugfair`` command-line application."""

    # cliff names the program after sys.argv[0]; the name must not depend
    # on how plugfair was started (console script, python -m, tests).
    NAME = "plugfair"
    LOG = logger("plugfair.cli")

    def __init__(self, registry: Any = None, conf: Any = None, manifest: Any = None) -> None:
        super().__init__(
            description=DESCRIPTION,
            version=__version__,
            command_manager=RegistryCommandManager(),
            deferred_help=True,
        )
        self.registry = registry
        self.conf = conf
        # The manifest already read by the fast path (never read twice).
        self._manifest = manifest
        #: Group -> entry points of :data:`~plugfair.cli.main.CLIFF_GROUPS`,
        #: from the manifest (``None``: commands ask stevedore).
        self.entry_points: dict[str, Any] | None = manifest.entry_points if manifest is not None else None

    def quota_enforcer(self) -> Any:
        """The :class:`plugfair.api.QuotaEnforcer` commands get from
        ``Command.quota_enforcer()``."""
        from plugfair.quota.enforcer import Enforcer

        return Enforcer(self.registry, self.conf)

    def build_option_parser(
        self, description: str | None, version: str | None, argparse_kwargs: Any = None
    ) -> Any:
        parser_kwargs = dict(argparse_kwargs or {})
        parser_kwargs.setdefault("prog", self.NAME)
        parser = super().build_option_parser(description, version, parser_kwargs)
        for action in parser._actions:
            if isinstance(action, argparse._VersionAction):
                action.version = "%s %s" % (self.NAME, version)
        for opt in gopts.PLUGFAIR_OPTIONS:
            kwargs: dict[str, Any] = {"dest": opt.dest, "help": opt.help}
            if opt.metavar is None:
                kwargs["action"] = "store_true"
                kwargs["default"] = False
            else:
                kwargs["metavar"] = opt.metavar
                kwargs["action"] = "append" if opt.repeat else "store"
                kwargs["default"] = [] if opt.repeat else None
            parser.add_argument(*opt.flags, **kwargs)
        return parser

    def configure_logging(self) -> None:
        """cliff's handlers, with the libraries' INFO kept off the console.

        With ``-v`` (or more) or ``--debug`` every record reaches the
        console, as in cliff, the libraries' debug messages included.
        """
        super().configure_logging()
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is self.stderr:
                handler.addFilter(_PrintableFilter())
        if self.options.verbose_level >= 2 or self.options.debug:
            # The quota store quiets alembic unless a level was chosen for
            # it.  (Not sqlalchemy: its logger's level switches on echoing
            # every statement.)
            logging.getLogger("alembic").setLevel(logging.DEBUG)
            return
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and getattr(handler, "stream", None) is self.stderr:
                handler.addFilter(_LibraryFilter())

    def initialize_app(self, argv: list[str]) -> None:
        from plugfair.config.loader import build_conf
        from plugfair.registry.core import Registry

        if self.conf is None:
            self.conf = build_conf(self.options.config_file, self.options.config_dir)
        if self.registry is not None and self.registry.conf is None:
            # the fast path's registry: the same selection, now with the
            # configuration plugins register their options on; what it
            # said about the configuration went to no log then
            self.registry.conf = self.conf
            self.registry.log_notes()
        if self.registry is None:
            self.registry = Registry.discover(
                self.conf,
                use_cache=False if self.options.no_cache else None,
                records=self._manifest.records if self._manifest is not None else None,
                groups=CLIFF_GROUPS,
            )
            if self._manifest is None:
                self.entry_points = self.registry.entry_points
        manager = self.command_manager
        if not isinstance(manager, RegistryCommandManager):  # pragma: no cover - set in __init__
            raise TypeError("the plugfair app needs its RegistryCommandManager")
        manager.attach(self.registry)

    def run_subcommand(self, argv: list[str]) -> int:
        self._error_code: int | None = None
        if argv and argv[0].startswith("-"):
            # cliff parses global options with parse_known_args: an unknown
            # one would otherwise be taken for a command name.
            self.stderr.write(
                "plugfair: unrecognized option %r. See 'plugfair --help'.\n" % argv[0]
            )
            return 2
        rc = int(super().run_subcommand(argv))
        return self._error_code if self._error_code is not None and rc else rc

    def interact(self) -> None:
        # cliff starts an interactive shell when no command is given;
        # plugfair has none: it prints the help, as the fast path does.
        from plugfair.cli.main import render_help

        render_help(self.registry, self.stdout)
        self._helped = True

    def run(self, argv: list[str]) -> int:
        self._helped = False
        try:
            rc = super().run(argv)
            if self._helped:
                rc = 0
        except PlugfairError as exc:
            sys.stderr.write("plugfair: %s\n" % printable(str(exc)))
            return exc.exit_code
        if getattr(getattr(self, "options", None), "strict", False) and self.registry:
            bad = self.registry.problems()
            if bad:
                self.stderr.write(
                    "plugfair: --strict: %d plugin(s) have problems: %s. Run "
                    "'plugfair plugin doctor' for reasons and remedies.\n"
                    % (len(bad), printable(", ".join(sorted({p.name for p in bad}))))
                )
                return rc or 1
        return int(rc)

    def clean_up(self, cmd: Any, result: int, err: BaseException | None) -> None:
        if isinstance(err, PlugfairError):
            # cliff logged it; make the exit status match the error kind
            self._error_code = err.exit_code
