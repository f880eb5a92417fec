"""``plugin list``, ``plugin show`` and ``plugin doctor``."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.interface.commands import Lister, ShowOne
from plugfair.registry import report


class PluginList(Lister):
    """List every installed plugin, with its status and capabilities."""

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        return report.LIST_COLUMNS, report.plugin_rows(self.app.registry)


class PluginShow(ShowOne):
    """Show everything plugfair knows about one plugin."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Name of the plugin.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        return report.plugin_detail(self.app.registry, parsed_args.name)


class PluginDoctor(Lister):
    """Explain why plugins failed, were refused or collide, with remedies.

    Exits 1 when it reports a problem, so scripts can use it as a check;
    warnings (things to fix that do not stop a plugin from being used) are
    listed too, with status "ok (warning)", and do not change the status.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "name", nargs="?", help="Only this plugin (default: every plugin)."
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        rows = report.doctor_rows(self.app.registry, parsed_args.name)
        self._found = bool(rows)  # warnings alone do not fail the command
        rows += report.warning_rows(self.app.registry, parsed_args.name)
        if not rows and parsed_args.formatter == "table":
            if parsed_args.name:
                self.app.stdout.write(
                    "No problems found in plugin %s.\n" % parsed_args.name
                )
            else:
                count = len(self.app.registry.records())
                self.app.stdout.write(
                    "No problems found in %d installed plugin(s).\n" % count
                )
        return report.DOCTOR_COLUMNS, rows

    def run(self, parsed_args: argparse.Namespace) -> int:
        self._found = False
        rc = super().run(parsed_args)
        return rc or (1 if self._found else 0)


def commands() -> dict[str, type]:
    return {
        "plugin list": PluginList,
        "plugin show": PluginShow,
        "plugin doctor": PluginDoctor,
    }
