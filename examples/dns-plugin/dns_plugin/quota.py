"""DNS quota resources: Designate's quota set, with Designate's defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from plugfair.api import QuotaResource

__all__ = ["RESOURCES", "usage"]

#: Designate's quota set and its default limits.
RESOURCES = (
    QuotaResource("zones", 10, "count", "Zones owned by the project."),
    QuotaResource("zone_recordsets", 500, "count", "Recordsets per zone."),
    QuotaResource("zone_records", 500, "count", "Records per zone."),
    QuotaResource("recordset_records", 20, "count", "Records per recordset."),
    QuotaResource("api_export_size", 1000, "count", "Recordsets in one zone export."),
)


def usage(backend: Any, project_id: str, names: Sequence[str]) -> Mapping[str, int]:
    """Usage counted by the backend.

    ``api_export_size`` bounds a request, not something a project holds,
    so it has no usage and shows as unknown.
    """
    counts = backend.usage(project_id)
    return {n: int(counts[n]) for n in names if n in counts}
