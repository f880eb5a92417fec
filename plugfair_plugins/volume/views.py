"""What the volume commands show: library functions returning cliff data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["VOLUME_COLUMNS", "VOLUME_FIELDS", "SNAPSHOT_COLUMNS",
           "volume_list", "volume_show", "snapshot_list"]

VOLUME_COLUMNS = ("ID", "Name", "Status", "Size", "Attached to")
VOLUME_FIELDS = ("availability_zone", "bootable", "created_at", "description", "id",
                 "multiattach", "name", "project_id", "size", "status", "volume_type")
SNAPSHOT_COLUMNS = ("ID", "Name", "Status", "Size", "Volume")


def _attached(volume: dict[str, Any]) -> str:
    return ", ".join(sorted(str(a.get("server_id", "")) for a in volume.get("attachments") or []))


def volume_list(client: Any, *, all_projects: bool = False
                ) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``volume list``, ordered by name then ID."""
    rows = [(v.get("id", ""), v.get("name") or "", v.get("status", ""), v.get("size", 0),
             _attached(v)) for v in client.list_volumes(all_projects=all_projects)]
    return VOLUME_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))


def volume_show(client: Any, ref: str) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of one volume, found by ID or name."""
    volume = dict(client.get_volume(ref))
    volume.setdefault("project_id", volume.get("os-vol-tenant-attr:tenant_id", ""))
    return VOLUME_FIELDS, tuple("" if volume.get(f) is None else volume.get(f)
                                for f in VOLUME_FIELDS)


def snapshot_list(client: Any) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``snapshot list``, ordered by name then ID."""
    rows = [(s.get("id", ""), s.get("name") or "", s.get("status", ""), s.get("size", 0),
             s.get("volume_id", "")) for s in client.list_snapshots()]
    return SNAPSHOT_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))
