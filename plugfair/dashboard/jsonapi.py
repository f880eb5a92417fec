"""The JSON API under ``/api/v1``, used by the pages and by scripts.

``GET /api/v1/quotas[?project=P][&plugin=X]``
    The panels: every plugin's resources with limit and usage for
    project ``P`` (the defaults without a project), by plugin name.
``PATCH /api/v1/quotas?project=P`` with ``{"limits": {KEY: VALUE, ...}}``
    Set limits; all of them or none.  Answers like ``GET``.
``DELETE /api/v1/quotas?project=P[&key=KEY...]``
    Put limits back to their defaults (every key when none is given).

Writes need ``Authorization: Bearer <admin token>``, or a browser session
that logged in with it plus the header ``X-CSRF-Token``.  Errors are
``{"error": {"code", "title", "message"}}`` with a 4xx status, and a
refused write changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request

from plugfair.dashboard import model, security
from plugfair.dashboard.app import state
from plugfair.interface.errors import UsageError

__all__ = ["blueprint", "parse_json_body"]

blueprint = Blueprint("api", __name__)

#: Most keys one request may set or reset.
MAX_KEYS = 10_000

_BODY_SHAPE = 'The body must be a JSON object like {"limits": {"plugin.resource": 10}}.'


def _authorize_api_write() -> None:
    settings = state().settings
    if not settings.editable:
        abort(
            403,
            "The dashboard is read-only: no [dashboard] admin_token is configured.",
        )
    bearer = security.bearer_token()
    if bearer is not None:
        limiter = state().limiter
        security.guard_token_attempt(limiter)
        if not security.same_token(bearer, settings.admin_token):
            limiter.failed(security.client_address())
            abort(401, "The bearer token is not the admin token.")
        limiter.succeeded(security.client_address())
        return
    if request.headers.get("Authorization"):
        abort(401, "Use 'Authorization: Bearer <admin token>'.")
    if not security.is_admin(settings.admin_token, state().sessions):
        abort(
            401,
            "Writing needs the admin token: send 'Authorization: Bearer <token>', "
            "or log in to the dashboard in a browser.",
        )
    if not security.check_csrf(request.headers.get("X-CSRF-Token")):
        abort(
            403,
            "The X-CSRF-Token header is missing or does not match this session. "
            "Reload the page and try again.",
        )


def _reject_constant(name: str) -> Any:
    raise ValueError("%s is not allowed in JSON" % name)


def parse_json_body(raw: bytes) -> Any:
    """Decode a request body as strict JSON.

    :raises UsageError: if it is not UTF-8 JSON, nests too deeply, or
        uses ``NaN``/``Infinity``.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("The body is not UTF-8 text. " + _BODY_SHAPE) from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise UsageError("The JSON body nests too deeply. " + _BODY_SHAPE) from None
    except ValueError as exc:
        raise UsageError("The body is not valid JSON (%s). %s" % (str(exc)[:200], _BODY_SHAPE)) from None


def _limits_from_body() -> dict[str, object]:
    mimetype = request.mimetype
    if mimetype != "application/json":
        abort(415, "Send the body as 'Content-Type: application/json'. " + _BODY_SHAPE)
    body = parse_json_body(request.get_data(cache=False))
    if not isinstance(body, dict):
        raise UsageError(_BODY_SHAPE)
    unknown = sorted(set(body) - {"limits"})
    if unknown:
        raise UsageError("Unknown field %r. %s" % (unknown[0][:80], _BODY_SHAPE))
    limits = body.get("limits")
    if not isinstance(limits, dict) or not limits:
        raise UsageError('"limits" must be a non-empty object. ' + _BODY_SHAPE)
    if len(limits) > MAX_KEYS:
        raise UsageError("At most %d limits can be set at once." % MAX_KEYS)
    for key, value in limits.items():
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise UsageError(
                "The limit of %r must be an integer (-1 for unlimited), not %s."
                % (key[:80], "a boolean" if isinstance(value, bool) else json.dumps(value)[:40])
            )
    return dict(limits)


def _project(required: bool) -> str | None:
    values = request.args.getlist("project")
    if len(values) > 1:
        raise UsageError("Give one project, not %d." % len(values))
    project = model.check_project(values[0] if values else None)
    if project is None and required:
        raise UsageError("Say which project: add '?project=<project id>'.")
    return project


def _required_project() -> str:
    project = _project(required=True)
    if project is None:  # pragma: no cover - _project raised already
        raise UsageError("Say which project: add '?project=<project id>'.")
    return project


def _answer(project: str | None, plugin: str | None = None) -> Response:
    st = state()
    data = model.quota_payload(st.service, project, plugin=plugin)
    data["problems"] = model.problem_views(st.registry)
    return jsonify(data)


@blueprint.get("/quotas")
def get_quotas() -> Response:
    """Every plugin's panel for one project, or the defaults."""
    project = _project(required=False)
    plugins = request.args.getlist("plugin")
    if len(plugins) > 1:
        raise UsageError("Give one plugin, not %d." % len(plugins))
    return _answer(project, plugins[0] if plugins else None)


@blueprint.patch("/quotas")
def set_quotas() -> Response:
    """Set some limits of one project, all or none."""
    _authorize_api_write()
    project = _required_project()
    limits = _limits_from_body()
    state().service.set(project, limits)
    return _answer(project)


@blueprint.delete("/quotas")
def delete_quotas() -> Response:
    """Put limits of one project back to their defaults."""
    _authorize_api_write()
    project = _required_project()
    keys = request.args.getlist("key")
    if len(keys) > MAX_KEYS:
        raise UsageError("At most %d keys can be reset at once." % MAX_KEYS)
    if keys:
        declared = {row.key for row in state().service.resources()}
        unknown = sorted(set(keys) - declared)
        if unknown:
            raise UsageError(
                "Unknown quota key %r. Run 'plugfair quota list' for the keys."
                % unknown[0][:80]
            )
    state().service.delete(project, keys or None)
    return _answer(project)
