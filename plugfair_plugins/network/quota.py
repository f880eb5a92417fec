"""Network quota resources: Neutron's quota set, with Neutron's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.api import QuotaResource

__all__ = ["RESOURCES", "usage"]

#: Neutron's quota set and its default limits.
RESOURCES = (
    QuotaResource("network", 100, "count", "Networks in the project."),
    QuotaResource("subnet", 100, "count", "Subnets in the project."),
    QuotaResource("port", 500, "count", "Ports in the project."),
    QuotaResource("router", 10, "count", "Routers in the project."),
    QuotaResource("floatingip", 50, "count", "Floating IP addresses of the project."),
    QuotaResource("security_group", 10, "count", "Security groups in the project."),
    QuotaResource("security_group_rule", 100, "count", "Security group rules in the project."),
)


def usage(client: Any, project_id: str, names: Sequence[str]) -> Mapping[str, int]:
    """Usage as Neutron counts it.

    Neutron's quota details (``used``) answer in one call; where that API
    extension is not enabled (HTTP 404), each resource is counted by
    listing the project's resources.

    :param client: a :class:`~plugfair_plugins.network.client.NetworkClient`.
    :param project_id: the project.
    :param names: resource names wanted.
    :returns: name -> count, for the names that could be counted.
    """
    from plugfair_plugins.network.client import COLLECTIONS, NetworkNotFound

    try:
        details = client.quota_details(project_id)
    except NetworkNotFound:
        return {n: client.count(n, project_id) for n in names if n in COLLECTIONS}
    out = {}
    for name in names:
        item = details.get(name)
        if item is not None and isinstance(item.get("used"), int):
            out[name] = max(0, int(item["used"]))
    return out
