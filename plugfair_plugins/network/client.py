"""The network service client: Neutron's API through a keystoneauth1 adapter.

Authentication is shared: the session comes from the ``identity`` service
client, obtained from the plugin registry (never by importing the plugin
that offers it), and the endpoint comes from the service catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugfair.api import PlugfairError

__all__ = [
    "COLLECTIONS",
    "NetworkClient",
    "NetworkError",
    "NetworkNotFound",
    "identity_client",
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


class NetworkError(PlugfairError):
    """A networking API call failed; the message says which and why.

    :param status_code: the HTTP status, or ``None`` when no answer came.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of the answer, if there was one.
        self.status_code = status_code


class NetworkNotFound(NetworkError, LookupError):
    """No such network, subnet or security group."""


def identity_client(conf: Any, registry: Any = None) -> Any:
    """The ``identity`` service client, from whichever plugin offers it.

    :param conf: the host's ``ConfigOpts``.
    :param registry: the host's :class:`plugfair.api.ServiceClients`.
    :raises NetworkError: if there is none, or no enabled plugin offers
        ``identity``.
    """
    from oslo_config import cfg

    if registry is None:
        raise NetworkError(
            "The network plugin reaches the cloud through the 'identity' service "
            "client, which it asks the host for; it was called without one."
        )
    try:
        return registry.service_client("identity")
    except (PlugfairError, cfg.Error) as exc:
        raise NetworkError(
            "The network plugin reaches the cloud through the 'identity' service "
            "client, which is not available: %s" % exc
        ) from exc


def make_client(conf: Any, registry: Any = None) -> NetworkClient:
    """Service-client factory of service ``network``.

    :param conf: the host's ``ConfigOpts``, with ``[network]`` registered.
    :raises NetworkError: if no plugin offers the ``identity`` client.
    """
    return NetworkClient.from_identity(identity_client(conf, registry), conf)


class NetworkClient:
    """Neutron's API (v2.0) through a keystoneauth1 adapter.

    :param adapter: a :class:`keystoneauth1.adapter.Adapter` for the
        networking service.
    """

    def __init__(self, adapter: Any) -> None:
        #: The keystoneauth1 adapter every call goes through.
        self.adapter = adapter

    @classmethod
    def from_identity(cls, identity: Any, conf: Any) -> NetworkClient:
        """Build on the ``identity`` client's session, with ``[network]``."""
        group = conf.network
        return cls(
            identity.adapter(
                group.service_type,
                interface=group.interface,
                region_name=group.region_name,
                endpoint_override=group.endpoint_override,
            )
        )

    @classmethod
    def from_session(
        cls,
        session: Any,
        *,
        service_type: str = "network",
        interface: str = "public",
        region_name: str | None = None,
        endpoint_override: str | None = None,
    ) -> NetworkClient:
        """Build on any keystoneauth1 session."""
        from keystoneauth1 import adapter

        return cls(
            adapter.Adapter(
                session,
                service_type=service_type,
                interface=interface,
                region_name=region_name,
                endpoint_override=endpoint_override,
            )
        )

    def in_catalog(self) -> bool:
        """Whether the catalog (or ``endpoint_override``) has an endpoint.

        :raises NetworkError: if authentication fails.
        """
        from keystoneauth1 import exceptions as ks_exc

        try:
            return bool(self.adapter.get_endpoint())
        except ks_exc.EndpointNotFound:
            return False
        except ks_exc.ClientException as exc:
            raise NetworkError("Could not read the service catalog: %s" % exc) from exc

    # -- transport ------------------------------------------------------

    def _call(self, method: str, path: str, *, ok: Sequence[int] = (200,),
              what: str, **kwargs: Any) -> Any:
        from keystoneauth1 import exceptions as ks_exc

        try:
            resp = self.adapter.request(path, method, raise_exc=False, **kwargs)
        except ks_exc.EndpointNotFound as exc:
            raise NetworkError(
                "Could not %s: the service catalog has no %r endpoint (%s). Set "
                "[network] service_type, region_name or endpoint_override."
                % (what, self.adapter.service_type, exc)
            ) from exc
        except ks_exc.ClientException as exc:
            raise NetworkError("Could not %s: %s" % (what, exc)) from exc
        if resp.status_code in ok:
            return resp
        cls = NetworkNotFound if resp.status_code == 404 else NetworkError
        raise cls(
            "Could not %s: the networking API answered HTTP %d (%s)."
            % (what, resp.status_code, _error_detail(resp)),
            status_code=resp.status_code,
        )

    def _json(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        body = self._call(method, path, **kwargs).json()
        if not isinstance(body, dict) or key not in body:
            raise NetworkError(
                "The networking API's answer to %s %s has no %r member."
                % (method, path, key)
            )
        return body[key]

    def _list(self, collection: str, key: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        return list(self._json("GET", "/v2.0/%s" % collection, key, params=params,
                               what="list %s" % collection))

    def _find(self, collection: str, key: str, ref: str) -> dict[str, Any]:
        singular = key[:-1]
        try:
            return dict(self._json("GET", "/v2.0/%s/%s" % (collection, _quote(ref)),
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
        return dict(self._json("POST", "/v2.0/%s" % collection, key, ok=(201,),
                               json={key: fields},
                               what="create %s %s" % (key, fields.get("name", ""))))

    def _delete(self, collection: str, ident: str) -> None:
        self._call("DELETE", "/v2.0/%s/%s" % (collection, _quote(ident)), ok=(204,),
                   what="delete %s %s" % (collection[:-1], ident))

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
        quota = self._json("GET", "/v2.0/quotas/%s/details" % _quote(project_id), "quota",
                           what="show the quota usage of %s" % project_id)
        return {k: dict(v) for k, v in quota.items() if isinstance(v, dict)}

    def count(self, resource: str, project_id: str) -> int:
        """Count a project's resources by listing them (IDs only).

        :param resource: a key of :data:`COLLECTIONS`, e.g. ``"port"``.
        """
        collection = COLLECTIONS[resource]
        key = collection.replace("-", "_")
        return len(self._list(collection, key, {"project_id": project_id, "fields": "id"}))


def _quote(ref: str) -> str:
    from urllib.parse import quote

    return quote(ref, safe="")


def _error_detail(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return (resp.text or "").strip()[:200] or "no details"
    if isinstance(body, dict):
        error = body.get("NeutronError")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        for value in body.values():
            if isinstance(value, dict) and value.get("message"):
                return str(value["message"])[:300]
    return str(body)[:200]
