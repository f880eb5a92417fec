"""A minimal cliff application with no plugins: the command row's baseline.

It answers ``thing0250 list`` (the command that the generated benchmark
plugin ``bench0250`` provides, with the same output) from a command
added to its command manager in code: no plugin registry, no
configuration, nothing but cliff.  ``bench/speed.py`` times
``plugfair thing0250 list`` against it.

With ``--class MODULE:NAME`` first, the command is that class instead
(e.g. the generated plugin's own ``bench0250_pkg.plugin:ThingList``): the
same command code, with what its module imports, and still no plugin
registry or configuration.

Usage: python bench/minimal_cliff.py [--class MODULE:NAME] thing0250 list
"""

from __future__ import annotations

import sys

from cliff.app import App
from cliff.commandmanager import CommandManager
from cliff.lister import Lister


class ThingList(Lister):
    """List the things of plugin bench0250."""

    def take_action(self, parsed_args):  # type: ignore[no-untyped-def]
        return ("Name",), [("a",), ("b",)]


class MinimalApp(App):
    """The whole application: one command."""

    def __init__(self, command: type = ThingList) -> None:
        manager = CommandManager("plugfair.bench.minimal")
        manager.add_command("thing0250 list", command)
        super().__init__(
            description="minimal cliff app", version="1.0", command_manager=manager,
            deferred_help=True,
        )


def _main(argv: list[str]) -> int:
    command: type = ThingList
    if argv[:1] == ["--class"]:
        import importlib

        module, _, name = argv[1].partition(":")
        command = getattr(importlib.import_module(module), name)
        argv = argv[2:]
    return MinimalApp(command).run(argv)


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
