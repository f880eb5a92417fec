"""Tables about plugins, for ``plugin list/show/doctor`` (core only)."""

from __future__ import annotations

from typing import Any

from plugfair.registry import records as r
from plugfair.registry.core import Registry

__all__ = [
    "LIST_COLUMNS",
    "plugin_rows",
    "plugin_detail",
    "DOCTOR_COLUMNS",
    "doctor_rows",
    "warning_rows",
]

LIST_COLUMNS = (
    "Name",
    "Distribution",
    "Version",
    "API Version",
    "Status",
    "Capabilities",
)


def plugin_rows(registry: Registry) -> list[tuple[Any, ...]]:
    """One row per installed plugin, ordered by name."""
    return [
        (
            rec.name,
            rec.distribution,
            rec.version,
            rec.api_version,
            str(rec.status),
            ", ".join(rec.capabilities),
        )
        for rec in registry.records()
    ]


def plugin_detail(registry: Registry, name: str) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """Every fact about plugin ``name``, as ``(columns, values)``.

    :raises PluginNotFound: if no such plugin is installed.
    """
    rec = registry.get(name)
    data = [
        ("name", rec.name),
        ("distribution", rec.distribution),
        ("version", rec.version),
        (
            "entry_point",
            "hosted by plugin %s: %s" % (rec.host, rec.origin or rec.target)
            if rec.host
            else "%s = %s" % (rec.name, rec.target),
        ),
        ("api_version", rec.api_version),
        ("description", rec.description),
        ("status", str(rec.status)),
        ("capabilities", ", ".join(rec.capabilities)),
        ("commands", "\n".join(sorted(rec.commands))),
        ("config_groups", "\n".join(sorted(rec.config_groups))),
        ("quota_resources", "\n".join("%s.%s" % (rec.name, q["name"]) for q in rec.quota)),
        ("services", "\n".join(rec.services)),
        ("test_package", rec.test_package or ""),
        ("test_packages", "\n".join(rec.test_packages)),
        ("hosted_plugins", "\n".join(sorted(rec.hosted))),
        ("problems", "\n".join(p.reason for p in rec.problems)),
        ("warnings", "\n".join(rec.warnings)),
    ]
    return tuple(k for k, _ in data), tuple(v for _, v in data)


DOCTOR_COLUMNS = ("Plugin", "Status", "Problem", "Remedy")


def doctor_rows(registry: Registry, name: str | None = None) -> list[tuple[str, ...]]:
    """One row per problem, for every plugin or for ``name`` only.

    A disabled plugin is reported as such when asked for by name.

    :raises PluginNotFound: if ``name`` is not installed.
    """
    if name is not None:
        recs = [x for x in registry.records() if x.name == name] or [registry.get(name)]
    else:
        recs = registry.problems()
    rows: list[tuple[str, ...]] = []
    for rec in recs:
        if rec.status == r.STATUS_DISABLED:
            hosted = [p for p in rec.problems if p.kind == "host-disabled"]
            rows.append(
                (rec.name, str(rec.status), hosted[0].reason, hosted[0].remedy)
                if hosted
                else (
                    rec.name,
                    str(rec.status),
                    "it is disabled by [plugfair] enabled_plugins/disabled_plugins",
                    "Change that configuration to use it.",
                )
            )
            continue
        for problem in rec.problems:
            rows.append((rec.name, str(rec.status), problem.reason, problem.remedy))
    return rows


def warning_rows(registry: Registry, name: str | None = None) -> list[tuple[str, ...]]:
    """One row per warning of an enabled plugin (for ``name`` only if given):
    things to fix that do not stop the plugin from being used."""
    return [
        (rec.name, "%s (warning)" % rec.status, text, "Fix it in the plugin.")
        for rec in registry.records()
        if rec.status != r.STATUS_DISABLED and (name is None or rec.name == name)
        for text in rec.warnings
    ]
