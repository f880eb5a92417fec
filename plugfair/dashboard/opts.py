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
    ] + _serving_opts() + _security_opts()


def _serving_opts() -> list[cfg.Opt]:
    return [
        cfg.IntOpt(
            "threads",
            default=4,
            min=1,
            max=64,
            help="Worker threads of the waitress server. At most threads - 1 "
            "requests wait for one plugin's usage at a time, so one plugin "
            "never holds every thread.",
        ),
    ]


def _security_opts() -> list[cfg.Opt]:
    return [
        cfg.ListOpt(
            "allowed_hosts",
            default=[],
            help="Host names (and addresses) the dashboard answers to, as "
            "clients write them in the URL, e.g. dash.example.org. An entry "
            "starting with a dot (.example.org) also allows its subdomains. "
            "The address the dashboard is bound to is always allowed (for a "
            "loopback address also localhost, 127.0.0.1 and [::1]; for "
            "0.0.0.0 or :: any IP address, localhost and this machine's "
            "name). Any other Host header is refused with 400, which "
            "protects against DNS rebinding. Behind a reverse proxy or "
            "another WSGI server, list the public names here.",
        ),
        cfg.BoolOpt(
            "secure_cookies",
            default=False,
            help="Mark the session cookie Secure, so browsers send it over "
            "HTTPS only. It is marked Secure anyway on requests that arrive "
            "over HTTPS (as the WSGI server reports them). Set this when a "
            "TLS proxy in front of the dashboard talks plain HTTP to it.",
        ),
        cfg.IntOpt(
            "session_lifetime",
            default=12 * 3600,
            min=60,
            help="Seconds a login lasts. Logging out ends it at once, on "
            "every dashboard instance that shares the quota database.",
        ),
        cfg.IntOpt(
            "max_failed_logins",
            default=5,
            min=0,
            help="Failed attempts with the admin token (login form or "
            "bearer token) one client address may make within "
            "failed_login_window seconds; further attempts are refused with "
            "429 and a Retry-After header. 0 disables the limit. Counted per "
            "dashboard process.",
        ),
        cfg.IntOpt(
            "failed_login_window",
            default=300,
            min=1,
            help="Seconds a failed admin-token attempt counts against its "
            "client address (see max_failed_logins).",
        ),
    ]


def register(conf: cfg.ConfigOpts) -> None:
    """Register the ``[dashboard]`` options on ``conf`` (idempotent)."""
    conf.register_opts(dashboard_opts(), group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The ``[dashboard]`` options, for documentation and samples."""
    return [(GROUP, dashboard_opts())]
