"""The demo backend: zones and recordsets in a local JSON file.

Every change validates its input first, then reads, changes and rewrites
the file under an exclusive lock (``<file>.lock``).  The new content goes
to a temporary file that replaces the old one, so a crash or a bad request
never leaves a partly written file, and concurrent writers never lose an
update.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from dns_plugin import zones as check
from dns_plugin.errors import DnsConflict, DnsError, DnsNotFound

__all__ = ["DemoBackend", "default_state_file"]

_FORMAT = 1


def default_state_file() -> str:
    """``$XDG_DATA_HOME/plugfair-dns/zones.json`` (``~/.local/share`` by default)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(
        os.path.expanduser("~"), ".local", "share"
    )
    return os.path.join(base, "plugfair-dns", "zones.json")


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


class DemoBackend:
    """Zones in a JSON file, shaped like Designate's zones and recordsets.

    :param path: the state file; created on the first write.
    :param default_project: project of zones created without one.
    """

    def __init__(self, path: str, *, default_project: str = "demo") -> None:
        self.path = path
        self.default_project = default_project

    # -- storage ------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return {"format": _FORMAT, "zones": []}
        except (OSError, ValueError) as exc:
            raise DnsError(
                "The DNS state file %s cannot be read (%s). Fix or remove it; "
                "nothing was changed." % (self.path, exc)
            ) from exc
        if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(
            data.get("zones"), list
        ):
            raise DnsError(
                "The DNS state file %s is not a zone file of format %d. Fix or "
                "remove it; nothing was changed." % (self.path, _FORMAT)
            )
        return data

    @contextlib.contextmanager
    def _changing(self) -> Iterator[dict[str, Any]]:
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, exist_ok=True)
        with open(self.path + ".lock", "a", encoding="utf-8") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = self._read()
            yield data
            fd, tmp = tempfile.mkstemp(prefix=".zones-", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(data, f, indent=1, sort_keys=True)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    @staticmethod
    def _find(data: dict[str, Any], ref: str) -> dict[str, Any]:
        name = ref.lower() if ref.endswith(".") else ref.lower() + "."
        for zone in data["zones"]:
            if zone["id"] == ref or zone["name"] == name:
                return zone  # type: ignore[no-any-return]
        raise DnsNotFound("No zone has the ID or name %r. Run 'plugfair zone list'." % ref,
                          status_code=404)

    @staticmethod
    def _public(zone: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in zone.items() if k != "recordsets"}

    # -- zones ----------------------------------------------------------------

    def list_zones(self, project_id: str | None = None) -> list[dict[str, Any]]:
        """Zones, of one project or of all."""
        zones = self._read()["zones"]
        return [self._public(z) for z in zones if project_id in (None, z["project_id"])]

    def get_zone(self, ref: str) -> dict[str, Any]:
        """A zone by ID or name (the final dot may be left out).

        :raises DnsNotFound: if there is none.
        """
        return self._public(self._find(self._read(), ref))

    def create_zone(self, name: str, email: str, *, ttl: int = 3600, description: str = "",
                    project_id: str | None = None) -> dict[str, Any]:
        """Create a zone.

        :raises InvalidInput: for a bad name, e-mail or TTL (nothing written).
        :raises DnsConflict: if a zone of that name exists.
        """
        zone_name = check.check_zone_name(name)
        email = check.check_email(email)
        ttl = check.check_ttl(ttl)
        project = project_id or self.default_project
        with self._changing() as data:
            if any(z["name"] == zone_name for z in data["zones"]):
                raise DnsConflict("Zone %r already exists." % zone_name, status_code=409)
            now = _now()
            zone = {
                "id": str(uuid.uuid4()), "name": zone_name, "email": email, "ttl": ttl,
                "description": description, "project_id": project, "type": "PRIMARY",
                "status": "ACTIVE", "action": "NONE", "serial": 1, "version": 1,
                "created_at": now, "updated_at": None, "recordsets": [],
            }
            data["zones"].append(zone)
        return self._public(zone)

    def delete_zone(self, ref: str) -> dict[str, Any]:
        """Delete a zone and its recordsets; return what was deleted.

        :raises DnsNotFound: if there is no such zone (nothing written).
        """
        with self._changing() as data:
            zone = self._find(data, ref)
            data["zones"].remove(zone)
        return self._public(zone)

    # -- recordsets ---------------------------------------------------------

    def list_recordsets(self, zone_ref: str) -> list[dict[str, Any]]:
        """Recordsets of a zone."""
        return list(self._find(self._read(), zone_ref)["recordsets"])

    def create_recordset(self, zone_ref: str, name: str, rtype: str, records: Sequence[str],
                         *, ttl: int | None = None) -> dict[str, Any]:
        """Create a recordset in a zone.

        :raises InvalidInput: for a bad name, type, records or TTL.
        :raises DnsConflict: if the zone has a recordset of that name and type.
        """
        kind, values = check.check_records(rtype, records)
        if ttl is not None:
            check.check_ttl(ttl)
        with self._changing() as data:
            zone = self._find(data, zone_ref)
            rs_name = check.check_recordset_name(name, zone["name"])
            if any(r["name"] == rs_name and r["type"] == kind for r in zone["recordsets"]):
                raise DnsConflict("Recordset %s %s already exists in zone %s."
                                  % (rs_name, kind, zone["name"]), status_code=409)
            recordset = {
                "id": str(uuid.uuid4()), "zone_id": zone["id"], "zone_name": zone["name"],
                "project_id": zone["project_id"], "name": rs_name, "type": kind,
                "records": values, "ttl": ttl, "status": "ACTIVE", "action": "NONE",
                "created_at": _now(), "updated_at": None, "version": 1,
            }
            zone["recordsets"].append(recordset)
            zone["serial"] += 1
        return recordset

    def delete_recordset(self, zone_ref: str, recordset_id: str) -> None:
        """Delete a recordset.

        :raises DnsNotFound: if the zone or the recordset does not exist.
        """
        with self._changing() as data:
            zone = self._find(data, zone_ref)
            for recordset in zone["recordsets"]:
                if recordset["id"] == recordset_id:
                    zone["recordsets"].remove(recordset)
                    zone["serial"] += 1
                    return
            raise DnsNotFound("Zone %s has no recordset %r." % (zone["name"], recordset_id),
                              status_code=404)

    # -- usage ----------------------------------------------------------------

    def usage(self, project_id: str) -> dict[str, int]:
        """What the project uses, for each quota resource that is a count.

        Per-zone and per-recordset limits apply to each zone (recordset)
        on its own, so their usage is the largest zone's (recordset's).
        """
        zones = [z for z in self._read()["zones"] if z["project_id"] == project_id]
        recordsets = [r for z in zones for r in z["recordsets"]]
        return {
            "zones": len(zones),
            "zone_recordsets": max((len(z["recordsets"]) for z in zones), default=0),
            "zone_records": max(
                (sum(len(r["records"]) for r in z["recordsets"]) for z in zones), default=0
            ),
            "recordset_records": max((len(r["records"]) for r in recordsets), default=0),
        }
