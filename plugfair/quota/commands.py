"""``quota list|show|set|delete|defaults`` and ``quota db upgrade``.

Thin commands: each turns its arguments into one call of
:class:`plugfair.quota.service.QuotaService`.  Every plugin's resources
get the same flags, columns and order (plugin name, then resource).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from plugfair.interface.commands import Command, Lister
from plugfair.interface.text import printable

if TYPE_CHECKING:  # pragma: no cover
    from plugfair.quota import service as svc

# The quota service (SQLAlchemy, alembic) is imported only when a quota
# command runs: plugfair's other commands must not pay for it.

LIST_COLUMNS = ("Plugin", "Resource", "Default", "Unit", "Description")
DEFAULT_COLUMNS = ("Plugin", "Resource", "Key", "Limit", "Unit")
SHOW_COLUMNS = (
    "Plugin",
    "Resource",
    "Limit",
    "In Use",
    "Remaining",
    "Default",
    "Overridden",
    "Unit",
    "Usage Reason",
)

#: Formatters that escape text themselves: they get plugin text unchanged.
MACHINE_FORMATS = ("json", "yaml")

def _service(cmd: Any) -> svc.QuotaService:
    from plugfair.quota import service as svc

    return svc.QuotaService(cmd.registry, cmd.conf)


class _QuotaRows(Lister):
    """A command that prints quota rows: limit, usage and why it is unknown.

    The ``Usage Reason`` column says why ``In Use`` is unknown.  In the
    table it holds a note number (``[1]``), and the notes follow the table,
    one per plugin and reason; every other format carries the full reason.
    Plugin-supplied text is made :func:`printable` except in the machine
    formats (JSON, YAML), which escape it themselves.
    """

    def show_rows(self, parsed_args: argparse.Namespace, rows: list[svc.QuotaRow]) -> tuple[Any, Any]:
        fmt = getattr(parsed_args, "formatter", "table")
        safe = (lambda text: text) if fmt in MACHINE_FORMATS else printable
        notes: dict[str, int] = {}
        out = []
        for r in rows:
            reason = safe(r.usage_reason)
            if reason and fmt == "table":
                reason = "[%d]" % notes.setdefault("%s: %s" % (r.plugin, reason), len(notes) + 1)
            out.append(
                (
                    r.plugin,
                    r.resource,
                    r.limit,
                    r.in_use,
                    r.remaining,
                    r.default,
                    r.overridden,
                    safe(r.unit),
                    reason,
                )
            )
        self._notes = ["[%d] %s" % (n, text) for text, n in notes.items()]
        return SHOW_COLUMNS, out

    def produce_output(self, parsed_args: argparse.Namespace, column_names: Any, data: Any) -> int:
        rc = int(super().produce_output(parsed_args, column_names, data))
        notes = getattr(self, "_notes", [])
        selected = getattr(parsed_args, "columns", None)
        if notes and (not selected or "Usage Reason" in selected):
            self.app.stdout.write("Usage unknown:\n%s\n" % "\n".join(notes))
        return rc


def _project_arg(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--project", metavar="PROJECT", help=help_text)


class QuotaList(Lister):
    """List every declared quota resource, with its default, unit and plugin."""

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        rows = _service(self).resources()
        safe = (lambda text: text) if parsed_args.formatter in MACHINE_FORMATS else printable
        return LIST_COLUMNS, [
            (r.plugin, r.resource, r.default, safe(r.unit), safe(r.description)) for r in rows
        ]


class QuotaDefaults(Lister):
    """Show the default limits, which apply to a project without its own."""

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        rows = _service(self).resources()
        safe = (lambda text: text) if parsed_args.formatter in MACHINE_FORMATS else printable
        return DEFAULT_COLUMNS, [(r.plugin, r.resource, r.key, r.default, safe(r.unit)) for r in rows]


class QuotaShow(_QuotaRows):
    """Show limit, usage and remaining of a project's quotas (-1: unlimited).

    When usage is unknown, the Usage Reason column says why.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _project_arg(parser, "Project id (default: [quota] default_project).")
        parser.add_argument("--plugin", metavar="PLUGIN", help="Only this plugin's resources.")
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        service = _service(self)
        report = service.report(parsed_args.project, parsed_args.plugin)
        for plugin, status in report.status.items():
            if status != "ok":
                self.app.stderr.write("Usage of plugin %s is %s\n" % (plugin, printable(status)))
        return self.show_rows(parsed_args, report.rows)


class QuotaSet(_QuotaRows):
    """Set a project's own limits: all the given KEY=VALUE pairs, or none."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _project_arg(parser, "Project id (required).")
        parser.add_argument(
            "assignments",
            nargs="*",
            metavar="KEY=VALUE",
            help="A limit, e.g. compute.cores=20; -1 means unlimited.",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> tuple[Any, Any]:
        rows = _service(self).set_assignments(parsed_args.project, parsed_args.assignments)
        return self.show_rows(parsed_args, rows)


class QuotaDelete(Command):
    """Put a project's limits (all, or the given keys) back to the defaults."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        _project_arg(parser, "Project id (required).")
        parser.add_argument(
            "keys", nargs="*", metavar="KEY", help="Only these keys (default: every key)."
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        _service(self).delete(parsed_args.project, parsed_args.keys or None)
        return 0


class QuotaDbUpgrade(Command):
    """Create or upgrade the quota store (schema, registered limits)."""

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        for line in _service(self).upgrade():
            self.app.stdout.write(line + "\n")
        return 0


def commands() -> dict[str, type]:
    return {
        "quota list": QuotaList,
        "quota defaults": QuotaDefaults,
        "quota show": QuotaShow,
        "quota set": QuotaSet,
        "quota delete": QuotaDelete,
        "quota db upgrade": QuotaDbUpgrade,
    }
