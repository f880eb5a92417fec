"""Recorded compute API answers, in Nova's payload shapes (microversion 2.1)."""

from __future__ import annotations

from typing import Any

from plugfair.api import FakeCloud

PROJECT_ID = FakeCloud.PROJECT_ID
USER_ID = FakeCloud.USER_ID

SERVER_ID = "1f5a3b2e-8a6f-4c3e-9a0d-7a1a0d4c9e11"
IMAGE_ID = "70a599e0-31e7-49b7-b260-868f441e862b"

_LINK = "http://nova.example.com/v2.1/%s" % PROJECT_ID


def server(server_id: str = SERVER_ID, name: str = "web-1") -> dict[str, Any]:
    return {
        "id": server_id,
        "name": name,
        "status": "ACTIVE",
        "tenant_id": PROJECT_ID,
        "user_id": USER_ID,
        "metadata": {"role": "web"},
        "hostId": "4e1e3c7d9c0f2b6a8d5e3f1a2b4c6d8e0f1a2b3c4d5e6f708192a3b4",
        "image": {"id": IMAGE_ID, "links": [{"href": "%s/images/%s" % (_LINK, IMAGE_ID),
                                              "rel": "bookmark"}]},
        "flavor": {"id": "1", "links": [{"href": "%s/flavors/1" % _LINK, "rel": "bookmark"}]},
        "created": "2026-03-02T10:11:12Z",
        "updated": "2026-03-02T10:12:40Z",
        "addresses": {
            "private": [
                {"addr": "10.0.0.5", "version": 4, "OS-EXT-IPS:type": "fixed",
                 "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:4c:2a:10"},
                {"addr": "fd00::5", "version": 6, "OS-EXT-IPS:type": "fixed",
                 "OS-EXT-IPS-MAC:mac_addr": "fa:16:3e:4c:2a:10"},
            ]
        },
        "accessIPv4": "",
        "accessIPv6": "",
        "key_name": None,
        "progress": 0,
        "config_drive": "",
        "OS-DCF:diskConfig": "AUTO",
        "OS-EXT-AZ:availability_zone": "nova",
        "OS-EXT-STS:power_state": 1,
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "active",
        "security_groups": [{"name": "default"}],
        "os-extended-volumes:volumes_attached": [],
        "links": [{"href": "%s/servers/%s" % (_LINK, server_id), "rel": "self"}],
    }


SERVERS_DETAIL = {"servers": [server(), server("9b1c7e55-0d4f-4f0e-8f3b-52b3c0f7d222", "db-1")]}

FLAVORS_DETAIL = {
    "flavors": [
        {"id": "2", "name": "m1.small", "ram": 2048, "disk": 20, "vcpus": 1, "swap": "",
         "rxtx_factor": 1.0, "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False,
         "os-flavor-access:is_public": True,
         "links": [{"href": "%s/flavors/2" % _LINK, "rel": "self"}]},
        {"id": "1", "name": "m1.tiny", "ram": 512, "disk": 1, "vcpus": 1, "swap": "",
         "rxtx_factor": 1.0, "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False,
         "os-flavor-access:is_public": True,
         "links": [{"href": "%s/flavors/1" % _LINK, "rel": "self"}]},
    ]
}

PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDYOXFLgvv8xrIdqepD6D0H86ZUysqGzwYQSBZcZgwWu"

KEYPAIRS = {
    "keypairs": [
        {"keypair": {"name": "laptop", "public_key": PUBLIC_KEY,
                     "fingerprint": "3c:8a:51:0e:6b:f2:94:7d:21:aa:c0:13:55:9e:40:7b"}}
    ]
}

KEYPAIR_CREATED = {
    "keypair": {"name": "laptop", "public_key": PUBLIC_KEY, "user_id": USER_ID,
                "fingerprint": "3c:8a:51:0e:6b:f2:94:7d:21:aa:c0:13:55:9e:40:7b"}
}

SERVER_GROUP = {
    "server_group": {"id": "5bbcc3c4-1da2-4437-a48a-66f15b1b13f9", "name": "spread",
                     "policies": ["anti-affinity"], "members": [], "metadata": {}}
}

QUOTA_DETAIL = {
    "quota_set": {
        "id": PROJECT_ID,
        "cores": {"in_use": 3, "limit": 20, "reserved": 0},
        "fixed_ips": {"in_use": 0, "limit": -1, "reserved": 0},
        "floating_ips": {"in_use": 0, "limit": -1, "reserved": 0},
        "injected_file_content_bytes": {"in_use": 0, "limit": 10240, "reserved": 0},
        "injected_file_path_bytes": {"in_use": 0, "limit": 255, "reserved": 0},
        "injected_files": {"in_use": 0, "limit": 5, "reserved": 0},
        "instances": {"in_use": 2, "limit": 10, "reserved": 0},
        "key_pairs": {"in_use": 1, "limit": 100, "reserved": 0},
        "metadata_items": {"in_use": 0, "limit": 128, "reserved": 0},
        "ram": {"in_use": 2560, "limit": 51200, "reserved": 0},
        "security_group_rules": {"in_use": 0, "limit": -1, "reserved": 0},
        "security_groups": {"in_use": 0, "limit": -1, "reserved": 0},
        "server_group_members": {"in_use": 0, "limit": 10, "reserved": 0},
        "server_groups": {"in_use": 1, "limit": 10, "reserved": 0},
    }
}

FAULT = {"computeFault": {"code": 500, "message": "Unexpected API Error."}}
NOT_FOUND = {"itemNotFound": {"code": 404, "message": "Instance could not be found."}}
