"""The volume plugin's commands: ``volume list/show`` and ``snapshot list``."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.api import Lister, ShowOne
from plugfair_plugins.volume import views
from plugfair_plugins.volume.client import VolumeClient, make_client

__all__ = ["commands"]


def _client(cmd: Any) -> VolumeClient:
    return make_client(cmd.conf, cmd.registry)


class VolumeList(Lister):
    """List volumes (ID, name, status, size, attachments)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--all-projects", action="store_true",
                            help="Volumes of every project (admin).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.volume_list(_client(self), all_projects=parsed_args.all_projects)


class VolumeShow(ShowOne):
    """Show one volume, by ID or name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("volume", help="Volume ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.volume_show(_client(self), parsed_args.volume)


class SnapshotList(Lister):
    """List volume snapshots (ID, name, status, size, volume)."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.snapshot_list(_client(self))


def commands() -> dict[str, type]:
    """The command table of the volume plugin."""
    return {
        "snapshot list": SnapshotList,
        "volume list": VolumeList,
        "volume show": VolumeShow,
    }
