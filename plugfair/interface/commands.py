"""Base classes of CLI commands, on cliff.

Commands subclass these rather than cliff directly so that the host can
give every command, from every plugin, the same global behaviour.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cliff import command, lister, show

from plugfair.interface.text import HUMAN_FORMATS, printable_cell, terminal_columns

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.protocols import QuotaEnforcer, ServiceClients

__all__ = ["Command", "Lister", "ShowOne", "terminal_columns"]


class _HostAccess:
    """Access to the host's configuration and registry from a command."""

    app: Any

    @property
    def conf(self) -> cfg.ConfigOpts:
        """The host's ``ConfigOpts``, with every loaded plugin's options."""
        conf: cfg.ConfigOpts = self.app.conf
        return conf

    @property
    def registry(self) -> ServiceClients:
        """Other plugins' service clients (:class:`plugfair.api.ServiceClients`).

        .. versionchanged:: 1.1
           Typed as the narrow protocol; the object is unchanged.
        """
        services: ServiceClients = self.app.registry
        return services

    def quota_enforcer(self) -> QuotaEnforcer:
        """Quota checks against every plugin's limits
        (:class:`plugfair.api.QuotaEnforcer`).

        .. versionadded:: 1.1
        """
        enforcer: QuotaEnforcer = self.app.quota_enforcer()
        return enforcer

    def get_epilog(self) -> str:
        """The epilog of ``--help``: says which plugin provides the command.

        Every command gets the same line, plugfair's own included, taken
        from the registry (cliff's own lookup scans every installed
        distribution, which is slow and names only distributions).
        """
        parts = [getattr(self, "_epilog", None) or ""]
        for hook in getattr(self, "_hooks", None) or []:
            obj = getattr(hook, "obj", None)
            text = obj.get_epilog() if obj is not None else None
            if text is not None:
                parts.append(text)
        registry = getattr(getattr(self, "app", None), "registry", None)
        name = getattr(self, "cmd_name", None)
        owner = registry.commands().get(name) if registry is not None and name else None
        if owner is not None and registry is not None:
            rec = registry.get(owner[0])
            parts.append(
                "This command is provided by the plugin %r (distribution %s %s)."
                % (rec.name, rec.distribution, rec.version)
            )
        return "\n\n".join(p for p in parts if p)


class _FitsTerminal:
    """Table output that is safe and wraps long cells to the terminal.

    cliff fits a table to the terminal only when standard output is a
    terminal, and measures it without looking at ``COLUMNS``; with
    ``COLUMNS`` set (a shell's width, or ``COLUMNS=80 plugfair ...``) the
    table is wrapped to that width too.  ``--max-width`` still wins.

    In a table, text is made printable (:func:`plugfair.interface.text.printable`):
    a value from a plugin cannot send control sequences to the terminal.
    The machine formats get the data unchanged.
    """

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = super().get_parser(prog_name)  # type: ignore[misc]
        width = terminal_columns()
        if width and any(a.dest == "max_width" for a in parser._actions):
            parser.set_defaults(max_width=width)
        return parser

    def produce_output(self, parsed_args: argparse.Namespace, column_names: Any, data: Any) -> int:
        if getattr(parsed_args, "formatter", None) in HUMAN_FORMATS:
            column_names = [printable_cell(c) for c in column_names]
            if isinstance(self, show.ShowOne):
                data = [printable_cell(v) for v in data]
            else:
                data = [[printable_cell(v) for v in row] for row in data]
        rc: int = super().produce_output(parsed_args, column_names, data)  # type: ignore[misc]
        return rc


class Command(_HostAccess, command.Command):
    """A command that prints what it likes and returns an exit code.

    Override :meth:`take_action`; return ``0`` on success.

    .. versionadded:: 1.0
    """


class Lister(_HostAccess, _FitsTerminal, lister.Lister):
    """A command that returns ``(columns, rows)``; every list formatter works.

    .. versionadded:: 1.0
    """


class ShowOne(_HostAccess, _FitsTerminal, show.ShowOne):
    """A command that returns ``(columns, values)`` for one object.

    .. versionadded:: 1.0
    """
