"""The identity plugin's commands: ``project *`` and ``token issue``.

Each command takes the ``identity`` service client from the registry and
calls one function of :mod:`plugfair_plugins.identity.views`.
"""

from __future__ import annotations

import argparse
from typing import Any

from plugfair.api import Command, Lister, ShowOne
from plugfair_plugins.identity import views

__all__ = ["commands"]


def _client(cmd: Any) -> Any:
    return cmd.registry.service_client("identity")


class ProjectList(Lister):
    """List projects (ID, name, domain, enabled, description)."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("--domain", metavar="DOMAIN_ID",
                            help="Only projects of this domain (ID).")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.project_list(_client(self), domain_id=parsed_args.domain)


class ProjectShow(ShowOne):
    """Show one project, by ID or name."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("project", help="Project ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.project_show(_client(self), parsed_args.project)


class ProjectCreate(ShowOne):
    """Create a project and show it."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("name", help="Name of the new project.")
        parser.add_argument("--domain", metavar="DOMAIN_ID", default="default",
                            help="Domain (ID) to create it in (default: default).")
        parser.add_argument("--description", default="", help="Description.")
        parser.add_argument("--tag", dest="tags", action="append", default=[],
                            metavar="TAG", help="Add a tag (repeatable).")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--enable", dest="enabled", action="store_true",
                           default=True, help="Create it enabled (default).")
        state.add_argument("--disable", dest="enabled", action="store_false",
                           help="Create it disabled.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.project_create(
            _client(self),
            parsed_args.name,
            domain_id=parsed_args.domain,
            description=parsed_args.description,
            enabled=parsed_args.enabled,
            tags=parsed_args.tags,
        )


class ProjectDelete(Command):
    """Delete projects, by ID or name; nothing is deleted if one is unknown."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("projects", nargs="+", metavar="PROJECT",
                            help="Project ID or name.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        views.project_delete(_client(self), parsed_args.projects)
        return 0


class TokenIssue(ShowOne):
    """Issue a token with the configured credentials and show it."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        return views.token_issue(_client(self))


def commands() -> dict[str, type]:
    """The command table of the identity plugin."""
    return {
        "project create": ProjectCreate,
        "project delete": ProjectDelete,
        "project list": ProjectList,
        "project show": ProjectShow,
        "token issue": TokenIssue,
    }
