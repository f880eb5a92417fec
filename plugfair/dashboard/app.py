"""The dashboard's WSGI application: :func:`create_app`.

A plain Flask app, so it runs behind any WSGI server (``plugfair
dashboard`` uses waitress).  It holds no state of its own that matters
across instances: quota data and signed-in sessions live in the quota
database, so any number of instances can serve the same configuration
(each counts failed token attempts on its own).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from jinja2 import StrictUndefined
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException, InternalServerError

from plugfair.dashboard import opts, security
from plugfair.dashboard.hosts import HostRules, host_rules
from plugfair.dashboard.ratelimit import FailureLimiter
from plugfair.dashboard.sessions import SessionStore
from plugfair.interface.errors import (
    PlugfairError,
    PluginNotFound,
    QuotaError,
    UsageError,
)

__all__ = ["Settings", "State", "breakable", "create_app", "state"]

LOG = logging.getLogger(__name__)

#: Most form fields (and multipart parts) a request may carry.
MAX_FORM_PARTS = 1024


@dataclasses.dataclass(frozen=True)
class Settings:
    """The ``[dashboard]`` options the app uses."""

    admin_token: str | None
    max_request_bytes: int
    projects: tuple[str, ...]
    allowed_hosts: tuple[str, ...] = ()
    secure_cookies: bool = False
    session_lifetime: int = 12 * 3600
    max_failed_logins: int = 5
    failed_login_window: int = 300

    @classmethod
    def from_conf(cls, conf: Any) -> Settings:
        group = conf.dashboard
        token = group.admin_token or None
        return cls(
            admin_token=token,
            max_request_bytes=int(group.max_request_bytes),
            projects=tuple(sorted({p.strip() for p in group.projects if p.strip()})),
            allowed_hosts=tuple(h.strip() for h in group.allowed_hosts if h.strip()),
            secure_cookies=bool(group.secure_cookies),
            session_lifetime=int(group.session_lifetime),
            max_failed_logins=int(group.max_failed_logins),
            failed_login_window=int(group.failed_login_window),
        )

    @property
    def editable(self) -> bool:
        """Whether limits can be edited at all (an admin token is set)."""
        return self.admin_token is not None


@dataclasses.dataclass(frozen=True)
class State:
    """What the views need: the quota service, the registry, the settings,
    the sessions, the failed-token limiter and the allowed hosts."""

    service: Any
    registry: Any
    settings: Settings
    sessions: Any = None
    limiter: FailureLimiter = dataclasses.field(default_factory=lambda: FailureLimiter(0, 1))
    hosts: HostRules | None = None


def state() -> State:
    """The :class:`State` of the running app."""
    found: State = current_app.extensions["plugfair_dashboard"]
    return found


def breakable(text: object) -> Markup:
    """``text``, escaped, with a line-break opportunity after ``_`` and ``.``.

    The Jinja filter ``breakable``: long names such as
    ``server_group_members`` or ``volume.per_volume_gigabytes`` wrap
    between their words (``<wbr>``), never inside one.  Each piece is
    escaped, so the result is safe whatever the text holds.

    :param text: plugin-supplied text (untrusted).
    :returns: markup safe to put into the page.
    """
    out = Markup("")
    for char_run in _split_keep(str(text), "_."):
        out += escape(char_run)
        if char_run[-1:] in ("_", "."):
            out += Markup("<wbr>")
    return out


def _split_keep(text: str, separators: str) -> list[str]:
    """Split ``text`` after each separator, keeping it: ``a_b`` -> ``a_``, ``b``."""
    parts: list[str] = []
    start = 0
    for i, char in enumerate(text):
        if char in separators:
            parts.append(text[start : i + 1])
            start = i + 1
    if start < len(text):
        parts.append(text[start:])
    return parts


def create_app(service: Any, conf: Any, *, bound_host: str | None = None) -> Flask:
    """Build the dashboard application.

    :param service: the quota service (``plugfair.quota.service.QuotaService``)
        that reads and writes limits.
    :param conf: the host's ``ConfigOpts``; the ``[dashboard]`` options
        are registered on it if needed.
    :param bound_host: the address the server listens on, which requests
        may name in ``Host``; ``[dashboard] host`` by default.
    :returns: a Flask (WSGI) application.
    """
    opts.register(conf)
    settings = Settings.from_conf(conf)
    app = Flask(
        __name__,
        static_folder="static",
        template_folder="templates",
    )
    # Autoescape every template, whatever its name, and fail loudly on a
    # missing variable rather than print nothing.
    app.jinja_options = {
        **Flask.jinja_options,
        "autoescape": True,
        "undefined": StrictUndefined,
    }
    app.jinja_env.filters["breakable"] = breakable
    app.config.update(
        SECRET_KEY=security.session_secret(settings.admin_token),
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        MAX_FORM_PARTS=MAX_FORM_PARTS,
        SESSION_COOKIE_NAME="plugfair_dashboard",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    app.session_interface = security.SessionInterface()
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # One plugin never holds every worker thread: at most threads - 1
    # requests wait for one plugin's usage at a time.
    limit = getattr(service, "limit_usage_calls", None)
    if callable(limit):
        limit(max(1, int(conf.dashboard.threads) - 1))
    rules = host_rules(bound_host if bound_host is not None else conf.dashboard.host,
                       settings.allowed_hosts)
    app.extensions["plugfair_dashboard"] = State(
        service=service,
        registry=getattr(service, "registry", None),
        settings=settings,
        sessions=SessionStore(conf.quota.connection if "quota" in conf else None,
                              settings.session_lifetime),
        limiter=FailureLimiter(settings.max_failed_logins, settings.failed_login_window),
        hosts=rules,
    )

    from plugfair.dashboard import jsonapi, pages

    app.before_request(lambda: security.check_host(rules))
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(jsonapi.blueprint, url_prefix="/api/v1")
    app.after_request(security.set_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(PlugfairError, _plugfair_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, title: str, message: str) -> Response:
    """An error answer: JSON under ``/api/``, an HTML page elsewhere."""
    if _wants_json():
        response = jsonify(error={"code": status, "title": title, "message": message})
        response.status_code = status
        return response
    return make_response(
        render_template("error.html", status=status, title=title, message=message),
        status,
    )


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = error_response(status, exc.name, exc.description or exc.name)
    if status == 401 and _wants_json():
        response.headers["WWW-Authenticate"] = 'Bearer realm="plugfair dashboard"'
    for header in ("Allow", "Retry-After"):
        value = exc.get_response().headers.get(header)
        if value:
            response.headers[header] = value
    return response


def _plugfair_error(exc: PlugfairError) -> Response:
    if isinstance(exc, PluginNotFound):
        return error_response(404, "Not Found", exc.message)
    if isinstance(exc, (UsageError, QuotaError)):
        return error_response(400, "Bad Request", exc.message)
    LOG.warning("dashboard request failed: %s", exc)
    return error_response(503, "Service Unavailable", exc.message)


def _unexpected_error(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):  # pragma: no cover - routed above
        return _http_error(exc)
    LOG.exception("dashboard request failed unexpectedly")
    return error_response(
        500,
        "Internal Server Error",
        InternalServerError.description or "The dashboard failed; see its log.",
    )
