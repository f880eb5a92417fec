"""HTML pages: the Limit Summary, one page per plugin, login and edits.

Every panel, on every page, is rendered by ``_panel.html``.  Forms work
without JavaScript; ``dashboard.js`` enhances them through the JSON API.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from plugfair.dashboard import model, security
from plugfair.dashboard.app import state
from plugfair.interface.errors import QuotaError, UsageError
from plugfair.interface.quota import validate_limit

__all__ = ["blueprint"]

blueprint = Blueprint("pages", __name__)

#: Form field prefix of a limit: ``limit:<plugin>.<resource>``.
LIMIT_FIELD = "limit:"

_READ_ONLY = (
    "The dashboard is read-only: no [dashboard] admin_token is configured. "
    "Set one and restart the dashboard to edit limits."
)


@blueprint.app_context_processor
def _template_defaults() -> dict[str, Any]:
    """What every page (error pages included) knows about the session."""
    settings = state().settings
    return {
        "editable": settings.editable,
        "admin": security.is_admin(settings.admin_token, state().sessions),
        "csrf": security.csrf_token() if settings.editable else "",
        "known_projects": settings.projects,
        "project": None,
    }


def _authorize_form() -> None:
    """Allow a browser write only for an admin session with the CSRF token."""
    settings = state().settings
    if not settings.editable:
        abort(403, _READ_ONLY)
    if not security.is_admin(settings.admin_token, state().sessions):
        abort(403, "Editing limits needs the admin token. Log in first.")
    if not security.check_csrf(request.form.get("csrf_token")):
        abort(
            403,
            "The form's CSRF token is missing or does not match this session. "
            "Reload the page and try again.",
        )


def _required_project(value: object) -> str:
    project = model.check_project(value)
    if project is None:
        raise UsageError("Choose a project before editing its limits.")
    return project


def _plugin_keys(plugin: str) -> set[str]:
    keys = {row.key for row in state().service.resources() if row.plugin == plugin}
    if not keys:
        abort(404, "No plugin named %r declares quota resources." % plugin)
    return keys


def _render_plugin(plugin: str, project: str | None, *, status: int = 200, error: str = "") -> Response:
    st = state()
    data = model.quota_payload(st.service, project, plugin=plugin)
    html = render_template(
        "plugin.html",
        data=data,
        panel=data["plugins"][0],
        project=project,
        error=error,
            )
    return Response(html, status=status, mimetype="text/html")


def _back_to_plugin(plugin: str, project: str) -> BaseResponse:
    return redirect(url_for(".plugin_page", plugin=plugin, project=project), code=303)


@blueprint.get("/")
def overview() -> Response:
    """The Limit Summary: one panel per plugin, by plugin name."""
    st = state()
    project = model.check_project(request.args.get("project"))
    data = model.quota_payload(st.service, project)
    data["problems"] = model.problem_views(st.registry)
    html = render_template("overview.html", data=data, project=project)
    return Response(html, mimetype="text/html")


@blueprint.get("/plugins/<plugin>")
def plugin_page(plugin: str) -> Response:
    """One plugin's panel, its resources in detail and the edit form."""
    project = model.check_project(request.args.get("project"))
    return _render_plugin(plugin, project)


def _limit_fields(plugin: str, form: Any) -> dict[str, str]:
    keys = _plugin_keys(plugin)
    values: dict[str, str] = {}
    for field, value in form.items(multi=True):
        if field in ("csrf_token", "project"):
            continue
        if not field.startswith(LIMIT_FIELD):
            raise UsageError("Unexpected form field %r." % field[:80])
        key = field[len(LIMIT_FIELD) :]
        if key in values:
            raise UsageError("The limit of %r is given twice." % key[:80])
        if key not in keys:
            raise UsageError(
                "%r is not a quota key of plugin %r. Its keys are: %s."
                % (key[:80], plugin, ", ".join(sorted(keys)))
            )
        values[key] = value
    if not values:
        raise UsageError("The form gives no limits to save.")
    return values


def _same_limit(value: str, current: int | None) -> bool:
    try:
        return validate_limit(value) == current
    except QuotaError:
        return False


@blueprint.post("/plugins/<plugin>/limits")
def save_limits(plugin: str) -> BaseResponse:
    """Save the limits a form changed; all of them or none."""
    _authorize_form()
    st = state()
    project = _required_project(request.form.get("project"))
    try:
        values = _limit_fields(plugin, request.form)
        current = {row.key: row.limit for row in st.service.show(project, plugin=plugin)}
        changed = {k: v for k, v in values.items() if not _same_limit(v, current.get(k))}
        if changed:
            st.service.set(project, changed)
    except (UsageError, QuotaError) as exc:
        return _render_plugin(plugin, project, status=400, error=exc.message)
    if changed:
        flash("Saved %d limit(s) of %s for project %s." % (len(changed), plugin, project), "ok")
    else:
        flash("Nothing changed.", "info")
    return _back_to_plugin(plugin, project)


@blueprint.post("/plugins/<plugin>/reset")
def reset_limits(plugin: str) -> BaseResponse:
    """Put every limit of one plugin back to its default for a project."""
    _authorize_form()
    st = state()
    project = _required_project(request.form.get("project"))
    extra = sorted(set(request.form) - {"csrf_token", "project"})
    if extra:
        return _render_plugin(
            plugin, project, status=400, error="Unexpected form field %r." % extra[0][:80]
        )
    keys = sorted(_plugin_keys(plugin))
    try:
        st.service.delete(project, keys)
    except (UsageError, QuotaError) as exc:
        return _render_plugin(plugin, project, status=400, error=exc.message)
    flash("Limits of %s for project %s are back to the defaults." % (plugin, project), "ok")
    return _back_to_plugin(plugin, project)


@blueprint.route("/login", methods=["GET", "POST"])
def login_page() -> BaseResponse:
    """Log in with the admin token to edit limits."""
    st = state()
    settings = st.settings
    target = security.safe_next(request.values.get("next"), url_for(".overview"))
    if not settings.editable:
        html = render_template("login.html", next=target, error=_READ_ONLY)
        return Response(html, status=403 if request.method == "POST" else 200, mimetype="text/html")
    if request.method == "GET":
        html = render_template("login.html", next=target, error="")
        return Response(html, mimetype="text/html")
    if not security.check_csrf(request.form.get("csrf_token")):
        abort(403, "The form's CSRF token is missing or wrong. Reload the page and try again.")
    security.guard_token_attempt(st.limiter)
    if not security.same_token(request.form.get("token"), settings.admin_token):
        st.limiter.failed(security.client_address())
        html = render_template(
            "login.html", next=target, error="That is not the admin token."
        )
        return Response(html, status=401, mimetype="text/html")
    st.limiter.succeeded(security.client_address())
    security.login(st.sessions)
    flash("Logged in: you can edit limits.", "ok")
    return redirect(target, code=303)


@blueprint.post("/logout")
def logout() -> BaseResponse:
    """End the admin session, on the server too."""
    if not security.check_csrf(request.form.get("csrf_token")):
        abort(403, "The form's CSRF token is missing or wrong. Reload the page and try again.")
    security.logout(state().sessions)
    return redirect(url_for(".overview"), code=303)
