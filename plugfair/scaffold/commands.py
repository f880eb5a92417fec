"""``plugin new``: generate a plugin project."""

from __future__ import annotations

import argparse

from plugfair.interface.commands import Command
from plugfair.scaffold import generate


class PluginNew(Command):
    """Generate a complete, conformant out-of-tree plugin project."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "name", help="Plugin name: a lowercase identifier, e.g. 'dns'."
        )
        parser.add_argument(
            "--dir",
            dest="directory",
            metavar="DIR",
            help="Project directory (default: ./<name>-plugfair-plugin). It "
            "may exist, but no generated file may.",
        )
        parser.add_argument(
            "--capabilities",
            default=",".join(generate.CAPABILITIES),
            metavar="LIST",
            help="Comma-separated capabilities, from: %s (default: all)."
            % ",".join(generate.CAPABILITIES),
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        project = generate.generate(
            parsed_args.name,
            directory=parsed_args.directory,
            capabilities=parsed_args.capabilities,
        )
        self.app.stdout.write(
            "Created plugin %r (%s) in %s: %d files.\n"
            % (
                project.name,
                ", ".join(project.capabilities),
                project.directory,
                len(project.files),
            )
        )
        return 0


def commands() -> dict[str, type]:
    return {"plugin new": PluginNew}
