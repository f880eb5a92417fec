"""What the compute commands show: library functions returning cliff data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["SERVER_COLUMNS", "SERVER_FIELDS", "FLAVOR_COLUMNS",
           "server_list", "server_show", "flavor_list"]

SERVER_COLUMNS = ("ID", "Name", "Status", "Networks", "Image", "Flavor")
SERVER_FIELDS = ("addresses", "created", "flavor", "id", "image", "key_name",
                 "name", "project_id", "status", "updated", "user_id")
FLAVOR_COLUMNS = ("ID", "Name", "RAM", "Disk", "Ephemeral", "VCPUs", "Is Public")


def _networks(server: dict[str, Any]) -> str:
    parts = []
    for net, addrs in sorted((server.get("addresses") or {}).items()):
        ips = ", ".join(str(a.get("addr", "")) for a in addrs or [])
        parts.append("%s=%s" % (net, ips))
    return "; ".join(parts)


def _ref(value: Any) -> str:
    # Nova gives {"id": ...} (or, from 2.47, the flavor's details).
    if isinstance(value, dict):
        return str(value.get("id") or value.get("original_name") or "")
    return str(value or "")


def server_list(client: Any, *, all_projects: bool = False,
                project_id: str | None = None) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``server list``, ordered by name then ID."""
    servers = client.list_servers(all_projects=all_projects, project_id=project_id)
    rows = [(s.get("id", ""), s.get("name", ""), s.get("status", ""), _networks(s),
             _ref(s.get("image")), _ref(s.get("flavor"))) for s in servers]
    return SERVER_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))


def server_show(client: Any, ref: str) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of one server, found by ID or name."""
    server = client.get_server(ref)
    values = {
        "addresses": _networks(server),
        "flavor": _ref(server.get("flavor")),
        "image": _ref(server.get("image")),
        "project_id": server.get("tenant_id", server.get("project_id", "")),
    }
    return SERVER_FIELDS, tuple(
        values[f] if f in values else (server.get(f) if server.get(f) is not None else "")
        for f in SERVER_FIELDS
    )


def flavor_list(client: Any) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``flavor list``, ordered by RAM then name."""
    rows = [(f.get("id", ""), f.get("name", ""), f.get("ram", 0), f.get("disk", 0),
             f.get("OS-FLV-EXT-DATA:ephemeral", 0), f.get("vcpus", 0),
             f.get("os-flavor-access:is_public", True)) for f in client.list_flavors()]
    return FLAVOR_COLUMNS, sorted(rows, key=lambda r: (r[2], r[1]))
