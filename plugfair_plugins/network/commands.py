"""The network plugin's commands: ``network list/show`` and ``subnet list``."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.api import Lister, ShowOne
from plugfair_plugins.network import views
from plugfair_plugins.network.client import NetworkClient, make_client

__all__ = ["commands"]


def _client(cmd: Any) -> NetworkClient:
    return make_client(cmd.conf, cmd.registry)


class NetworkList(Lister):
    """List networks (ID, name, status, subnets)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--project", metavar="PROJECT_ID",
                            help="Only networks of this project.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.network_list(_client(self), project_id=parsed_args.project)


class NetworkShow(ShowOne):
    """Show one network, by ID or name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("network", help="Network ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.network_show(_client(self), parsed_args.network)


class SubnetList(Lister):
    """List subnets (ID, name, network, CIDR)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--network", metavar="NETWORK_ID",
                            help="Only subnets of this network.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.subnet_list(_client(self), network_id=parsed_args.network)


def commands() -> dict[str, type]:
    """The command table of the network plugin."""
    return {
        "network list": NetworkList,
        "network show": NetworkShow,
        "subnet list": SubnetList,
    }
