"""Compute quota resources: Nova's quota set, with Nova's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.api import QuotaResource

__all__ = ["RESOURCES", "usage"]

#: Nova's quota set and its default limits.
RESOURCES = (
    QuotaResource("instances", 10, "count", "Servers in the project."),
    QuotaResource("cores", 20, "count", "Virtual CPUs of the project's servers."),
    QuotaResource("ram", 51200, "MiB", "RAM of the project's servers."),
    QuotaResource("key_pairs", 100, "count", "Key pairs per user."),
    QuotaResource("server_groups", 10, "count", "Server groups in the project."),
    QuotaResource("server_group_members", 10, "count", "Servers per server group."),
    QuotaResource("metadata_items", 128, "count", "Metadata items per server."),
)


def usage(client: Any, project_id: str, names: Sequence[str]) -> Mapping[str, int]:
    """Usage counted by Nova (``in_use`` of the quota-set detail).

    :param client: a :class:`~plugfair_plugins.compute.client.ComputeClient`.
    :param project_id: the project.
    :param names: resource names wanted.
    :returns: name -> count, for the names Nova reports.
    """
    detail = client.quota_detail(project_id)
    out = {}
    for name in names:
        item = detail.get(name)
        if item is not None and isinstance(item.get("in_use"), int):
            out[name] = max(0, int(item["in_use"]))
    return out
