"""The compute service client: Nova's API through a keystoneauth1 adapter.

Authentication is shared: the session comes from the ``identity`` service
client, obtained from the plugin registry (never by importing the plugin
that offers it), and the endpoint comes from the service catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugfair.api import PlugfairError

__all__ = [
    "ComputeClient",
    "ComputeError",
    "ComputeNotFound",
    "identity_client",
    "make_client",
]


class ComputeError(PlugfairError):
    """A compute API call failed; the message says which and why.

    :param status_code: the HTTP status, or ``None`` when no answer came.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of the answer, if there was one.
        self.status_code = status_code


class ComputeNotFound(ComputeError, LookupError):
    """No such server, key pair or server group."""


def identity_client(conf: Any, registry: Any = None) -> Any:
    """The ``identity`` service client, from whichever plugin offers it.

    :param conf: the host's ``ConfigOpts``.
    :param registry: the host's :class:`plugfair.api.ServiceClients`.
    :raises ComputeError: if there is none, or no enabled plugin offers
        ``identity``.
    """
    from oslo_config import cfg

    if registry is None:
        raise ComputeError(
            "The compute plugin reaches the cloud through the 'identity' service "
            "client, which it asks the host for; it was called without one."
        )
    try:
        return registry.service_client("identity")
    except (PlugfairError, cfg.Error) as exc:
        raise ComputeError(
            "The compute plugin reaches the cloud through the 'identity' service "
            "client, which is not available: %s" % exc
        ) from exc


def make_client(conf: Any, registry: Any = None) -> ComputeClient:
    """Service-client factory of service ``compute``.

    :param conf: the host's ``ConfigOpts``, with ``[compute]`` registered.
    :raises ComputeError: if no plugin offers the ``identity`` client.
    """
    return ComputeClient.from_identity(identity_client(conf, registry), conf)


class ComputeClient:
    """Nova's API (microversion 2.1) through a keystoneauth1 adapter.

    :param adapter: a :class:`keystoneauth1.adapter.Adapter` for the compute
        service.
    """

    def __init__(self, adapter: Any) -> None:
        #: The keystoneauth1 adapter every call goes through.
        self.adapter = adapter

    @classmethod
    def from_identity(cls, identity: Any, conf: Any) -> ComputeClient:
        """Build on the ``identity`` client's session, with ``[compute]``."""
        group = conf.compute
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
        service_type: str = "compute",
        interface: str = "public",
        region_name: str | None = None,
        endpoint_override: str | None = None,
    ) -> ComputeClient:
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

        :raises ComputeError: if authentication fails.
        """
        from keystoneauth1 import exceptions as ks_exc

        try:
            return bool(self.adapter.get_endpoint())
        except ks_exc.EndpointNotFound:
            return False
        except ks_exc.ClientException as exc:
            raise ComputeError("Could not read the service catalog: %s" % exc) from exc

    # -- transport ------------------------------------------------------

    def _call(self, method: str, path: str, *, ok: Sequence[int] = (200,),
              what: str, **kwargs: Any) -> Any:
        from keystoneauth1 import exceptions as ks_exc

        try:
            resp = self.adapter.request(path, method, raise_exc=False, **kwargs)
        except ks_exc.EndpointNotFound as exc:
            raise ComputeError(
                "Could not %s: the service catalog has no %r endpoint (%s). Set "
                "[compute] service_type, region_name or endpoint_override."
                % (what, self.adapter.service_type, exc)
            ) from exc
        except ks_exc.ClientException as exc:
            raise ComputeError("Could not %s: %s" % (what, exc)) from exc
        if resp.status_code in ok:
            return resp
        detail = _error_detail(resp)
        cls = ComputeNotFound if resp.status_code == 404 else ComputeError
        raise cls(
            "Could not %s: the compute API answered HTTP %d (%s)."
            % (what, resp.status_code, detail),
            status_code=resp.status_code,
        )

    def _json(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        body = self._call(method, path, **kwargs).json()
        if not isinstance(body, dict) or key not in body:
            raise ComputeError(
                "The compute API's answer to %s %s has no %r member." % (method, path, key)
            )
        return body[key]

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
        return list(self._json("GET", "/servers/detail", "servers", params=params,
                               what="list servers"))

    def get_server(self, ref: str) -> dict[str, Any]:
        """A server by ID, or by exact name when no ID matches.

        :raises ComputeNotFound: if nothing matches.
        :raises ComputeError: if the name matches several servers.
        """
        try:
            return dict(self._json("GET", "/servers/%s" % _quote(ref), "server",
                                   what="show server %s" % ref))
        except ComputeNotFound:
            pass
        # Nova's name filter is a regular expression: anchor and escape it.
        import re

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
        return list(self._json("GET", "/flavors/detail", "flavors", what="list flavors"))

    # -- key pairs and server groups ----------------------------------------

    def list_keypairs(self) -> list[dict[str, Any]]:
        """The user's key pairs (unwrapped from ``{"keypair": ...}``)."""
        items = self._json("GET", "/os-keypairs", "keypairs", what="list key pairs")
        return [dict(i.get("keypair", i)) for i in items]

    def create_keypair(self, name: str, public_key: str) -> dict[str, Any]:
        """Import a public key as key pair ``name``."""
        body = {"keypair": {"name": name, "public_key": public_key}}
        return dict(self._json("POST", "/os-keypairs", "keypair", ok=(200, 201),
                               json=body, what="create key pair %s" % name))

    def delete_keypair(self, name: str) -> None:
        """Delete key pair ``name``."""
        self._call("DELETE", "/os-keypairs/%s" % _quote(name), ok=(202, 204),
                   what="delete key pair %s" % name)

    def list_server_groups(self) -> list[dict[str, Any]]:
        """Server groups of the project."""
        return list(self._json("GET", "/os-server-groups", "server_groups",
                               what="list server groups"))

    def create_server_group(self, name: str, policy: str = "anti-affinity") -> dict[str, Any]:
        """Create a server group (microversion 2.1 takes a ``policies`` list)."""
        body = {"server_group": {"name": name, "policies": [policy]}}
        return dict(self._json("POST", "/os-server-groups", "server_group", json=body,
                               what="create server group %s" % name))

    def delete_server_group(self, group_id: str) -> None:
        """Delete a server group."""
        self._call("DELETE", "/os-server-groups/%s" % _quote(group_id), ok=(204,),
                   what="delete server group %s" % group_id)

    # -- quota ----------------------------------------------------------------

    def quota_detail(self, project_id: str) -> dict[str, dict[str, int]]:
        """``GET /os-quota-sets/{project}/detail``: limit and in_use per resource."""
        quota_set = self._json("GET", "/os-quota-sets/%s/detail" % _quote(project_id),
                               "quota_set", what="show the quota usage of %s" % project_id)
        return {k: dict(v) for k, v in quota_set.items() if isinstance(v, dict)}


def _quote(ref: str) -> str:
    from urllib.parse import quote

    return quote(ref, safe="")


def _error_detail(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return (resp.text or "").strip()[:200] or "no details"
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and value.get("message"):
                return str(value["message"])[:300]
    return str(body)[:200]
