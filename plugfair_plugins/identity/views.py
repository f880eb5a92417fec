"""What the identity commands show: library functions returning cliff data.

Each function takes the ``identity`` service client and the parsed values,
makes one client call and shapes the answer for a cliff formatter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "PROJECT_COLUMNS",
    "PROJECT_FIELDS",
    "TOKEN_FIELDS",
    "project_list",
    "project_show",
    "project_create",
    "project_delete",
    "token_issue",
]

#: Columns of ``project list``.
PROJECT_COLUMNS = ("ID", "Name", "Domain ID", "Enabled", "Description")

#: Fields of ``project show`` and ``project create``.
PROJECT_FIELDS = ("description", "domain_id", "enabled", "id", "is_domain",
                  "name", "parent_id", "tags")

#: Fields of ``token issue``.
TOKEN_FIELDS = ("expires", "id", "project_id", "system", "user_id")


def project_list(
    client: Any, *, domain_id: str | None = None
) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``project list``, ordered by name then ID."""
    projects = client.list_projects(domain_id=domain_id)
    rows = [
        (p.get("id", ""), p.get("name", ""), p.get("domain_id", ""),
         bool(p.get("enabled", True)), p.get("description") or "")
        for p in projects
    ]
    return PROJECT_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))


def _project_values(project: dict[str, Any]) -> tuple[Any, ...]:
    values = []
    for field in PROJECT_FIELDS:
        value = project.get(field, "")
        if field == "tags":
            value = ",".join(value or [])
        elif value is None:
            value = ""
        values.append(value)
    return tuple(values)


def project_show(client: Any, ref: str) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of one project, found by ID or name."""
    return PROJECT_FIELDS, _project_values(client.get_project(ref))


def project_create(
    client: Any,
    name: str,
    *,
    domain_id: str,
    description: str,
    enabled: bool,
    tags: Sequence[str],
) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Create a project; return its fields."""
    project = client.create_project(
        name, domain_id=domain_id, description=description, enabled=enabled, tags=tags
    )
    return PROJECT_FIELDS, _project_values(project)


def project_delete(client: Any, refs: Sequence[str]) -> list[str]:
    """Delete projects given by ID or name; return the deleted IDs.

    Every reference is resolved before anything is deleted, so a typo in
    the last one deletes nothing.
    """
    ids = [client.get_project(ref)["id"] for ref in refs]
    for project_id in ids:
        client.delete_project(project_id)
    return ids


def token_issue(client: Any) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of the token the configured credentials get."""
    token = client.issue_token()
    return TOKEN_FIELDS, tuple(token.get(f, "") for f in TOKEN_FIELDS)
