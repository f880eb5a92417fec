"""The recorded cloud of this plugin's unit tests.

:class:`~plugfair.api.FakeCloud` (Keystone's token API plus recorded
answers, served on 127.0.0.1) comes from the stable interface.
"""

from __future__ import annotations

from typing import Any

from plugfair.api import FakeCloud, RecordedRequest

__all__ = ["FakeCloud", "RecordedRequest", "RecordedIdentity", "PROJECT_ID", "USER_ID", "TOKEN"]

PROJECT_ID = FakeCloud.PROJECT_ID
USER_ID = FakeCloud.USER_ID
TOKEN = FakeCloud.TOKEN


class RecordedIdentity:
    """Stands in for the ``identity`` service client over a :class:`FakeCloud`.

    It has the documented surface other plugins use: ``configured``,
    ``session``, ``region_name``, ``interface`` and ``adapter()``.
    """

    def __init__(self, cloud: FakeCloud | None, *, region_name: str | None = None,
                 interface: str = "public") -> None:
        self.configured = cloud is not None
        self._cloud = cloud
        self._session: Any = None
        self.region_name = region_name
        self.interface = interface

    @property
    def session(self) -> Any:
        if self._cloud is None:
            raise RuntimeError("not configured")
        if self._session is None:
            self._session = self._cloud.session()
        return self._session

    def adapter(self, service_type: str, *, interface: str | None = None,
                region_name: str | None = None, endpoint_override: str | None = None,
                **kwargs: Any) -> Any:
        from keystoneauth1 import adapter

        return adapter.Adapter(self.session, service_type=service_type,
                               interface=interface or self.interface,
                               region_name=region_name or self.region_name,
                               endpoint_override=endpoint_override, **kwargs)


class RecordedServices:
    """Stands in for the registry in command tests: ``service_client()``."""

    def __init__(self, **clients: Any) -> None:
        self.clients = clients

    def service_client(self, service: str) -> Any:
        return self.clients[service]
