"""Who may write, CSRF tokens, and the headers every response carries.

* Writing needs the ``[dashboard] admin_token``: as ``Authorization:
  Bearer <token>`` (scripts), or by logging in with it (browsers), which
  marks Flask's signed session as admin.  Tokens are compared in constant
  time.
* A browser write must also carry the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``), and must not come from
  another origin.
* Every response forbids inline script, framing and MIME sniffing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import Response, request, session

__all__ = [
    "CSP",
    "SECURITY_HEADERS",
    "session_secret",
    "same_token",
    "bearer_token",
    "csrf_token",
    "check_csrf",
    "is_admin",
    "login",
    "logout",
    "safe_next",
    "set_security_headers",
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


def is_admin(admin_token: str | None) -> bool:
    """Whether this browser session logged in with the current token."""
    return bool(admin_token) and session.get("admin") is True


def login() -> None:
    """Mark the session as admin, with a fresh CSRF token."""
    session.clear()
    session["admin"] = True
    session["csrf"] = secrets.token_urlsafe(32)


def logout() -> None:
    """Forget the admin mark and the CSRF token."""
    session.clear()


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

