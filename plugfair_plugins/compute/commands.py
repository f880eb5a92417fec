"""The compute plugin's commands: ``server list/show`` and ``flavor list``."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.api import Lister, ShowOne
from plugfair_plugins.compute import views
from plugfair_plugins.compute.client import ComputeClient, make_client

__all__ = ["commands"]


def _client(cmd: Any) -> ComputeClient:
    return make_client(cmd.conf, cmd.registry)


class ServerList(Lister):
    """List servers (ID, name, status, networks, image, flavor)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="Servers of every project (admin).")
        parser.add_argument("--project", metavar="PROJECT_ID",
                            help="Servers of this project (admin).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.server_list(_client(self), all_projects=parsed_args.all_projects,
                                 project_id=parsed_args.project)


class ServerShow(ShowOne):
    """Show one server, by ID or name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("server", help="Server ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.server_show(_client(self), parsed_args.server)


class FlavorList(Lister):
    """List flavors (ID, name, RAM, disk, VCPUs...)."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.flavor_list(_client(self))


def commands() -> dict[str, type]:
    """The command table of the compute plugin."""
    return {
        "flavor list": FlavorList,
        "server list": ServerList,
        "server show": ServerShow,
    }
