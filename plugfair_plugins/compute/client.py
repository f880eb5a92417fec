"""Nova's API (microversion 2.1), offered as service ``compute``.

Nova's name filter is a regular expression, and key pairs come wrapped
(``{"keypair": ...}``); both are handled here.
"""

from __future__ import annotations

import re
from typing import Any

from plugfair.api import ServiceAPI, ServiceClients, ServiceError

__all__ = [
    "ComputeClient",
    "ComputeError",
    "ComputeNotFound",
    "make_client",
]


class ComputeError(ServiceError):
    """Nova refused or failed a call, or could not be reached."""


class ComputeNotFound(ComputeError, LookupError):
    """No such server, key pair or server group."""


def make_client(conf: Any, services: ServiceClients | None) -> ComputeClient:
    """The factory of service ``compute`` (see :meth:`plugfair.api.ServiceAPI.from_config`)."""
    return ComputeClient(ServiceAPI.from_config(
        conf, "compute", services, via="identity", name="the compute API",
        error=ComputeError, errors={404: ComputeNotFound}))


class ComputeClient:
    """Servers, flavors, key pairs, server groups and the quota set, through ``api``."""

    def __init__(self, api: ServiceAPI) -> None:
        self.api = api

    # -- servers and flavors ----------------------------------------------

    def list_servers(
        self, *, all_projects: bool = False, project_id: str | None = None,
        name: str | None = None,
    ) -> list[dict[str, Any]]:
        """Servers with details (``GET /servers/detail``)."""
        params: dict[str, str] = {}
        if all_projects or project_id:
            params["all_tenants"] = "True"
        if project_id:
            params["project_id"] = project_id
        if name:
            params["name"] = name
        return list(self.api.json("GET", "/servers/detail", "servers", params=params,
                                  what="list servers"))

    def get_server(self, ref: str) -> dict[str, Any]:
        """A server by ID, or by exact name when no ID matches.

        :raises ComputeNotFound: if nothing matches.
        :raises ComputeError: if the name matches several servers.
        """
        try:
            return dict(self.api.json("GET", ServiceAPI.path("/servers/%s", ref), "server",
                                      what="show server %s" % ref))
        except ComputeNotFound:
            pass
        # Nova's name filter is a regular expression: anchor and escape it.
        found = [s for s in self.list_servers(name="^%s$" % re.escape(ref))
                 if s.get("name") == ref]
        if not found:
            raise ComputeNotFound(
                "No server has the ID or name %r. Run 'plugfair server list'." % ref,
                status_code=404,
            )
        if len(found) > 1:
            raise ComputeError(
                "%d servers are named %r; give the server ID instead." % (len(found), ref)
            )
        return dict(found[0])

    def list_flavors(self) -> list[dict[str, Any]]:
        """Flavors with details (``GET /flavors/detail``)."""
        return list(self.api.json("GET", "/flavors/detail", "flavors", what="list flavors"))

    # -- key pairs and server groups ----------------------------------------

    def list_keypairs(self) -> list[dict[str, Any]]:
        """The user's key pairs (unwrapped from ``{"keypair": ...}``)."""
        items = self.api.json("GET", "/os-keypairs", "keypairs", what="list key pairs")
        return [dict(i.get("keypair", i)) for i in items]

    def create_keypair(self, name: str, public_key: str) -> dict[str, Any]:
        """Import a public key as key pair ``name``."""
        body = {"keypair": {"name": name, "public_key": public_key}}
        return dict(self.api.json("POST", "/os-keypairs", "keypair", ok=(200, 201),
                                  json=body, what="create key pair %s" % name))

    def delete_keypair(self, name: str) -> None:
        """Delete key pair ``name``."""
        self.api.request("DELETE", ServiceAPI.path("/os-keypairs/%s", name), ok=(202, 204),
                         what="delete key pair %s" % name)

    def list_server_groups(self) -> list[dict[str, Any]]:
        """Server groups of the project."""
        return list(self.api.json("GET", "/os-server-groups", "server_groups",
                                  what="list server groups"))

    def create_server_group(self, name: str, policy: str = "anti-affinity") -> dict[str, Any]:
        """Create a server group (microversion 2.1 takes a ``policies`` list)."""
        body = {"server_group": {"name": name, "policies": [policy]}}
        return dict(self.api.json("POST", "/os-server-groups", "server_group", json=body,
                                  what="create server group %s" % name))

    def delete_server_group(self, group_id: str) -> None:
        """Delete a server group."""
        self.api.request("DELETE", ServiceAPI.path("/os-server-groups/%s", group_id),
                         ok=(204,), what="delete server group %s" % group_id)

    # -- quota ----------------------------------------------------------------

    def quota_detail(self, project_id: str) -> dict[str, dict[str, int]]:
        """``GET /os-quota-sets/{project}/detail``: limit and in_use per resource."""
        quota_set = self.api.json(
            "GET", ServiceAPI.path("/os-quota-sets/%s/detail", project_id), "quota_set",
            what="show the quota usage of %s" % project_id)
        return {k: dict(v) for k, v in quota_set.items() if isinstance(v, dict)}
