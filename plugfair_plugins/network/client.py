"""Neutron's API (v2.0), offered as service ``network``.

Every resource is a collection under ``/v2.0``, shown, found by name,
created and deleted the same way.
"""

from __future__ import annotations

from typing import Any

from plugfair.api import ServiceAPI, ServiceClients, ServiceError

__all__ = [
    "COLLECTIONS",
    "NetworkClient",
    "NetworkError",
    "NetworkNotFound",
    "make_client",
]

#: Quota resource -> the API collection that holds those resources.
COLLECTIONS = {
    "network": "networks",
    "subnet": "subnets",
    "port": "ports",
    "router": "routers",
    "floatingip": "floatingips",
    "security_group": "security-groups",
    "security_group_rule": "security-group-rules",
}


class NetworkError(ServiceError):
    """Neutron refused or failed a call, or could not be reached."""


class NetworkNotFound(NetworkError, LookupError):
    """No such network, subnet or security group."""


def make_client(conf: Any, services: ServiceClients | None) -> NetworkClient:
    """The factory of service ``network`` (see :meth:`plugfair.api.ServiceAPI.from_config`)."""
    return NetworkClient(ServiceAPI.from_config(
        conf, "network", services, via="identity", name="the networking API",
        error=NetworkError, errors={404: NetworkNotFound}))


class NetworkClient:
    """Networks, subnets, security groups and quota details, through ``api``."""

    def __init__(self, api: ServiceAPI) -> None:
        self.api = api

    # -- collections ------------------------------------------------------

    def _list(self, collection: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self.api.json("GET", "/v2.0/%s" % collection, key, params=params,
                                  what="list %s" % collection))

    def _find(self, collection: str, key: str, ref: str) -> dict[str, Any]:
        singular = key[:-1]
        try:
            return dict(self.api.json("GET", ServiceAPI.path("/v2.0/%s/%s", collection, ref),
                                      singular, what="show %s %s" % (singular, ref)))
        except NetworkNotFound:
            pass
        found = self._list(collection, key, {"name": ref})
        if not found:
            raise NetworkNotFound(
                "No %s has the ID or name %r. Run 'plugfair %s list'."
                % (singular, ref, singular),
                status_code=404,
            )
        if len(found) > 1:
            raise NetworkError(
                "%d %s are named %r; give the ID instead." % (len(found), collection, ref)
            )
        return dict(found[0])

    def _create(self, collection: str, key: str, fields: dict[str, Any]) -> dict[str, Any]:
        return dict(self.api.json("POST", "/v2.0/%s" % collection, key, ok=(201,),
                                  json={key: fields},
                                  what="create %s %s" % (key, fields.get("name", ""))))

    def _delete(self, collection: str, ident: str) -> None:
        self.api.request("DELETE", ServiceAPI.path("/v2.0/%s/%s", collection, ident),
                         ok=(204,), what="delete %s %s" % (collection[:-1], ident))

    # -- networks, subnets, security groups --------------------------------

    def list_networks(self, *, project_id: str | None = None) -> list[dict[str, Any]]:
        """Networks visible to the token (``GET /v2.0/networks``)."""
        return self._list("networks", "networks",
                          {"project_id": project_id} if project_id else {})

    def get_network(self, ref: str) -> dict[str, Any]:
        """A network by ID, or by name when no ID matches.

        :raises NetworkNotFound: if nothing matches.
        :raises NetworkError: if the name matches several networks.
        """
        return self._find("networks", "networks", ref)

    def create_network(self, name: str, *, admin_state_up: bool = True) -> dict[str, Any]:
        """Create a network."""
        return self._create("networks", "network",
                            {"name": name, "admin_state_up": admin_state_up})

    def delete_network(self, network_id: str) -> None:
        """Delete a network."""
        self._delete("networks", network_id)

    def list_subnets(self, *, network_id: str | None = None) -> list[dict[str, Any]]:
        """Subnets, optionally of one network."""
        return self._list("subnets", "subnets",
                          {"network_id": network_id} if network_id else {})

    def create_subnet(self, network_id: str, cidr: str, *, name: str = "",
                      ip_version: int = 4) -> dict[str, Any]:
        """Create a subnet on a network."""
        return self._create("subnets", "subnet", {"network_id": network_id, "cidr": cidr,
                                                  "ip_version": ip_version, "name": name})

    def delete_subnet(self, subnet_id: str) -> None:
        """Delete a subnet."""
        self._delete("subnets", subnet_id)

    def list_security_groups(self) -> list[dict[str, Any]]:
        """Security groups visible to the token."""
        return self._list("security-groups", "security_groups", {})

    def create_security_group(self, name: str, description: str = "") -> dict[str, Any]:
        """Create a security group."""
        return self._create("security-groups", "security_group",
                            {"name": name, "description": description})

    def delete_security_group(self, group_id: str) -> None:
        """Delete a security group."""
        self._delete("security-groups", group_id)

    # -- quota ----------------------------------------------------------------

    def quota_details(self, project_id: str) -> dict[str, dict[str, int]]:
        """``GET /v2.0/quotas/{project}/details``: used and limit per resource."""
        quota = self.api.json("GET", ServiceAPI.path("/v2.0/quotas/%s/details", project_id),
                              "quota", what="show the quota usage of %s" % project_id)
        return {k: dict(v) for k, v in quota.items() if isinstance(v, dict)}

    def count(self, resource: str, project_id: str) -> int:
        """Count a project's resources by listing them (IDs only).

        :param resource: a key of :data:`COLLECTIONS`, e.g. ``"port"``.
        """
        collection = COLLECTIONS[resource]
        key = collection.replace("-", "_")
        return len(self._list(collection, key, {"project_id": project_id, "fields": "id"}))

