"""The volume service client: Cinder's API through a keystoneauth1 adapter.

Authentication is shared: the session comes from the ``identity`` service
client, obtained from the plugin registry (never by importing the plugin
that offers it), and the endpoint comes from the service catalog.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from plugfair.api import PlugfairError

__all__ = [
    "VolumeClient",
    "VolumeError",
    "VolumeNotFound",
    "identity_client",
    "make_client",
]


class VolumeError(PlugfairError):
    """A block storage API call failed; the message says which and why.

    :param status_code: the HTTP status, or ``None`` when no answer came.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        #: HTTP status of the answer, if there was one.
        self.status_code = status_code


class VolumeNotFound(VolumeError, LookupError):
    """No such volume."""


def identity_client(conf: Any, registry: Any = None) -> Any:
    """The ``identity`` service client, from whichever plugin offers it.

    :param conf: the host's ``ConfigOpts``.
    :param registry: the host's :class:`plugfair.api.ServiceClients`.
    :raises VolumeError: if there is none, or no enabled plugin offers
        ``identity``.
    """
    from oslo_config import cfg

    if registry is None:
        raise VolumeError(
            "The volume plugin reaches the cloud through the 'identity' service "
            "client, which it asks the host for; it was called without one."
        )
    try:
        return registry.service_client("identity")
    except (PlugfairError, cfg.Error) as exc:
        raise VolumeError(
            "The volume plugin reaches the cloud through the 'identity' service "
            "client, which is not available: %s" % exc
        ) from exc


def make_client(conf: Any, registry: Any = None) -> VolumeClient:
    """Service-client factory of service ``volume``.

    :param conf: the host's ``ConfigOpts``, with ``[volume]`` registered.
    :raises VolumeError: if no plugin offers the ``identity`` client.
    """
    return VolumeClient.from_identity(identity_client(conf, registry), conf)


class VolumeClient:
    """Cinder's API (v3) through a keystoneauth1 adapter.

    The catalog's v3 endpoint already ends with the project ID, so paths
    are relative to it.

    :param adapter: a :class:`keystoneauth1.adapter.Adapter` for the block
        storage service.
    """

    def __init__(self, adapter: Any) -> None:
        #: The keystoneauth1 adapter every call goes through.
        self.adapter = adapter

    @classmethod
    def from_identity(cls, identity: Any, conf: Any) -> VolumeClient:
        """Build on the ``identity`` client's session, with ``[volume]``."""
        group = conf.volume
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
        service_type: str = "block-storage",
        interface: str = "public",
        region_name: str | None = None,
        endpoint_override: str | None = None,
    ) -> VolumeClient:
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

        :raises VolumeError: if authentication fails.
        """
        from keystoneauth1 import exceptions as ks_exc

        try:
            return bool(self.adapter.get_endpoint())
        except ks_exc.EndpointNotFound:
            return False
        except ks_exc.ClientException as exc:
            raise VolumeError("Could not read the service catalog: %s" % exc) from exc

    # -- transport ------------------------------------------------------

    def _call(self, method: str, path: str, *, ok: Sequence[int] = (200,),
              what: str, **kwargs: Any) -> Any:
        from keystoneauth1 import exceptions as ks_exc

        try:
            resp = self.adapter.request(path, method, raise_exc=False, **kwargs)
        except ks_exc.EndpointNotFound as exc:
            raise VolumeError(
                "Could not %s: the service catalog has no %r endpoint (%s). Set "
                "[volume] service_type, region_name or endpoint_override."
                % (what, self.adapter.service_type, exc)
            ) from exc
        except ks_exc.ClientException as exc:
            raise VolumeError("Could not %s: %s" % (what, exc)) from exc
        if resp.status_code in ok:
            return resp
        cls = VolumeNotFound if resp.status_code == 404 else VolumeError
        raise cls(
            "Could not %s: the block storage API answered HTTP %d (%s)."
            % (what, resp.status_code, _error_detail(resp)),
            status_code=resp.status_code,
        )

    def _json(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        body = self._call(method, path, **kwargs).json()
        if not isinstance(body, dict) or key not in body:
            raise VolumeError(
                "The block storage API's answer to %s %s has no %r member."
                % (method, path, key)
            )
        return body[key]

    # -- volumes ----------------------------------------------------------

    def list_volumes(self, *, all_projects: bool = False,
                     name: str | None = None) -> list[dict[str, Any]]:
        """Volumes with details (``GET /volumes/detail``)."""
        params: dict[str, str] = {}
        if all_projects:
            params["all_tenants"] = "True"
        if name:
            params["name"] = name
        return list(self._json("GET", "/volumes/detail", "volumes", params=params,
                               what="list volumes"))

    def get_volume(self, ref: str) -> dict[str, Any]:
        """A volume by ID, or by name when no ID matches.

        :raises VolumeNotFound: if nothing matches.
        :raises VolumeError: if the name matches several volumes.
        """
        try:
            return dict(self._json("GET", "/volumes/%s" % _quote(ref), "volume",
                                   what="show volume %s" % ref))
        except VolumeNotFound:
            pass
        found = [v for v in self.list_volumes(name=ref) if v.get("name") == ref]
        if not found:
            raise VolumeNotFound(
                "No volume has the ID or name %r. Run 'plugfair volume list'." % ref,
                status_code=404,
            )
        if len(found) > 1:
            raise VolumeError(
                "%d volumes are named %r; give the volume ID instead." % (len(found), ref)
            )
        return dict(found[0])

    def create_volume(self, size: int, *, name: str = "", description: str = "") -> dict[str, Any]:
        """Create a volume of ``size`` GiB; it starts in status ``creating``."""
        body = {"volume": {"size": size, "name": name, "description": description}}
        return dict(self._json("POST", "/volumes", "volume", ok=(202,), json=body,
                               what="create volume %s" % name))

    def delete_volume(self, volume_id: str) -> None:
        """Delete a volume (asynchronously: see :meth:`wait_for_deletion`)."""
        self._call("DELETE", "/volumes/%s" % _quote(volume_id), ok=(202,),
                   what="delete volume %s" % volume_id)

    def wait_for_status(self, volume_id: str, status: str = "available", *,
                        timeout: float = 300.0, interval: float = 2.0) -> dict[str, Any]:
        """Poll a volume until it reaches ``status``.

        :raises VolumeError: if it reaches an ``error`` status or the time
            runs out.
        """
        deadline = time.monotonic() + timeout
        while True:
            volume = self.get_volume(volume_id)
            current = str(volume.get("status", ""))
            if current == status:
                return volume
            if current.startswith("error"):
                raise VolumeError("Volume %s went to status %r while waiting for %r."
                                  % (volume_id, current, status))
            if time.monotonic() >= deadline:
                raise VolumeError("Volume %s is still %r after %.0f s (waiting for %r)."
                                  % (volume_id, current, timeout, status))
            time.sleep(interval)

    def wait_for_deletion(self, volume_id: str, *, timeout: float = 300.0,
                          interval: float = 2.0) -> None:
        """Poll until the volume is gone.

        :raises VolumeError: if the time runs out or deletion fails.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                volume = self._json("GET", "/volumes/%s" % _quote(volume_id), "volume",
                                    what="show volume %s" % volume_id)
            except VolumeNotFound:
                return
            if str(volume.get("status", "")).startswith("error"):
                raise VolumeError("Deleting volume %s failed: status %r."
                                  % (volume_id, volume.get("status")))
            if time.monotonic() >= deadline:
                raise VolumeError("Volume %s still exists %.0f s after deletion."
                                  % (volume_id, timeout))
            time.sleep(interval)

    def list_snapshots(self) -> list[dict[str, Any]]:
        """Snapshots with details."""
        return list(self._json("GET", "/snapshots/detail", "snapshots",
                               what="list snapshots"))

    # -- quota ----------------------------------------------------------------

    def quota_usage(self, project_id: str) -> dict[str, dict[str, int]]:
        """``GET /os-quota-sets/{project}?usage=True``: limit and in_use."""
        quota_set = self._json("GET", "/os-quota-sets/%s" % _quote(project_id), "quota_set",
                               params={"usage": "True"},
                               what="show the quota usage of %s" % project_id)
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
