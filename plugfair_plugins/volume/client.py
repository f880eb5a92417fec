"""Cinder's API (v3), offered as service ``volume``.

The catalog's v3 endpoint already ends with the project ID, so paths are
relative to it.
"""

from __future__ import annotations

import time
from typing import Any

from plugfair.api import ServiceAPI, ServiceClients, ServiceError

__all__ = [
    "VolumeClient",
    "VolumeError",
    "VolumeNotFound",
    "make_client",
]


class VolumeError(ServiceError):
    """Cinder refused or failed a call, or a volume went wrong while waited for."""


class VolumeNotFound(VolumeError, LookupError):
    """No such volume."""


def make_client(conf: Any, services: ServiceClients | None) -> VolumeClient:
    """The factory of service ``volume`` (see :meth:`plugfair.api.ServiceAPI.from_config`)."""
    return VolumeClient(ServiceAPI.from_config(
        conf, "volume", services, via="identity", name="the block storage API",
        error=VolumeError, errors={404: VolumeNotFound}))


class VolumeClient:
    """Volumes (and waits for their status), snapshots and the quota set, through ``api``."""

    def __init__(self, api: ServiceAPI) -> None:
        self.api = api

    # -- volumes ----------------------------------------------------------

    def list_volumes(self, *, all_projects: bool = False,
                     name: str | None = None) -> list[dict[str, Any]]:
        """Volumes with details (``GET /volumes/detail``)."""
        params: dict[str, str] = {}
        if all_projects:
            params["all_tenants"] = "True"
        if name:
            params["name"] = name
        return list(self.api.json("GET", "/volumes/detail", "volumes", params=params,
                                  what="list volumes"))

    def get_volume(self, ref: str) -> dict[str, Any]:
        """A volume by ID, or by name when no ID matches.

        :raises VolumeNotFound: if nothing matches.
        :raises VolumeError: if the name matches several volumes.
        """
        try:
            return dict(self.api.json("GET", ServiceAPI.path("/volumes/%s", ref), "volume",
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
        return dict(self.api.json("POST", "/volumes", "volume", ok=(202,), json=body,
                                  what="create volume %s" % name))

    def delete_volume(self, volume_id: str) -> None:
        """Delete a volume (asynchronously: see :meth:`wait_for_deletion`)."""
        self.api.request("DELETE", ServiceAPI.path("/volumes/%s", volume_id), ok=(202,),
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
                volume = self.api.json("GET", ServiceAPI.path("/volumes/%s", volume_id),
                                       "volume", what="show volume %s" % volume_id)
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
        return list(self.api.json("GET", "/snapshots/detail", "snapshots",
                                  what="list snapshots"))

    # -- quota ----------------------------------------------------------------

    def quota_usage(self, project_id: str) -> dict[str, dict[str, int]]:
        """``GET /os-quota-sets/{project}?usage=True``: limit and in_use."""
        quota_set = self.api.json("GET", ServiceAPI.path("/os-quota-sets/%s", project_id),
                                  "quota_set", params={"usage": "True"},
                                  what="show the quota usage of %s" % project_id)
        return {k: dict(v) for k, v in quota_set.items() if isinstance(v, dict)}

