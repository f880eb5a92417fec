"""Options of the ``[dashboard]`` group (owned by the plugin ``plugfair``)."""

from __future__ import annotations

from oslo_config import cfg

__all__ = ["GROUP", "dashboard_opts", "register", "list_opts", "DEFAULT_PORT"]

GROUP = "dashboard"

#: The port ``plugfair dashboard`` listens on unless told otherwise.
DEFAULT_PORT = 8780


def dashboard_opts() -> list[cfg.Opt]:
    """Return fresh copies of the ``[dashboard]`` options."""
    return [
        cfg.StrOpt(
            "admin_token",
            secret=True,
            default=None,
            help="Token that allows editing limits, in the browser (after "
            "logging in with it) or through the JSON API (as 'Authorization: "
            "Bearer <token>'). Unset, the dashboard is read-only. Use a long "
            "random value, e.g. from 'python -c \"import secrets; "
            "print(secrets.token_urlsafe(32))\"'.",
        ),
        cfg.HostAddressOpt(
            "host",
            default="127.0.0.1",
            help="Address to listen on. Anything other than a loopback "
            "address makes the dashboard reachable from other machines.",
        ),
        cfg.PortOpt(
            "port",
            default=DEFAULT_PORT,
            help="TCP port to listen on; 0 picks a free port.",
        ),
        cfg.IntOpt(
            "max_request_bytes",
            default=64 * 1024,
            min=1024,
            max=16 * 1024 * 1024,
            help="Largest request body accepted, in bytes. Larger requests "
            "are refused with 413 before they are read.",
        ),
        cfg.ListOpt(
            "projects",
            default=[],
            help="Projects offered in the project selector. Any other "
            "project can still be typed in.",
        ),
        cfg.IntOpt(
            "threads",
            default=4,
            min=1,
            max=64,
            help="Worker threads of the waitress server.",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the ``[dashboard]`` options on ``conf`` (idempotent)."""
    conf.register_opts(dashboard_opts(), group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The ``[dashboard]`` options, for documentation and samples."""
    return [(GROUP, dashboard_opts())]
