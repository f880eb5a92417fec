"""Recorded block storage API answers, in Cinder's payload shapes (v3)."""

from __future__ import annotations

from typing import Any

from plugfair.api import FakeCloud

PROJECT_ID = FakeCloud.PROJECT_ID
USER_ID = FakeCloud.USER_ID

VOLUME_ID = "4c5d6e7f-8091-4a2b-9c3d-4e5f60718293"
SERVER_ID = "1f5a3b2e-8a6f-4c3e-9a0d-7a1a0d4c9e11"


def volume(volume_id: str = VOLUME_ID, name: str = "data", status: str = "in-use",
           size: int = 10) -> dict[str, Any]:
    attachments = []
    if status == "in-use":
        attachments = [{"id": volume_id, "attachment_id": "a6b7c8d9-0e1f-4a2b-8c3d-4e5f6a7b8c9d",
                        "volume_id": volume_id, "server_id": SERVER_ID, "host_name": None,
                        "device": "/dev/vdb", "attached_at": "2026-03-02T10:20:00.000000"}]
    return {
        "id": volume_id,
        "name": name,
        "status": status,
        "size": size,
        "availability_zone": "nova",
        "bootable": "false",
        "encrypted": False,
        "multiattach": False,
        "attachments": attachments,
        "created_at": "2026-03-02T10:15:00.000000",
        "updated_at": "2026-03-02T10:20:01.000000",
        "description": None,
        "metadata": {},
        "volume_type": "lvmdriver-1",
        "snapshot_id": None,
        "source_volid": None,
        "consistencygroup_id": None,
        "replication_status": None,
        "user_id": USER_ID,
        "os-vol-tenant-attr:tenant_id": PROJECT_ID,
        "links": [{"href": "http://cinder.example.com/v3/%s/volumes/%s" % (PROJECT_ID, volume_id),
                   "rel": "self"}],
    }


VOLUMES_DETAIL = {"volumes": [volume(), volume("0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f",
                                               "scratch", "available", 1)]}

SNAPSHOTS_DETAIL = {
    "snapshots": [
        {"id": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7", "name": "data-nightly",
         "status": "available", "size": 10, "volume_id": VOLUME_ID, "description": None,
         "created_at": "2026-03-03T01:00:00.000000", "updated_at": None, "metadata": {},
         "os-extended-snapshot-attributes:project_id": PROJECT_ID,
         "os-extended-snapshot-attributes:progress": "100%"}
    ]
}


def _q(in_use: int, limit: int) -> dict[str, Any]:
    return {"in_use": in_use, "limit": limit, "reserved": 0, "allocated": 0}


QUOTA_USAGE = {
    "quota_set": {
        "id": PROJECT_ID,
        "volumes": _q(2, 10),
        "gigabytes": _q(21, 1000),
        "snapshots": _q(1, 10),
        "backups": _q(0, 10),
        "backup_gigabytes": _q(0, 1000),
        "per_volume_gigabytes": _q(0, -1),
        "groups": _q(0, 10),
        "volumes_lvmdriver-1": _q(2, -1),
        "gigabytes_lvmdriver-1": _q(11, -1),
        "snapshots_lvmdriver-1": _q(1, -1),
    }
}

NOT_FOUND = {"itemNotFound": {"code": 404, "message": "Volume could not be found."}}
FAULT = {"computeFault": {"code": 500, "message": "The server has either erred or is "
                                                  "incapable of performing the requested "
                                                  "operation."}}
