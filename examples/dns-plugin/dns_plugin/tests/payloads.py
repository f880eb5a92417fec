"""Recorded Designate v2 answers, in Designate's payload shapes."""

from __future__ import annotations

from typing import Any

from plugfair.api import FakeCloud

PROJECT_ID = FakeCloud.PROJECT_ID

ZONE_ID = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3"
RECORDSET_ID = "f7b10e9b-0cae-4a91-b162-562bc6096648"
_BASE = "http://designate.example.com:9001/v2"


def zone(zone_id: str = ZONE_ID, name: str = "example.org.", status: str = "ACTIVE",
         action: str = "NONE") -> dict[str, Any]:
    return {
        "id": zone_id, "pool_id": "794ccc2c-d751-44fe-b57f-8894c9f5c842",
        "project_id": PROJECT_ID, "name": name, "email": "hostmaster@example.org",
        "ttl": 3600, "serial": 1767225600, "status": status, "action": action,
        "description": None, "masters": [], "type": "PRIMARY", "transferred_at": None,
        "version": 2, "created_at": "2026-03-02T10:00:00.000000", "updated_at": None,
        "attributes": {}, "shared": False,
        "links": {"self": "%s/zones/%s" % (_BASE, zone_id)},
    }


def recordset(records: list[str], rs_id: str = RECORDSET_ID,
              name: str = "www.example.org.", rtype: str = "A") -> dict[str, Any]:
    return {
        "id": rs_id, "zone_id": ZONE_ID, "project_id": PROJECT_ID, "name": name,
        "zone_name": "example.org.", "type": rtype, "records": records, "ttl": None,
        "status": "ACTIVE", "action": "NONE", "description": None, "version": 1,
        "created_at": "2026-03-02T10:05:00.000000", "updated_at": None,
        "links": {"self": "%s/zones/%s/recordsets/%s" % (_BASE, ZONE_ID, rs_id)},
    }


def page(key: str, items: list, next_url: str | None = None) -> dict[str, Any]:
    links = {"self": "%s/%s" % (_BASE, key)}
    if next_url:
        links["next"] = next_url
    return {key: items, "links": links, "metadata": {"total_count": len(items)}}


ZONE_NOT_FOUND = {"code": 404, "type": "zone_not_found", "message": "Could not find Zone",
                  "request_id": "req-0b7c5c5c-6b5e-4d8a-9b1e-1c2d3e4f5a6b"}
DUPLICATE_ZONE = {"code": 409, "type": "duplicate_zone", "message": "Duplicate Zone",
                  "request_id": "req-1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"}
