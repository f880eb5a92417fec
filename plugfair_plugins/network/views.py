"""What the network commands show: library functions returning cliff data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["NETWORK_COLUMNS", "NETWORK_FIELDS", "SUBNET_COLUMNS",
           "network_list", "network_show", "subnet_list"]

NETWORK_COLUMNS = ("ID", "Name", "Status", "Subnets")
NETWORK_FIELDS = ("admin_state_up", "id", "mtu", "name", "project_id", "router:external",
                  "shared", "status", "subnets")
SUBNET_COLUMNS = ("ID", "Name", "Network", "CIDR")


def network_list(client: Any, *, project_id: str | None = None
                 ) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``network list``, ordered by name then ID."""
    rows = [(n.get("id", ""), n.get("name", ""), n.get("status", ""),
             ", ".join(sorted(n.get("subnets") or [])))
            for n in client.list_networks(project_id=project_id)]
    return NETWORK_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))


def network_show(client: Any, ref: str) -> tuple[Sequence[str], tuple[Any, ...]]:
    """Fields of one network, found by ID or name."""
    network = client.get_network(ref)
    values = []
    for field in NETWORK_FIELDS:
        value = network.get(field, network.get("tenant_id", "") if field == "project_id" else "")
        if field == "subnets":
            value = ", ".join(sorted(value or []))
        values.append("" if value is None else value)
    return NETWORK_FIELDS, tuple(values)


def subnet_list(client: Any, *, network_id: str | None = None
                ) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """Rows of ``subnet list``, ordered by name then ID."""
    rows = [(s.get("id", ""), s.get("name", ""), s.get("network_id", ""), s.get("cidr", ""))
            for s in client.list_subnets(network_id=network_id)]
    return SUBNET_COLUMNS, sorted(rows, key=lambda r: (r[1], r[0]))
