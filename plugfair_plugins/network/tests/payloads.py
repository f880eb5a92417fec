"""Recorded networking API answers, in Neutron's payload shapes (v2.0)."""

from __future__ import annotations

from typing import Any

from plugfair.api import FakeCloud

PROJECT_ID = FakeCloud.PROJECT_ID

NETWORK_ID = "3b6a9c1e-52d1-4e59-9c8e-1a2b3c4d5e6f"
SUBNET_ID = "7d0e1f2a-3b4c-4d5e-8f9a-0b1c2d3e4f50"


def network(network_id: str = NETWORK_ID, name: str = "private") -> dict[str, Any]:
    return {
        "admin_state_up": True,
        "availability_zone_hints": [],
        "availability_zones": ["nova"],
        "created_at": "2026-03-02T10:00:00Z",
        "description": "",
        "dns_domain": "",
        "id": network_id,
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "is_default": False,
        "l2_adjacency": True,
        "mtu": 1450,
        "name": name,
        "port_security_enabled": True,
        "project_id": PROJECT_ID,
        "qos_policy_id": None,
        "revision_number": 3,
        "router:external": False,
        "shared": False,
        "status": "ACTIVE",
        "subnets": [SUBNET_ID],
        "tags": [],
        "tenant_id": PROJECT_ID,
        "updated_at": "2026-03-02T10:00:05Z",
    }


NETWORKS = {"networks": [network(), network("c0ffee00-0000-4000-8000-000000000001", "public")]}

SUBNETS = {
    "subnets": [
        {"id": SUBNET_ID, "name": "private-v4", "network_id": NETWORK_ID, "cidr": "10.0.0.0/24",
         "ip_version": 4, "gateway_ip": "10.0.0.1", "enable_dhcp": True,
         "allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.254"}],
         "dns_nameservers": [], "host_routes": [], "project_id": PROJECT_ID,
         "tenant_id": PROJECT_ID, "subnetpool_id": None, "revision_number": 0,
         "service_types": [], "tags": [], "description": "",
         "created_at": "2026-03-02T10:00:01Z", "updated_at": "2026-03-02T10:00:01Z"}
    ]
}

SECURITY_GROUP = {
    "security_group": {
        "id": "85cc3048-abc3-43cc-89b3-377341426ac5", "name": "web", "description": "",
        "project_id": PROJECT_ID, "tenant_id": PROJECT_ID, "stateful": True,
        "revision_number": 1, "tags": [], "shared": False,
        "created_at": "2026-03-02T10:00:00Z", "updated_at": "2026-03-02T10:00:00Z",
        "security_group_rules": [],
    }
}

QUOTA_DETAILS = {
    "quota": {
        "floatingip": {"used": 1, "limit": 50, "reserved": 0},
        "network": {"used": 2, "limit": 100, "reserved": 0},
        "port": {"used": 5, "limit": 500, "reserved": 0},
        "rbac_policy": {"used": 0, "limit": 10, "reserved": 0},
        "router": {"used": 1, "limit": 10, "reserved": 0},
        "security_group": {"used": 1, "limit": 10, "reserved": 0},
        "security_group_rule": {"used": 4, "limit": 100, "reserved": 0},
        "subnet": {"used": 2, "limit": 100, "reserved": 0},
        "subnetpool": {"used": 0, "limit": -1, "reserved": 0},
    }
}

NOT_FOUND = {"NeutronError": {"type": "NetworkNotFound", "detail": "",
                              "message": "Network nope could not be found."}}
EXTENSION_MISSING = {"NeutronError": {"type": "HTTPNotFound", "detail": "",
                                      "message": "The resource could not be found."}}
FAULT = {"NeutronError": {"type": "HTTPInternalServerError", "detail": "",
                          "message": "Request Failed: internal server error while "
                                     "processing your request."}}
