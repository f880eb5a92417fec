"""What the dashboard shows: panels built from the quota service's rows.

One function, :func:`quota_payload`, builds the data behind both the JSON
API and the HTML pages, so the page, the API and scripts never disagree.
Every plugin gets a panel of the same shape, in order of plugin name.
Nothing here escapes text: the templates (autoescape) and the JSON encoder
do that at the edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from plugfair.interface.errors import PluginNotFound, QuotaError, UsageError
from plugfair.interface.quota import UNLIMITED
from plugfair.quota.service import MAX_PROJECT_LENGTH as _MAX_PROJECT
from plugfair.quota.service import validate_project

__all__ = [
    "MAX_PROJECT_LENGTH",
    "check_project",
    "quota_payload",
    "resource_view",
    "plugin_names",
    "problem_views",
]

#: Longest project id the dashboard accepts (Keystone's limit).
MAX_PROJECT_LENGTH = _MAX_PROJECT

#: Fraction of a limit at which a bar turns "high", then "full".
HIGH = 0.75
FULL = 1.0


def check_project(value: object) -> str | None:
    """Check a project id from a request, by the CLI's rule.

    Spaces around it (typed into the project field) are dropped; nothing
    else is: a line break, control or invisible formatting character
    anywhere makes the id invalid, rather than being cut off (so
    ``%0d%0aX:1`` is refused, never read as ``X:1``).

    :param value: the raw value; ``None`` or blank means no project.
    :returns: the id, or ``None``.
    :raises UsageError: if it is not text or breaks the rule of
        :func:`plugfair.quota.service.validate_project`.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise UsageError("The project must be a string.")
    text = value.strip(" ")
    if not text:
        return None
    try:
        return validate_project(text)
    except (QuotaError, UsageError) as exc:
        raise UsageError(exc.message) from None


def _label(state: str, limit: int, in_use: int | None, unit: str, project: bool) -> str:
    if not project:
        return "default: unlimited" if limit == UNLIMITED else "default: %d %s" % (limit, unit)
    if state == "unlimited":
        if in_use is None:
            return "unlimited (usage unknown)"
        return "%d %s used (unlimited)" % (in_use, unit)
    return "%s / %d %s" % ("unknown" if in_use is None else in_use, limit, unit)


def resource_view(row: Any, *, project: bool) -> dict[str, Any]:
    """Describe one quota row as a usage bar.

    :param row: a ``QuotaRow`` of the quota service.
    :param project: whether a project is selected (else these are defaults).
    :returns: the row's fields (``usage_reason`` says why the usage is
        unknown, ``""`` when it is known or no project is selected) plus
        ``state`` (``"unlimited"``,
        ``"unknown"``, ``"default"``, ``"ok"``, ``"high"`` or ``"full"``),
        ``label`` (text for humans) and the ``meter`` values of the bar.
    """
    limit = int(row.limit)
    in_use = None if row.in_use is None else int(row.in_use)
    if not project:
        state = "default"
    elif limit == UNLIMITED:
        state = "unlimited"
    elif in_use is None:
        state = "unknown"
    elif limit == 0 and in_use == 0:
        state = "ok"
    elif in_use >= limit * FULL:
        state = "full"
    elif in_use >= limit * HIGH:
        state = "high"
    else:
        state = "ok"
    if state in ("ok", "high", "full"):
        meter = {
            "max": max(limit, 1),
            "value": min(in_use or 0, max(limit, 1)),
            "low": limit * HIGH,
            "high": max(limit, 1) * FULL,
        }
    else:
        meter = {"max": 1, "value": 0, "low": 1, "high": 1}
    return {
        "key": row.key,
        "plugin": row.plugin,
        "resource": row.resource,
        "unit": row.unit,
        "description": row.description,
        "default": int(row.default),
        "limit": limit,
        "in_use": in_use,
        "remaining": None if row.remaining is None else int(row.remaining),
        "overridden": bool(row.overridden),
        "usage_reason": str(getattr(row, "usage_reason", "") or "") if project and in_use is None else "",
        "state": state,
        "label": _label(state, limit, in_use, row.unit, project),
        "meter": meter,
    }


def plugin_names(rows: Iterable[Any]) -> list[str]:
    """Names of the plugins that own ``rows``, sorted by name."""
    return sorted({row.plugin for row in rows})


def _usage_status(service: Any) -> Mapping[str, str]:
    try:
        status = service.usage_status()
    except Exception:  # noqa: BLE001 - a status display never breaks the page
        return {}
    return status if isinstance(status, Mapping) else {}


def quota_payload(
    service: Any,
    project: str | None,
    *,
    plugin: str | None = None,
) -> dict[str, Any]:
    """Build the panels for ``project`` (or the defaults when ``None``).

    :param service: the quota service.
    :param project: the selected project, already checked with
        :func:`check_project`.
    :param plugin: only this plugin's panel.
    :returns: ``{"project", "plugins": [panel, ...]}``; a panel is
        ``{"name", "usage", "usage_reason", "resources": [...]}``, where
        ``usage`` is ``"unknown"`` when the plugin's usage could not be
        read or some of its resources have no usage, and ``usage_reason``
        says why (``""`` otherwise).
    :raises PluginNotFound: if ``plugin`` declares no quota resources.
    """
    declared = service.resources()
    names = plugin_names(declared)
    if plugin is not None and plugin not in names:
        raise PluginNotFound(plugin, known=names)
    rows: Sequence[Any]
    if project is None:
        rows = [r for r in declared if plugin is None or r.plugin == plugin]
        status: Mapping[str, str] = {}
    elif hasattr(service, "report"):
        # rows and usage status together, safe with concurrent requests
        report = service.report(project, plugin)
        rows, status = report.rows, report.status
    else:
        rows = service.show(project, plugin=plugin)
        status = _usage_status(service)
    panels: dict[str, dict[str, Any]] = {}
    for name in names:
        if plugin is not None and name != plugin:
            continue
        text = str(status.get(name, "ok")) if project is not None else "ok"
        known = text == "ok"
        panels[name] = {
            "name": name,
            "usage": "ok" if known else "unknown",
            "usage_reason": "" if known else text.partition(":")[2].strip() or text,
            "resources": [],
        }
    for row in sorted(rows, key=lambda r: (r.plugin, r.resource)):
        panel = panels.get(row.plugin)
        if panel is not None:
            panel["resources"].append(resource_view(row, project=project is not None))
    for panel in panels.values():
        if panel["usage"] == "ok":
            _explain_unknown_rows(panel)
    return {"project": project, "plugins": [panels[n] for n in sorted(panels)]}


def _explain_unknown_rows(panel: dict[str, Any]) -> None:
    """Mark a panel whose plugin answered but left resources uncounted."""
    resources = panel["resources"]
    unknown = [r for r in resources if r["usage_reason"]]
    if not unknown:
        return
    reasons = sorted({r["usage_reason"] for r in unknown})
    if len(unknown) == len(resources) and len(reasons) == 1:
        reason = reasons[0]
    else:
        reason = "%s: %s" % (", ".join(r["resource"] for r in unknown), "; ".join(reasons))
    panel["usage"] = "unknown"
    panel["usage_reason"] = reason


def problem_views(registry: Any) -> list[dict[str, str]]:
    """Plugins that failed, were refused or collide, with the first reason.

    :param registry: the host's registry, or ``None``.
    :returns: ``[{"name", "status", "reason"}]`` sorted by name.
    """
    if registry is None:
        return []
    out = []
    try:
        records = registry.problems()
    except Exception:  # noqa: BLE001 - a status display never breaks the page
        return []
    for rec in records:
        reason = rec.problems[0].reason if rec.problems else rec.status
        out.append({"name": str(rec.name), "status": str(rec.status), "reason": str(reason)})
    return sorted(out, key=lambda p: (p["name"], p["status"]))
