"""The DNS plugin's commands: ``zone *`` and ``recordset *``."""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.api import Command, Lister, ShowOne

from dns_plugin import client, views

__all__ = ["commands"]


def _backend(cmd: Any) -> Any:
    return client.make_client(cmd.conf, cmd.registry)


class ZoneList(Lister):
    """List zones (ID, name, status, serial, project)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--project", metavar="PROJECT_ID",
                            help="Only zones of this project.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.zone_list(_backend(self), project_id=parsed_args.project)


class ZoneShow(ShowOne):
    """Show one zone, by ID or name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("zone", help="Zone ID or name, e.g. example.org.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.zone_show(_backend(self), parsed_args.zone)


class ZoneCreate(ShowOne):
    """Create a zone, within the project's dns.zones quota, and show it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Fully qualified zone name, e.g. example.org.")
        parser.add_argument("--email", required=True,
                            help="E-mail of the zone's administrator.")
        parser.add_argument("--ttl", type=int, default=3600,
                            help="Default TTL in seconds (default: 3600).")
        parser.add_argument("--description", default="", help="Description.")
        parser.add_argument("--project", metavar="PROJECT_ID",
                            help="Owner (default: [dns] default_project).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        enforcer = self.quota_enforcer() if self.conf.dns.enforce_quota else None
        return views.zone_create(
            _backend(self), parsed_args.name, email=parsed_args.email,
            ttl=parsed_args.ttl, description=parsed_args.description,
            project_id=parsed_args.project, enforcer=enforcer,
        )


class ZoneDelete(Command):
    """Delete zones, by ID or name; nothing is deleted if one is unknown."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("zones", nargs="+", metavar="ZONE", help="Zone ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        views.zone_delete(_backend(self), parsed_args.zones)
        return 0


class RecordsetList(Lister):
    """List the recordsets of a zone."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("zone", help="Zone ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.recordset_list(_backend(self), parsed_args.zone)


class RecordsetCreate(ShowOne):
    """Create a recordset in a zone and show it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("zone", help="Zone ID or name.")
        parser.add_argument("name", help="Fully qualified name, e.g. www.example.org.")
        parser.add_argument("--type", dest="rtype", required=True,
                            help="Record type, e.g. A, AAAA, CNAME, MX, TXT.")
        parser.add_argument("--record", dest="records", action="append", required=True,
                            metavar="DATA", help="Record data (repeatable).")
        parser.add_argument("--ttl", type=int, help="TTL in seconds (default: the zone's).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.recordset_create(_backend(self), parsed_args.zone, parsed_args.name,
                                      rtype=parsed_args.rtype, records=parsed_args.records,
                                      ttl=parsed_args.ttl)


class RecordsetDelete(Command):
    """Delete a recordset of a zone."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("zone", help="Zone ID or name.")
        parser.add_argument("recordset", help="Recordset ID.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        views.recordset_delete(_backend(self), parsed_args.zone, parsed_args.recordset)
        return 0


def commands() -> dict[str, type]:
    """The command table of the DNS plugin."""
    return {
        "recordset create": RecordsetCreate,
        "recordset delete": RecordsetDelete,
        "recordset list": RecordsetList,
        "zone create": ZoneCreate,
        "zone delete": ZoneDelete,
        "zone list": ZoneList,
        "zone show": ZoneShow,
    }
