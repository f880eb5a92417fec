"""The transport of service clients: :class:`ServiceAPI` and :class:`ServiceError`.

A plugin that offers the client of a cloud service finds the service's
endpoint in the service catalog, through the session of another service's
client (the identity service's, which it gets from the host's
:class:`~plugfair.api.ServiceClients`), calls a JSON API and turns every
failure into its own error, with a message that says which call failed and
what to set.  That part is the same for every such plugin, so it is written
once, here; what is left in a plugin's client is its own service's calls.

keystoneauth1 and oslo.config are imported on first use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from plugfair.interface.errors import PlugfairError

if TYPE_CHECKING:  # pragma: no cover
    from oslo_config import cfg

    from plugfair.interface.protocols import ServiceClients

__all__ = ["ServiceAPI", "ServiceError"]


class ServiceError(PlugfairError):
    """A call to a service's API failed; the message says which and why.

    Derive a plugin's own errors from it, adding :class:`LookupError` for
    "not found", and give them to :class:`ServiceAPI`.

    :param message: what failed and what to do about it.
    :param status_code: the HTTP status of the answer, or ``None`` when no
        answer came.

    .. versionadded:: 1.1
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of the answer, if there was one.
        self.status_code = status_code


class ServiceAPI:
    """One service's JSON API, found in the service catalog.

    A service client holds one and makes every call through
    :meth:`request` or :meth:`json`.  Each failure is raised as the
    plugin's own error: no endpoint in the catalog, no answer, or an answer
    with an unexpected HTTP status (with the service's own error message).

    Build it with :meth:`from_config` in the service-client factory; the
    constructor takes any keystoneauth1 adapter.

    :param adapter: a :class:`keystoneauth1.adapter.Adapter` for the service.
    :param group: the plugin's configuration group that holds
        :meth:`config_options`, named in messages.
    :param name: what messages call the API, e.g. ``"the compute API"``.
    :param error: the plugin's error, raised for every failure.
    :param errors: a more specific error per HTTP status, e.g.
        ``{404: ComputeNotFound}``.

    .. versionadded:: 1.1
    """

    def __init__(
        self,
        adapter: Any,
        *,
        group: str,
        name: str,
        error: type[ServiceError],
        errors: Mapping[int, type[ServiceError]] | None = None,
    ) -> None:
        self._adapter = adapter
        # Why there is no adapter, and whether that is a fault (raised by
        # unavailable()) rather than nothing to reach (its reason).
        self._problem: Exception | None = None
        self._fault = False
        self.group = group
        self.name = name
        self.error = error
        self.errors = dict(errors or {})

    @classmethod
    def from_config(
        cls,
        conf: cfg.ConfigOpts,
        group: str,
        services: ServiceClients | None,
        *,
        via: str,
        name: str,
        error: type[ServiceError],
        errors: Mapping[int, type[ServiceError]] | None = None,
    ) -> ServiceAPI:
        """Reach the API through the client of service ``via``, as ``[group]`` says.

        The client of ``via`` (from ``services``) gives the adapter: its
        ``adapter(service_type, interface=..., region_name=...,
        endpoint_override=...)`` is called with the :meth:`config_options`
        of ``[group]``.  A client with ``configured = False`` has no cloud.

        Whether the service can be reached is not its concern: when ``via``
        has no client, its client has no cloud, or building the adapter
        fails, it returns an API that says why in :meth:`unavailable` and
        raises it on first use.

        :param conf: the host's ``ConfigOpts``, with ``[group]`` registered.
        :param group: the plugin's group holding :meth:`config_options`.
        :param services: the host's :class:`~plugfair.api.ServiceClients`,
            the second argument of a service-client factory (``None``:
            none, so nothing can be reached).
        :param via: the service whose client gives the session, e.g. the
            identity service.
        :returns: the API; see the constructor for ``name``, ``error`` and
            ``errors``.
        """
        from oslo_config import cfg

        api = cls(None, group=group, name=name, error=error, errors=errors)
        cannot = "Cannot reach %s: the %r service client" % (name, via)
        if services is None:
            return api._fail(error("%s was not given (no service clients)." % cannot))
        try:
            source = services.service_client(via)
        except (PlugfairError, cfg.Error) as exc:
            return api._fail(error("%s is not available: %s" % (cannot, exc)))
        configured = bool(getattr(source, "configured", True))
        options = conf[group]
        try:
            api._adapter = source.adapter(
                options.service_type,
                interface=options.interface,
                region_name=options.region_name,
                endpoint_override=options.endpoint_override,
            )
        except PlugfairError as exc:
            return api._fail(exc, fault=configured)
        if not configured:
            return api._fail(error("%s has no cloud configured." % cannot))
        return api

    def _fail(self, problem: Exception, *, fault: bool = False) -> ServiceAPI:
        self._adapter = None
        self._problem = problem
        self._fault = fault
        return self

    @staticmethod
    def config_options(service_type: str, *, name: str, example: str) -> list[Any]:
        """The options :meth:`from_config` reads, for the plugin's own group.

        ``service_type``, ``interface``, ``region_name`` and
        ``endpoint_override``; the last three default to the session's.

        :param service_type: the default service type, e.g. ``"compute"``.
        :param name: the API, as help texts call it, e.g. ``"the compute API"``.
        :param example: an endpoint URL, for the help of ``endpoint_override``.
        :returns: fresh :class:`oslo_config.cfg.Opt` objects.
        """
        from oslo_config import cfg

        return [
            cfg.StrOpt(
                "service_type",
                default=service_type,
                help="Service type of %s in the service catalog (its aliases match "
                "too)." % name,
            ),
            cfg.StrOpt(
                "interface",
                choices=["public", "internal", "admin"],
                help="Endpoint interface (default: the session's).",
            ),
            cfg.StrOpt(
                "region_name",
                help="Region to take the endpoint from (default: the session's).",
            ),
            cfg.StrOpt(
                "endpoint_override",
                help="Use this URL instead of the catalog's endpoint of %s, e.g. %s."
                % (name, example),
            ),
        ]

    @property
    def adapter(self) -> Any:
        """The keystoneauth1 adapter every call goes through.

        :raises: why there is none (see :meth:`unavailable`).
        """
        if self._adapter is None:
            raise self._problem or self.error("%s has no adapter." % self.name)
        return self._adapter

    def unavailable(self) -> str | None:
        """Why there is nothing to call, or ``None`` when there is.

        Use it where "unknown" is an answer: a usage callback, a test's skip.

        :returns: the reason: the client of ``via`` is missing or has no
            cloud configured, or the catalog has no endpoint of the service.
        :raises: the configuration error of a client of ``via`` that is
            configured wrongly; the plugin's error if authentication fails.
        """
        if self._problem is not None:
            if self._fault:
                raise self._problem
            return str(self._problem)
        if self.in_catalog():
            return None
        return (
            "the service catalog has no %r endpoint (interface %s, region %s); set "
            "[%s] service_type, region_name or endpoint_override"
            % (self.adapter.service_type, self.adapter.interface or "any",
               self.adapter.region_name or "any", self.group)
        )

    def in_catalog(self) -> bool:
        """Whether the catalog (or ``endpoint_override``) has an endpoint.

        :raises: the plugin's error if authentication fails.
        """
        from keystoneauth1 import exceptions as ks_exc

        adapter = self.adapter
        try:
            return bool(adapter.get_endpoint())
        except ks_exc.EndpointNotFound:
            return False
        except ks_exc.ClientException as exc:
            raise self.error("Could not read the service catalog: %s" % exc) from exc

    @staticmethod
    def path(template: str, *parts: str) -> str:
        """``template % parts``, each part quoted as one URL path segment.

        ``ServiceAPI.path("/servers/%s", "a/b")`` is ``"/servers/a%2Fb"``.
        """
        from urllib.parse import quote

        return template % tuple(quote(str(p), safe="") for p in parts)

    def request(
        self, method: str, path: str, *, what: str, ok: Sequence[int] = (200,), **kwargs: Any
    ) -> Any:
        """Call the API and return the keystoneauth1 response.

        :param method: the HTTP method.
        :param path: the path, relative to the endpoint.
        :param what: what the call does, for messages: ``"list servers"``.
        :param ok: the statuses that mean success.
        :param kwargs: more keystoneauth1 arguments: ``params``, ``json``,
            ``headers``...
        :raises ServiceError: the plugin's error, or the one ``errors`` gives
            for the status, with the status and the service's message.
        """
        from keystoneauth1 import exceptions as ks_exc

        adapter = self.adapter
        try:
            resp = adapter.request(path, method, raise_exc=False, **kwargs)
        except ks_exc.EndpointNotFound as exc:
            raise self.error(
                "Could not %s: the service catalog has no %r endpoint (%s). Set "
                "[%s] service_type, region_name or endpoint_override."
                % (what, adapter.service_type, exc, self.group)
            ) from exc
        except ks_exc.ClientException as exc:
            raise self.error("Could not %s: %s" % (what, exc)) from exc
        if resp.status_code in ok:
            return resp
        raise self.errors.get(resp.status_code, self.error)(
            "Could not %s: %s answered HTTP %d (%s)."
            % (what, self.name, resp.status_code, _detail(resp)),
            status_code=resp.status_code,
        )

    def json(
        self, method: str, path: str, key: str | None = None, *, what: str,
        ok: Sequence[int] = (200,), **kwargs: Any,
    ) -> Any:
        """Call the API and return its JSON answer, or the answer's member ``key``.

        :raises ServiceError: as :meth:`request` does, and the plugin's error
            if the answer is not JSON or has no member ``key``.
        """
        resp = self.request(method, path, what=what, ok=ok, **kwargs)
        try:
            body = resp.json()
        except ValueError:
            raise self.error(
                "Could not %s: the answer of %s to %s %s is not JSON."
                % (what, self.name, method, path)
            ) from None
        if key is None:
            return body
        if not isinstance(body, dict) or key not in body:
            raise self.error(
                "The answer of %s to %s %s has no %r member." % (self.name, method, path, key)
            )
        return body[key]


def _detail(resp: Any) -> str:
    """The service's own message in an error answer: ``message`` at the top
    or in a member (``{"itemNotFound": {"message": ...}}``)."""
    try:
        body = resp.json()
    except ValueError:
        return (resp.text or "").strip()[:200] or "no details"
    if isinstance(body, dict):
        for item in [body, *(v for v in body.values() if isinstance(v, dict))]:
            if item.get("message"):
                return str(item["message"])[:300]
    return str(body)[:200]
