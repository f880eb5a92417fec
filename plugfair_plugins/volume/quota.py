"""Volume quota resources: Cinder's quota set, with Cinder's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.api import QuotaResource

__all__ = ["RESOURCES", "COUNTED", "usage"]

#: Cinder's quota set and its default limits.
RESOURCES = (
    QuotaResource("volumes", 10, "count", "Volumes in the project."),
    QuotaResource("gigabytes", 1000, "GiB", "Total size of the project's volumes and snapshots."),
    QuotaResource("snapshots", 10, "count", "Volume snapshots in the project."),
    QuotaResource("backups", 10, "count", "Volume backups in the project."),
    QuotaResource("backup_gigabytes", 1000, "GiB", "Total size of the project's backups."),
    QuotaResource("per_volume_gigabytes", -1, "GiB", "Largest size of one volume."),
)

#: Resources Cinder counts usage for (a per-volume cap has no usage).
COUNTED = ("volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes")


def usage(client: Any, project_id: str, names: Sequence[str]) -> Mapping[str, int]:
    """Usage as Cinder counts it (``in_use`` of the quota set with usage).

    :param client: a :class:`~plugfair_plugins.volume.client.VolumeClient`.
    :param project_id: the project.
    :param names: resource names wanted.
    :returns: name -> count for the counted names Cinder reports;
        ``per_volume_gigabytes`` is never counted, so it shows as unknown.
    """
    quota_set = client.quota_usage(project_id)
    out = {}
    for name in names:
        item = quota_set.get(name)
        if name in COUNTED and item is not None and isinstance(item.get("in_use"), int):
            out[name] = max(0, int(item["in_use"]))
    return out
