"""Serving the dashboard with waitress: ``plugfair dashboard``."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Sequence
from typing import IO, Any

from plugfair.dashboard.hosts import WILDCARDS
from plugfair.interface.errors import ConfigError

__all__ = ["is_loopback", "exposure_warnings", "make_server", "serve", "BackgroundServer"]

#: Largest request line plus headers waitress accepts, in bytes.
MAX_HEADER_BYTES = 16 * 1024


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name: assume it is reachable from elsewhere


def exposure_warnings(
    host: str, admin_token: str | None, allowed_hosts: Sequence[str] = ()
) -> list[str]:
    """Warnings to print before serving on ``host``."""
    out = []
    if host.strip().strip("[]") in WILDCARDS and not allowed_hosts:
        out.append(
            "Note: the dashboard listens on every address (%s): it answers "
            "requests that name it by an IP address, localhost or this "
            "machine's name only. Add the names clients use to [dashboard] "
            "allowed_hosts." % host
        )
    if not is_loopback(host) and not admin_token:
        out.append(
            "Warning: the dashboard listens on %s, which other machines can "
            "reach, and no [dashboard] admin_token is set: anyone who can "
            "connect sees every project's limits and usage. Bind to "
            "127.0.0.1 (the default), or set an admin token and serve it "
            "behind TLS." % host
        )
    if admin_token and len(admin_token) < 16:
        out.append(
            "Warning: [dashboard] admin_token is shorter than 16 characters; "
            "use a long random token."
        )
    return out


def make_server(
    app: Any, host: str, port: int, *, max_request_bytes: int, threads: int = 4
) -> Any:
    """Create (but do not run) a waitress server for ``app``.

    :raises ConfigError: if the address cannot be listened on.
    """
    import waitress

    try:
        return waitress.create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="plugfair-dashboard",
            max_request_body_size=max_request_bytes,
            max_request_header_size=MAX_HEADER_BYTES,
            clear_untrusted_proxy_headers=True,
            channel_timeout=60,
        )
    except (OSError, ValueError) as exc:
        raise ConfigError(
            "Cannot serve the dashboard on %s:%s: %s. Choose another address "
            "or port with --host/--port or [dashboard] host/port." % (host, port, exc)
        ) from exc


def urls(server: Any) -> list[str]:
    """The http URLs a waitress server listens on."""
    listen = getattr(server, "effective_listen", None) or [
        (server.effective_host, server.effective_port)
    ]
    out = []
    for host, port in listen:
        shown = "[%s]" % host if ":" in str(host) else host
        out.append("http://%s:%s/" % (shown, port))
    return out


def serve(
    service: Any,
    conf: Any,
    *,
    host: str | None = None,
    port: int | None = None,
    stdout: IO[str],
    stderr: IO[str],
) -> int:
    """Serve the dashboard until interrupted.

    :param service: the quota service.
    :param conf: the host's ``ConfigOpts``.
    :param host: address to listen on; ``[dashboard] host`` by default.
    :param port: port to listen on; ``[dashboard] port`` by default.
    :returns: ``0`` once interrupted.
    :raises ConfigError: if the address cannot be listened on.
    """
    from plugfair.dashboard.app import Settings, create_app

    group = conf.dashboard
    host = host if host is not None else group.host
    port = port if port is not None else group.port
    app = create_app(service, conf, bound_host=host)
    settings = Settings.from_conf(conf)
    for warning in exposure_warnings(host, settings.admin_token, settings.allowed_hosts):
        stderr.write(warning + "\n")
    server = make_server(
        app,
        host,
        port,
        max_request_bytes=settings.max_request_bytes,
        threads=group.threads,
    )
    mode = "editing with the admin token" if settings.editable else "read-only"
    stdout.write(
        "Serving the plugfair dashboard (%s) on %s\nPress Ctrl+C to stop.\n"
        % (mode, " ".join(urls(server)))
    )
    stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        _close(server)
    return 0


def _close(server: Any) -> None:
    from waitress import wasyncore

    server.task_dispatcher.shutdown()
    wasyncore.close_all(getattr(server, "map", None) or getattr(server, "_map", None))


class BackgroundServer:
    """Run a WSGI app with waitress in a thread (tests, embedding).

    :param app: the WSGI application.
    :param host: address, ``127.0.0.1`` by default.
    :param port: port, a free one by default.
    """

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, *, max_request_bytes: int = 65536
    ) -> None:
        self.server = make_server(app, host, port, max_request_bytes=max_request_bytes)
        #: The base URL, e.g. ``http://127.0.0.1:40123``.
        self.url = urls(self.server)[0].rstrip("/")
        self._thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)

    def start(self) -> BackgroundServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end."""
        _close(self.server)
        self._thread.join(timeout=10)
