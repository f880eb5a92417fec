"""The identity service client: a keystoneauth1 session and Keystone v3 calls.

The client is what the plugin offers as service ``identity`` through
:meth:`~plugfair_plugins.identity.plugin.IdentityPlugin.service_clients`.
Other plugins reach it through the registry and use only its documented
attributes (:attr:`IdentityClient.session`, :attr:`~IdentityClient.region_name`,
:attr:`~IdentityClient.interface` and :meth:`IdentityClient.adapter`), so they
share one authentication without importing this plugin.

keystoneauth1 and openstacksdk are imported on first use only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from plugfair.api import ConfigError
from plugfair_plugins.identity.auth import (
    AuthSettings,
    build_session,
    is_configured,
    settings_from_conf,
)
from plugfair_plugins.identity.errors import IdentityError, IdentityNotFound, NotConfigured

__all__ = [
    "AuthSettings",
    "IdentityClient",
    "IdentityError",
    "IdentityNotFound",
    "NotConfigured",
    "is_configured",
    "make_client",
    "settings_from_conf",
]


def make_client(conf: Any) -> IdentityClient:
    """Service-client factory of service ``identity``.

    It never raises for configuration problems: the client it returns
    says whether ``[identity]`` is configured (:attr:`IdentityClient.configured`)
    and raises the configuration error, with its remedy, on first use.
    This lets other plugins report "unknown" instead of failing when no
    cloud is configured.

    :param conf: the host's ``ConfigOpts`` with ``[identity]`` registered.
    :returns: an :class:`IdentityClient`.
    """
    try:
        return IdentityClient.from_settings(settings_from_conf(conf))
    except NotConfigured as exc:
        return IdentityClient.unusable(exc, configured=False)
    except ConfigError as exc:
        return IdentityClient.unusable(exc, configured=True)


def _first(items: Iterable[Any], what: str) -> Any:
    for item in items:
        return item
    raise IdentityError("Keystone returned no %s." % what)


class IdentityClient:
    """Keystone v3 through one authenticated keystoneauth1 session.

    :param session: an authenticated :class:`keystoneauth1.session.Session`.
    :param region_name: the region endpoints are taken from.
    :param interface: the endpoint interface.
    :param settings: the settings the session was built from, if known
        (needed by :meth:`system_scoped`).
    """

    def __init__(
        self,
        session: Any,
        *,
        region_name: str | None = None,
        interface: str = "public",
        settings: AuthSettings | None = None,
    ) -> None:
        self._session = session
        self._problem: ConfigError | None = None
        #: Whether ``[identity]`` names a cloud or an auth URL.  Other
        #: plugins check it to report usage as unknown when it does not.
        self.configured = True
        #: Region endpoints are taken from (``None``: any).
        self.region_name = region_name
        #: Endpoint interface (``public``, ``internal`` or ``admin``).
        self.interface = interface
        self.settings = settings
        self._identity_adapter: Any = None

    @classmethod
    def unusable(cls, problem: ConfigError, *, configured: bool) -> IdentityClient:
        """A client that raises ``problem`` whenever it is used.

        :param problem: the configuration error to raise.
        :param configured: the value of :attr:`configured`.
        """
        client = cls(None)
        client._problem = problem
        client.configured = configured
        return client

    @property
    def session(self) -> Any:
        """The keystoneauth1 session, shared with other plugins' clients.

        :raises NotConfigured: if ``[identity]`` is not configured.
        :raises ConfigError: if it is configured wrongly.
        """
        if self._problem is not None:
            raise self._problem
        return self._session

    @property
    def _identity(self) -> Any:
        if self._identity_adapter is None:
            self._identity_adapter = self.adapter("identity")
        return self._identity_adapter

    @classmethod
    def from_settings(cls, settings: AuthSettings) -> IdentityClient:
        """Build a client (and its session) from :class:`AuthSettings`."""
        return cls(
            build_session(settings),
            region_name=settings.region_name,
            interface=settings.interface,
            settings=settings,
        )

    def adapter(
        self,
        service_type: str,
        *,
        interface: str | None = None,
        region_name: str | None = None,
        endpoint_override: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """A keystoneauth1 adapter for one service of the catalog.

        :param service_type: the catalog service type, e.g. ``"compute"``.
        :param interface: override of :attr:`interface`.
        :param region_name: override of :attr:`region_name`.
        :param endpoint_override: a URL to use instead of the catalog's.
        :param kwargs: more :class:`keystoneauth1.adapter.Adapter` arguments,
            e.g. ``default_microversion``.
        :returns: a :class:`keystoneauth1.adapter.Adapter`.
        """
        from keystoneauth1 import adapter

        return adapter.Adapter(
            self.session,
            service_type=service_type,
            interface=interface or self.interface,
            region_name=region_name or self.region_name,
            endpoint_override=endpoint_override,
            **kwargs,
        )

    def system_scoped(self) -> IdentityClient:
        """A client with the same credentials and a system-scoped token.

        Keystone's unified-limits admin calls need one.

        :raises IdentityError: if the client was not built from settings or
            its credentials cannot be system scoped.
        """
        if self.settings is None:
            raise IdentityError(
                "This identity client was built from a bare session; build it "
                "from settings to get a system-scoped one."
            )
        return IdentityClient.from_settings(self.settings.system_scoped())

    def connection(self) -> Any:
        """An openstacksdk ``Connection`` sharing this client's session."""
        from openstack import connection

        return connection.Connection(
            session=self.session,
            region_name=self.region_name,
            interface=self.interface,
        )

    # -- transport ------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        ok: tuple[int, ...] = (200,),
        what: str,
        **kwargs: Any,
    ) -> Any:
        from keystoneauth1 import exceptions as ks_exc

        try:
            resp = self._identity.request(path, method, raise_exc=False, **kwargs)
        except ks_exc.Unauthorized as exc:
            raise IdentityError(
                "Keystone refused the credentials of %s while trying to %s: %s. "
                "Check the user, password and scope."
                % (self._source(), what, exc),
                status_code=401,
            ) from exc
        except ks_exc.EndpointNotFound as exc:
            raise IdentityError(
                "No identity endpoint (interface %s, region %s) in the service "
                "catalog: %s. Check [identity] interface and region_name."
                % (self.interface, self.region_name or "any", exc)
            ) from exc
        except ks_exc.ClientException as exc:
            raise IdentityError(
                "Could not %s: %s. Check that Keystone is reachable at the "
                "auth_url of %s." % (what, exc, self._source())
            ) from exc
        if resp.status_code in ok:
            return resp
        detail = _error_detail(resp)
        if resp.status_code == 404:
            raise IdentityNotFound(
                "Could not %s: not found (%s)." % (what, detail), status_code=404
            )
        hint = ""
        if resp.status_code == 403 and "authorized" in detail.lower():
            hint = (
                " The token lacks the role or scope for this call; unified-limits "
                "and service administration need an admin with a system-scoped "
                "token."
            )
        raise IdentityError(
            "Could not %s: Keystone answered HTTP %d (%s).%s"
            % (what, resp.status_code, detail, hint),
            status_code=resp.status_code,
        )

    def _source(self) -> str:
        return self.settings.source if self.settings else "the session"

    def _json(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        resp = self._call(method, path, **kwargs)
        body = resp.json()
        if key not in body:
            raise IdentityError(
                "Keystone's answer to %s %s has no %r member." % (method, path, key)
            )
        return body[key]

    # -- tokens -----------------------------------------------------------

    def issue_token(self) -> dict[str, Any]:
        """Authenticate (if not yet) and describe the session's token.

        :returns: ``id``, ``expires``, ``project_id``, ``user_id`` and
            ``system`` (the system scope, or ``""``).
        :raises IdentityError: if authentication fails.
        """
        from keystoneauth1 import exceptions as ks_exc

        session = self.session
        try:
            access = session.auth.get_access(session)
        except ks_exc.Unauthorized as exc:
            raise IdentityError(
                "Keystone refused the credentials of %s: %s. Check the user, "
                "password and scope." % (self._source(), exc),
                status_code=401,
            ) from exc
        except ks_exc.ClientException as exc:
            raise IdentityError(
                "Could not authenticate with %s: %s. Check that Keystone is "
                "reachable at the auth_url." % (self._source(), exc)
            ) from exc
        system = getattr(access, "system", None) or {}
        return {
            "id": access.auth_token,
            "expires": access.expires.isoformat() if access.expires else "",
            "project_id": access.project_id or "",
            "user_id": access.user_id or "",
            "system": ",".join(sorted(system)) if isinstance(system, dict) else "",
        }

    def validate_token(self, token: str) -> dict[str, Any]:
        """Validate ``token`` and return Keystone's description of it.

        :raises IdentityNotFound: if the token is invalid, expired or revoked.
        """
        return dict(
            self._json(
                "GET",
                "/auth/tokens",
                "token",
                headers={"X-Subject-Token": token},
                what="validate a token",
            )
        )

    def check_token(self, token: str) -> bool:
        """Whether ``token`` is valid now (``HEAD /v3/auth/tokens``)."""
        try:
            self._call(
                "HEAD",
                "/auth/tokens",
                ok=(200, 204),
                headers={"X-Subject-Token": token},
                what="check a token",
            )
        except IdentityNotFound:
            return False
        return True

    def revoke_token(self, token: str) -> None:
        """Revoke ``token``.

        :raises IdentityNotFound: if it is already invalid.
        """
        self._call(
            "DELETE",
            "/auth/tokens",
            ok=(204,),
            headers={"X-Subject-Token": token},
            what="revoke a token",
        )

    # -- projects ---------------------------------------------------------

    def list_projects(
        self, *, domain_id: str | None = None, name: str | None = None
    ) -> list[dict[str, Any]]:
        """Projects visible to the token, optionally filtered."""
        params = {k: v for k, v in (("domain_id", domain_id), ("name", name)) if v}
        return list(
            self._json("GET", "/projects", "projects", params=params, what="list projects")
        )

    def get_project(self, ref: str) -> dict[str, Any]:
        """A project by ID, or by name when no ID matches.

        :raises IdentityNotFound: if nothing matches.
        :raises IdentityError: if the name matches several projects.
        """
        try:
            return dict(
                self._json("GET", "/projects/%s" % _quote(ref), "project",
                           what="show project %s" % ref)
            )
        except IdentityNotFound:
            pass
        found = self.list_projects(name=ref)
        if not found:
            raise IdentityNotFound(
                "No project has the ID or name %r. Run 'plugfair project list'." % ref,
                status_code=404,
            )
        if len(found) > 1:
            raise IdentityError(
                "%d projects are named %r (in different domains); give the "
                "project ID instead." % (len(found), ref)
            )
        return dict(found[0])

    def create_project(
        self,
        name: str,
        *,
        domain_id: str = "default",
        description: str = "",
        enabled: bool = True,
        tags: Iterable[str] = (),
    ) -> dict[str, Any]:
        """Create a project and return it."""
        body = {
            "project": {
                "name": name,
                "domain_id": domain_id,
                "description": description,
                "enabled": enabled,
                "tags": list(tags),
            }
        }
        return dict(
            self._json("POST", "/projects", "project", ok=(201,), json=body,
                       what="create project %s" % name)
        )

    def update_project(self, project_id: str, **fields: Any) -> dict[str, Any]:
        """Change fields of a project (``name``, ``description``, ``enabled``...)."""
        return dict(
            self._json(
                "PATCH",
                "/projects/%s" % _quote(project_id),
                "project",
                json={"project": fields},
                what="update project %s" % project_id,
            )
        )

    def delete_project(self, project_id: str) -> None:
        """Delete a project.

        :raises IdentityNotFound: if it does not exist.
        """
        self._call("DELETE", "/projects/%s" % _quote(project_id), ok=(204,),
                   what="delete project %s" % project_id)

    # -- domains, roles, services -----------------------------------------

    def list_domains(self) -> list[dict[str, Any]]:
        """Every domain visible to the token."""
        return list(self._json("GET", "/domains", "domains", what="list domains"))

    def list_roles(self) -> list[dict[str, Any]]:
        """Every role visible to the token."""
        return list(self._json("GET", "/roles", "roles", what="list roles"))

    def create_service(self, service_type: str, name: str, description: str = "") -> dict[str, Any]:
        """Register a service in the catalog (admin)."""
        body = {"service": {"type": service_type, "name": name,
                            "description": description, "enabled": True}}
        return dict(self._json("POST", "/services", "service", ok=(201,), json=body,
                               what="create service %s" % name))

    def delete_service(self, service_id: str) -> None:
        """Remove a service from the catalog (admin)."""
        self._call("DELETE", "/services/%s" % _quote(service_id), ok=(204,),
                   what="delete service %s" % service_id)

    # -- unified limits -----------------------------------------------------

    def limits_model(self) -> dict[str, Any]:
        """The enforcement model (``flat`` or ``strict-two-level``)."""
        return dict(self._json("GET", "/limits/model", "model", what="show the limits model"))

    def create_registered_limit(
        self,
        service_id: str,
        resource_name: str,
        default_limit: int,
        *,
        region_id: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Create a registered limit (the default of a resource; admin)."""
        item: dict[str, Any] = {
            "service_id": service_id,
            "resource_name": resource_name,
            "default_limit": default_limit,
        }
        if region_id:
            item["region_id"] = region_id
        if description is not None:
            item["description"] = description
        return dict(_first(
            self._json("POST", "/registered_limits", "registered_limits", ok=(201,),
                       json={"registered_limits": [item]},
                       what="create registered limit %s" % resource_name),
            "registered limit",
        ))

    def list_registered_limits(self, **filters: str) -> list[dict[str, Any]]:
        """Registered limits, filtered by ``service_id``, ``resource_name``..."""
        return list(self._json("GET", "/registered_limits", "registered_limits",
                               params=filters, what="list registered limits"))

    def update_registered_limit(self, limit_id: str, **fields: Any) -> dict[str, Any]:
        """Change a registered limit (``default_limit``, ``description``)."""
        return dict(self._json("PATCH", "/registered_limits/%s" % _quote(limit_id),
                               "registered_limit", json={"registered_limit": fields},
                               what="update registered limit %s" % limit_id))

    def delete_registered_limit(self, limit_id: str) -> None:
        """Delete a registered limit (admin)."""
        self._call("DELETE", "/registered_limits/%s" % _quote(limit_id), ok=(204,),
                   what="delete registered limit %s" % limit_id)

    def create_limit(
        self,
        project_id: str,
        service_id: str,
        resource_name: str,
        resource_limit: int,
        *,
        region_id: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Create a project limit; a registered limit must exist first."""
        item: dict[str, Any] = {
            "project_id": project_id,
            "service_id": service_id,
            "resource_name": resource_name,
            "resource_limit": resource_limit,
        }
        if region_id:
            item["region_id"] = region_id
        if description is not None:
            item["description"] = description
        return dict(_first(
            self._json("POST", "/limits", "limits", ok=(201,), json={"limits": [item]},
                       what="create limit %s for project %s" % (resource_name, project_id)),
            "limit",
        ))

    def get_limit(self, limit_id: str) -> dict[str, Any]:
        """One project limit."""
        return dict(self._json("GET", "/limits/%s" % _quote(limit_id), "limit",
                               what="show limit %s" % limit_id))

    def list_limits(self, **filters: str) -> list[dict[str, Any]]:
        """Project limits, filtered by ``project_id``, ``resource_name``..."""
        return list(self._json("GET", "/limits", "limits", params=filters,
                               what="list limits"))

    def update_limit(self, limit_id: str, **fields: Any) -> dict[str, Any]:
        """Change a project limit (``resource_limit``, ``description``)."""
        return dict(self._json("PATCH", "/limits/%s" % _quote(limit_id), "limit",
                               json={"limit": fields},
                               what="update limit %s" % limit_id))

    def delete_limit(self, limit_id: str) -> None:
        """Delete a project limit."""
        self._call("DELETE", "/limits/%s" % _quote(limit_id), ok=(204,),
                   what="delete limit %s" % limit_id)


def _quote(ref: str) -> str:
    from urllib.parse import quote

    return quote(ref, safe="")


def _error_detail(resp: Any) -> str:
    try:
        body = resp.json()
    except ValueError:
        return (resp.text or "").strip()[:200] or "no details"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:300]
    return str(body)[:200]
