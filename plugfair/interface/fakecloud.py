"""A tiny local cloud for plugin tests: Keystone's token API plus recorded answers.

:class:`FakeCloud` serves, on 127.0.0.1 and a free port, a Keystone v3
``POST /auth/tokens`` whose token carries a service catalog pointing back
at the same server, and answers every other request from a table of
recorded responses (status, JSON body).  Every request is kept, so a test
can check what the client sent.  The client under test goes through a real
keystoneauth1 session and the real catalog logic: nothing is mocked.

It is part of the stable interface (``plugfair.api.FakeCloud``) so that
every plugin tests its service client the same way, against recorded
answers in the real services' payload shapes.  :meth:`FakeCloud.identity_client`
stands in for the identity service's client on this cloud, so a plugin's own
service-client factory builds its client exactly as in production (see
:class:`plugfair.api.FakeHost`).
"""

from __future__ import annotations

import dataclasses
import json
import threading
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import fixtures

from plugfair.interface.errors import ConfigError

__all__ = ["FakeCloud", "RecordedRequest", "CloudClient"]

PROJECT_ID = "6f1b4bd1c3d3437f8c1e0d9a6a3c4a11"
USER_ID = "0c4e2b8f4b664f1f9d5a47cfd9a8a122"
TOKEN = "gAAAAA-recorded-token"


@dataclasses.dataclass
class RecordedRequest:
    """One request the fake cloud received.

    .. versionadded:: 1.0
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


class FakeCloud(fixtures.Fixture):
    """Serve a fake Keystone and recorded service answers on 127.0.0.1.

    Use it as a fixture (``self.useFixture(FakeCloud({...}))``), record
    answers with :meth:`add`, point the client under test at
    :attr:`auth_url` (or use :meth:`session`), then check :meth:`sent`.
    The token it issues is scoped to project :attr:`PROJECT_ID`.

    :param services: catalog service type -> path prefix of its endpoint
        on this server, e.g. ``{"compute": "/compute/v2.1"}``.
    :param region: region of every endpoint.

    .. versionadded:: 1.0
    """

    #: Project the issued token is scoped to.
    PROJECT_ID = PROJECT_ID
    #: User the issued token belongs to.
    USER_ID = USER_ID
    #: The token value every service request must carry.
    TOKEN = TOKEN

    def __init__(self, services: Mapping[str, str], *, region: str = "RegionOne") -> None:
        super().__init__()
        self.services = dict(services)
        self.region = region
        self.routes: dict[tuple[str, str, str | None], tuple[int, Any]] = {}
        self.requests: list[RecordedRequest] = []
        self.base = ""

    def _setUp(self) -> None:
        self.server = make_server("127.0.0.1", 0, self._app, WSGIServer, _Quiet)
        self.base = "http://127.0.0.1:%d" % self.server.server_port
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        thread.start()
        self.addCleanup(self.server.server_close)
        self.addCleanup(self.server.shutdown)

    @property
    def auth_url(self) -> str:
        return self.base + "/identity/v3"

    def endpoint(self, service_type: str) -> str:
        return self.base + self.services[service_type]

    def add(self, method: str, path: str, body: Any = None, status: int = 200,
            query: str | None = None) -> None:
        """Answer ``method path`` with ``body``.

        :param query: answer only requests with exactly this query string;
            by default, requests with any query.
        """
        self.routes[(method.upper(), path, query)] = (status, body)

    def session(self) -> Any:
        """A keystoneauth1 session authenticating against this server."""
        from keystoneauth1 import session
        from keystoneauth1.identity import v3

        auth = v3.Password(
            auth_url=self.auth_url,
            username="demo",
            password="secret",
            user_domain_id="default",
            project_id=PROJECT_ID,
        )
        return session.Session(auth=auth)

    def identity_client(
        self, *, configured: bool = True, region_name: str | None = None,
        interface: str = "public",
    ) -> CloudClient:
        """A stand-in for the identity service's client, on this cloud.

        Give it to :class:`plugfair.api.FakeHost` as the identity service's
        client: a plugin whose factory reaches the cloud through that client
        (with :meth:`plugfair.api.ServiceAPI.from_config`) then talks to this
        server through a real keystoneauth1 session and the real catalog.

        :param configured: ``False`` for a client with no cloud configured,
            as the identity plugin has with an empty ``[identity]``.
        :param region_name: the client's region (``None``: any).
        :param interface: the client's endpoint interface.
        :returns: the stand-in, with what other plugins use of the identity
            plugin's client: ``configured``, ``session``, ``region_name``,
            ``interface`` and ``adapter(service_type, interface=...,
            region_name=..., endpoint_override=...)``.

        .. versionadded:: 1.1
        """
        return CloudClient(self if configured else None, region_name=region_name,
                           interface=interface)

    def sent(self, method: str | None = None, path: str | None = None) -> list[RecordedRequest]:
        """Requests received, except authentication, optionally filtered."""
        return [
            r
            for r in self.requests
            if not r.path.endswith("/auth/tokens")
            and (method is None or r.method == method)
            and (path is None or r.path == path)
        ]

    def _token(self) -> dict[str, Any]:
        catalog = [
            {
                "id": uuid.uuid4().hex,
                "type": service_type,
                "name": service_type,
                "endpoints": [
                    {
                        "id": uuid.uuid4().hex,
                        "interface": interface,
                        "region": self.region,
                        "region_id": self.region,
                        "url": self.base + prefix,
                    }
                    for interface in ("public", "internal", "admin")
                ],
            }
            for service_type, prefix in sorted(self.services.items())
        ]
        return {
            "token": {
                "methods": ["password"],
                "expires_at": "2099-01-01T00:00:00.000000Z",
                "issued_at": "2026-01-01T00:00:00.000000Z",
                "audit_ids": ["c2Y2NTRmZjE"],
                "user": {
                    "id": USER_ID,
                    "name": "demo",
                    "domain": {"id": "default", "name": "Default"},
                    "password_expires_at": None,
                },
                "project": {
                    "id": PROJECT_ID,
                    "name": "demo",
                    "domain": {"id": "default", "name": "Default"},
                },
                "roles": [{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"}],
                "catalog": catalog,
            }
        }

    def _app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        headers = {
            k[5:].replace("_", "-").title(): v
            for k, v in environ.items()
            if k.startswith("HTTP_")
        }
        self.requests.append(
            RecordedRequest(method, path, parse_qs(environ.get("QUERY_STRING", "")), headers, body)
        )
        if method == "POST" and path == "/identity/v3/auth/tokens":
            return self._reply(start_response, 201, self._token(),
                               [("X-Subject-Token", TOKEN)])
        if headers.get("X-Auth-Token") != TOKEN:
            return self._reply(start_response, 401, {"error": {"message": "no token"}})
        query = environ.get("QUERY_STRING", "")
        status, reply = self.routes.get(
            (method, path, query),
            self.routes.get(
                (method, path, None),
                (404, {"code": 404, "message": "no route %s %s" % (method, path)}),
            ),
        )
        return self._reply(start_response, status, reply)

    def _reply(
        self, start_response: Any, status: int, body: Any, extra: list[tuple[str, str]] | None = None
    ) -> list[bytes]:
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        headers = [("Content-Length", str(len(data)))] + list(extra or [])
        if data:
            headers.append(("Content-Type", "application/json"))
        reason = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content",
                  401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                  409: "Conflict", 500: "Internal Server Error"}.get(status, "Status")
        start_response("%d %s" % (status, reason), headers)
        return [data]


class CloudClient:
    """What :meth:`FakeCloud.identity_client` returns.

    It has the surface of the identity service's client that other plugins
    use: :attr:`configured`, :attr:`session`, :attr:`region_name`,
    :attr:`interface` and :meth:`adapter`.

    :param cloud: the cloud, or ``None`` for a client with no cloud.

    .. versionadded:: 1.1
    """

    def __init__(self, cloud: FakeCloud | None, *, region_name: str | None = None,
                 interface: str = "public") -> None:
        #: Whether a cloud is configured.
        self.configured = cloud is not None
        self._cloud = cloud
        self._session: Any = None
        #: Region endpoints are taken from (``None``: any).
        self.region_name = region_name
        #: Endpoint interface.
        self.interface = interface

    @property
    def session(self) -> Any:
        """A keystoneauth1 session on the cloud, made on first use.

        :raises ConfigError: if no cloud is configured.
        """
        if self._cloud is None:
            raise ConfigError(
                "This stand-in identity client has no cloud configured "
                "(FakeCloud.identity_client(configured=False))."
            )
        if self._session is None:
            self._session = self._cloud.session()
        return self._session

    def adapter(self, service_type: str, *, interface: str | None = None,
                region_name: str | None = None, endpoint_override: str | None = None,
                **kwargs: Any) -> Any:
        """A keystoneauth1 adapter for one service of the catalog.

        :raises ConfigError: if no cloud is configured.
        """
        from keystoneauth1 import adapter

        return adapter.Adapter(self.session, service_type=service_type,
                               interface=interface or self.interface,
                               region_name=region_name or self.region_name,
                               endpoint_override=endpoint_override, **kwargs)
