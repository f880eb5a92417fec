"""The cliff application behind ``plugfair``.

It has no command table of its own: commands come from the registry,
which takes them from plugins (plugfair's own commands included, as the
plugin ``plugfair``).  A command's plugin is imported only when the
command is looked up.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from cliff.app import App
from cliff.commandmanager import CommandManager

from plugfair import __version__
from plugfair.cli import options as gopts
from plugfair.cli.main import DESCRIPTION
from plugfair.interface.errors import PlugfairError

__all__ = ["PlugfairApp", "RegistryCommandManager"]


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
        return self.manager.registry.command_class(self.name)


class RegistryCommandManager(CommandManager):
    """A cliff command manager fed by the plugin registry."""

    def __init__(self) -> None:
        super().__init__(None)
        self.registry: Any = None

    def attach(self, registry: Any) -> None:
        self.registry = registry
        for name, (plugin, _summary) in registry.commands().items():
            self.commands[name] = _LazyEntry(self, name, plugin)  # type: ignore[assignment]

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        return iter(sorted(self.commands.items()))


class PlugfairApp(App):
    """The ``plugfair`` command-line application."""

    def __init__(self, registry: Any = None, conf: Any = None) -> None:
        super().__init__(
            description=DESCRIPTION,
            version=__version__,
            command_manager=RegistryCommandManager(),
            deferred_help=True,
        )
        self.registry = registry
        self.conf = conf

    def build_option_parser(
        self, description: str | None, version: str | None, argparse_kwargs: Any = None
    ) -> Any:
        parser = super().build_option_parser(description, version, argparse_kwargs)
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

    def initialize_app(self, argv: list[str]) -> None:
        from plugfair.config.loader import build_conf
        from plugfair.registry.core import Registry

        if self.conf is None:
            self.conf = build_conf(self.options.config_file, self.options.config_dir)
        if self.registry is None:
            self.registry = Registry.discover(
                self.conf, use_cache=False if self.options.no_cache else None
            )
        manager = self.command_manager
        assert isinstance(manager, RegistryCommandManager)
        manager.attach(self.registry)

    def run_subcommand(self, argv: list[str]) -> int:
        self._error_code: int | None = None
        rc = int(super().run_subcommand(argv))
        return self._error_code if self._error_code is not None and rc else rc

    def run(self, argv: list[str]) -> int:
        try:
            rc = super().run(argv)
        except PlugfairError as exc:
            sys.stderr.write("plugfair: %s\n" % exc)
            return exc.exit_code
        if getattr(getattr(self, "options", None), "strict", False) and self.registry:
            bad = self.registry.problems()
            if bad:
                self.stderr.write(
                    "plugfair: --strict: %d plugin(s) have problems: %s. Run "
                    "'plugfair plugin doctor' for reasons and remedies.\n"
                    % (len(bad), ", ".join(sorted({p.name for p in bad})))
                )
                return rc or 1
        return int(rc)

    def clean_up(self, cmd: Any, result: int, err: BaseException | None) -> None:
        if isinstance(err, PlugfairError):
            # cliff logged it; make the exit status match the error kind
            self._error_code = err.exit_code
