"""Who may write, CSRF tokens, and the headers every response carries.

* Every request must name the dashboard in its ``Host`` header
  (:mod:`plugfair.dashboard.hosts`), against DNS rebinding.
* Writing needs the ``[dashboard] admin_token``: as ``Authorization:
  Bearer <token>`` (scripts), or by logging in with it (browsers), which
  starts a server-side session (:mod:`plugfair.dashboard.sessions`) named
  in Flask's signed cookie; logging out ends it for good.  Tokens are
  compared in constant time, and failed attempts are limited per client
  address (:mod:`plugfair.dashboard.ratelimit`).
* A browser write must also carry the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), and must not come from
  another origin.
* The session cookie is ``HttpOnly``, ``SameSite=Strict``, and ``Secure``
  over HTTPS or when ``[dashboard] secure_cookies`` is set.
* Every response forbids inline script, framing and MIME sniffing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import Flask, Response, abort, g, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import TooManyRequests

from plugfair.dashboard.hosts import HostRules
from plugfair.dashboard.ratelimit import FailureLimiter

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "session_secret",
    "same_token",
    "bearer_token",
    "csrf_token",
    "check_csrf",
    "check_host",
    "client_address",
    "guard_token_attempt",
    "is_admin",
    "login",
    "logout",
    "safe_next",
    "set_security_headers",
    "SessionInterface",
]

#: The Content-Security-Policy of every response: only this origin's
#: static files run or style anything, no inline script or style, no eval,
#: no framing, forms post only here.
CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

_SESSION_CONTEXT = b"plugfair-dashboard-session-v1"


def session_secret(admin_token: str | None) -> bytes:
    """The key that signs session cookies.

    Derived from the admin token, so every instance serving the same
    configuration accepts the same sessions and changing the token logs
    everyone out; random per process when there is no token.
    """
    if not admin_token:
        return secrets.token_bytes(32)
    return hmac.new(admin_token.encode("utf-8"), _SESSION_CONTEXT, hashlib.sha256).digest()


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "backslashreplace")


def same_token(given: object, expected: str | None) -> bool:
    """Compare a presented token with the expected one in constant time.

    :returns: ``False`` when no token is expected, or ``given`` is not a
        non-empty string equal to it.
    """
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(_bytes(given), _bytes(expected))


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _same_origin() -> bool:
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return origin.rstrip("/") == request.host_url.rstrip("/")


def check_csrf(given: object) -> bool:
    """Whether a browser write carries this session's CSRF token.

    The request must also come from this origin, when the browser says
    where it comes from (``Origin``, ``Sec-Fetch-Site``).
    """
    expected = session.get("csrf")
    if not isinstance(expected, str) or not expected:
        return False
    if not _same_origin():
        return False
    return isinstance(given, str) and hmac.compare_digest(_bytes(given), _bytes(expected))


def is_admin(admin_token: str | None, sessions: Any) -> bool:
    """Whether this browser session logged in with the current token and
    has not logged out since (its server-side session still exists).

    :param sessions: the :class:`~plugfair.dashboard.sessions.SessionStore`.
    """
    if not admin_token or session.get("admin") is not True:
        return False
    known = g.get("plugfair_admin")
    if known is None:
        known = g.plugfair_admin = bool(sessions.valid(session.get("sid")))
    return bool(known)


def login(sessions: Any) -> None:
    """Start a server-side session; mark the cookie's session as admin,
    with a fresh CSRF token."""
    sid = sessions.create()
    session.clear()
    session["admin"] = True
    session["sid"] = sid
    session["csrf"] = secrets.token_urlsafe(32)
    g.plugfair_admin = True


def logout(sessions: Any) -> None:
    """End the server-side session for good; clear the cookie's session."""
    sessions.end(session.get("sid"))
    session.clear()
    g.plugfair_admin = False


def client_address() -> str:
    """The client's address, as the WSGI server reports it."""
    return request.remote_addr or "unknown"


def guard_token_attempt(limiter: FailureLimiter) -> None:
    """Refuse a token attempt from an address that failed too often.

    :raises TooManyRequests: 429 with ``Retry-After``.
    """
    wait = limiter.retry_after(client_address())
    if wait is not None:
        raise TooManyRequests(
            "Too many failed attempts with the admin token from your address. "
            "Try again in %d seconds." % wait,
            retry_after=wait,
        )


def check_host(rules: HostRules) -> None:
    """Refuse a request whose ``Host`` header does not name this dashboard.

    :raises BadRequest: 400, saying what to configure.
    """
    header = request.headers.get("Host")
    if header is None and request.environ.get("SERVER_PROTOCOL", "").endswith("1.0"):
        return  # HTTP/1.0 without Host: nothing a browser could rebind
    if rules.allows(header):
        return
    shown = (header or "")[:100]
    abort(
        400,
        "This dashboard does not answer to the host %r; it answers to %s. If "
        "you reach it by that name, add it to [dashboard] allowed_hosts. (Other "
        "names are refused to protect against DNS rebinding.)" % (shown, rules.describe()),
    )


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, ``Secure`` on HTTPS requests too."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def safe_next(target: object, default: str) -> str:
    """A redirect target inside this site: a path, never another host."""
    if (
        not isinstance(target, str)
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
        or len(target) > 2048
    ):
        return default
    return target


def set_security_headers(response: Response) -> Response:
    """Add the security headers; pages and API answers are never cached."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response

