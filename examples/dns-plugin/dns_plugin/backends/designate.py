"""The designate backend: Designate's v2 API.

The calls go through a :class:`plugfair.api.ServiceAPI`, which reaches
Designate through the ``identity`` service client and the service catalog.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from plugfair.api import ServiceAPI

from dns_plugin import zones as check
from dns_plugin.errors import DnsError, DnsNotFound

__all__ = ["DesignateBackend"]


class DesignateBackend:
    """Zones and recordsets in Designate.

    :param api: Designate's API (its endpoint is unversioned: paths start
        with ``/v2``).
    """

    def __init__(self, api: ServiceAPI) -> None:
        #: The API every call goes through.
        self.api = api

    def _collection(self, path: str, key: str, what: str,
                    params: dict[str, str] | None = None,
                    headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = path
        while url:
            body = self.api.json("GET", url, what=what, params=params, headers=headers)
            items.extend(body.get(key) or [])
            url = (body.get("links") or {}).get("next")
            params = None  # the next link carries them
        return items

    def _sudo(self, project_id: str | None) -> dict[str, str] | None:
        # Designate acts on another project for an admin who sends this header.
        if not project_id or project_id == self.api.adapter.get_project_id():
            return None
        return {"X-Auth-Sudo-Project-ID": project_id}

    # -- zones ----------------------------------------------------------------

    def list_zones(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """Zones of the token's project (or of ``project_id``, as admin)."""
        return self._collection("/v2/zones", "zones", "list zones",
                                headers=self._sudo(project_id))

    def get_zone(self, ref: str) -> dict[str, Any]:
        """A zone by ID or by name.

        :raises DnsNotFound: if there is none.
        """
        name = (ref if ref.endswith(".") else ref + ".").lower()
        found = [z for z in self._collection("/v2/zones", "zones", "find zone %s" % ref,
                                             params={"name": name})
                 if z.get("name") == name]
        if found:
            return dict(found[0])
        try:
            return dict(self.api.json("GET", ServiceAPI.path("/v2/zones/%s", ref),
                                      what="show zone %s" % ref))
        except DnsNotFound:
            raise DnsNotFound("No zone has the ID or name %r. Run 'plugfair zone list'." % ref,
                              status_code=404) from None
        except DnsError as exc:
            if exc.status_code == 400:  # not a UUID
                raise DnsNotFound("No zone has the ID or name %r. Run 'plugfair zone list'."
                                  % ref, status_code=404) from None
            raise

    def create_zone(self, name: str, email: str, *, ttl: int = 3600, description: str = "",
                    project_id: str | None = None) -> dict[str, Any]:
        """Create a zone (Designate finishes it asynchronously)."""
        body = {"name": check.check_zone_name(name), "email": check.check_email(email),
                "ttl": check.check_ttl(ttl), "description": description}
        return dict(self.api.json("POST", "/v2/zones", ok=(201, 202), json=body,
                                  headers=self._sudo(project_id), what="create zone %s" % name))

    def delete_zone(self, ref: str) -> dict[str, Any]:
        """Delete a zone; return it."""
        zone = self.get_zone(ref)
        self.api.request("DELETE", "/v2/zones/%s" % zone["id"], ok=(202, 204),
                         what="delete zone %s" % zone["name"])
        return zone

    # -- recordsets ---------------------------------------------------------

    def list_recordsets(self, zone_ref: str) -> list[dict[str, Any]]:
        """Recordsets of a zone."""
        zone = self.get_zone(zone_ref)
        return self._collection("/v2/zones/%s/recordsets" % zone["id"], "recordsets",
                                "list the recordsets of %s" % zone["name"])

    def create_recordset(self, zone_ref: str, name: str, rtype: str, records: Sequence[str],
                         *, ttl: int | None = None) -> dict[str, Any]:
        """Create a recordset in a zone."""
        kind, values = check.check_records(rtype, records)
        zone = self.get_zone(zone_ref)
        body: dict[str, Any] = {"name": check.check_recordset_name(name, zone["name"]),
                                "type": kind, "records": values}
        if ttl is not None:
            body["ttl"] = check.check_ttl(ttl)
        return dict(self.api.json("POST", "/v2/zones/%s/recordsets" % zone["id"], ok=(201, 202),
                                  json=body, what="create recordset %s" % name))

    def delete_recordset(self, zone_ref: str, recordset_id: str) -> None:
        """Delete a recordset."""
        zone = self.get_zone(zone_ref)
        self.api.request("DELETE", ServiceAPI.path("/v2/zones/%s/recordsets/%s", zone["id"],
                                                   recordset_id),
                         ok=(202, 204), what="delete recordset %s" % recordset_id)

    # -- usage ----------------------------------------------------------------

    def usage(self, project_id: str) -> dict[str, int]:
        """Usage counted by listing the project's zones and their recordsets."""
        zones = [z for z in self.list_zones(project_id)
                 if z.get("project_id") in (None, project_id)]
        per_zone = [self._collection("/v2/zones/%s/recordsets" % z["id"], "recordsets",
                                     "count recordsets", headers=self._sudo(project_id))
                    for z in zones]
        return {
            "zones": len(zones),
            "zone_recordsets": max((len(r) for r in per_zone), default=0),
            "zone_records": max((sum(len(x.get("records") or []) for x in r)
                                 for r in per_zone), default=0),
            "recordset_records": max((len(x.get("records") or []) for r in per_zone for x in r),
                                     default=0),
        }

