"""What the DNS commands show: library functions returning cliff data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dns_plugin import zones

__all__ = ["ZONE_COLUMNS", "ZONE_FIELDS", "RECORDSET_COLUMNS", "RECORDSET_FIELDS",
           "zone_list", "zone_show", "zone_create", "zone_delete",
           "recordset_list", "recordset_create", "recordset_delete"]

ZONE_COLUMNS = ("ID", "Name", "Status", "Serial", "Project")
ZONE_FIELDS = ("created_at", "description", "email", "id", "name", "project_id",
               "serial", "status", "ttl", "type")
RECORDSET_COLUMNS = ("ID", "Name", "Type", "Records", "Status")
RECORDSET_FIELDS = ("id", "name", "records", "status", "ttl", "type", "zone_id", "zone_name")


def _values(item: dict[str, Any], fields: Sequence[str]) -> tuple[Any, ...]:
    out = []
    for field in fields:
        value = item.get(field)
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        out.append("" if value is None else value)
    return tuple(out)


def zone_list(backend: Any, *, project_id: str | None = None
              ) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``zone list``, ordered by name."""
    rows = [(z["id"], z["name"], z.get("status", ""), z.get("serial", ""),
             z.get("project_id", "")) for z in backend.list_zones(project_id)]
    return ZONE_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))


def zone_show(backend: Any, ref: str) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of one zone, by ID or name."""
    return ZONE_FIELDS, _values(backend.get_zone(ref), ZONE_FIELDS)


def zone_create(backend: Any, name: str, *, email: str, ttl: int, description: str,
                project_id: str | None, enforcer: Any = None
                ) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Create a zone; with an enforcer, only within the ``dns.zones`` quota.

    :param enforcer: a :class:`plugfair.api.QuotaEnforcer`; it counts the
        project's zones through this plugin's usage callback.
    :raises QuotaExceeded: if the project already has its limit of zones.
    """
    # Bad input is reported as such, whatever the quota says.
    zones.check_zone_name(name)
    zones.check_email(email)
    zones.check_ttl(ttl)
    project = project_id or getattr(backend, "default_project", None)
    if enforcer is not None and project:
        enforcer.check(project, {"dns.zones": 1})
    zone = backend.create_zone(name, email, ttl=ttl, description=description,
                               project_id=project_id)
    return ZONE_FIELDS, _values(zone, ZONE_FIELDS)


def zone_delete(backend: Any, refs: Sequence[str]) -> list[str]:
    """Delete zones; every reference is resolved before anything is deleted."""
    ids = [backend.get_zone(ref)["id"] for ref in refs]
    for zone_id in ids:
        backend.delete_zone(zone_id)
    return ids


def recordset_list(backend: Any, zone: str) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``recordset list``, ordered by name and type."""
    rows = [(r["id"], r["name"], r["type"], "\n".join(r.get("records") or []),
             r.get("status", "")) for r in backend.list_recordsets(zone)]
    return RECORDSET_COLUMNS, sorted(rows, key=lambda r: (r[1], r[2], r[0]))


def recordset_create(backend: Any, zone: str, name: str, *, rtype: str,
                     records: Sequence[str], ttl: int | None
                     ) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Create a recordset; return its fields."""
    recordset = backend.create_recordset(zone, name, rtype, records, ttl=ttl)
    return RECORDSET_FIELDS, _values(recordset, RECORDSET_FIELDS)


def recordset_delete(backend: Any, zone: str, recordset_id: str) -> None:
    """Delete a recordset."""
    backend.delete_recordset(zone, recordset_id)
