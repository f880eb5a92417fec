"""``plugfair dashboard``: serve the quota dashboard."""

from __future__ import annotations

import argparse

from plugfair.interface.commands import Command
from plugfair.interface.errors import ConfigError, UsageError

__all__ = ["Dashboard", "commands"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("%r is not a port number" % text) from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("port %d is not between 0 and 65535" % value)
    return value


class Dashboard(Command):
    """Serve the quota dashboard (Limit Summary) over HTTP."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on (default: [dashboard] host, 127.0.0.1).",
        )
        parser.add_argument(
            "--port",
            metavar="N",
            type=_port,
            help="Port to listen on, 0 for any free port (default: [dashboard] port).",
        )
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        # Flask, waitress and the store are imported only when serving.
        try:
            import flask  # noqa: F401
            import waitress  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                "The dashboard needs Flask and waitress (%s). Install them with "
                "\"pip install 'plugfair[dashboard]'\"." % exc
            ) from exc
        from plugfair.dashboard.serve import serve
        from plugfair.quota.service import QuotaService

        if parsed_args.host is not None and not parsed_args.host.strip():
            raise UsageError("--host must not be empty.")
        return serve(
            QuotaService(self.registry, self.conf),
            self.conf,
            host=parsed_args.host,
            port=parsed_args.port,
            stdout=self.app.stdout,
            stderr=self.app.stderr,
        )


def commands() -> dict[str, type]:
    return {"dashboard": Dashboard}
