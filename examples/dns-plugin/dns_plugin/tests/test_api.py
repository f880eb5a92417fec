"""Zone and recordset cycles through the registry's ``dns`` service client.

They run against whichever backend ``[dns]`` configures: the demo backend
(on a temporary state file) or Designate, when it can be reached (a cloud
whose service catalog has it); otherwise they skip, saying why.
"""

from __future__ import annotations

import os
import uuid
from typing import Any

from plugfair.api import TestCase, idempotent_id

from dns_plugin.errors import DnsNotFound


class ZoneAPITest(TestCase):
    required_services = ("dns",)

    def setUp(self) -> None:
        super().setUp()
        self.registry.load("dns")  # registers [dns] on the host configuration
        if self.conf.dns.backend == "demo":
            self.override_config("dns", state_file=os.path.join(self.make_temp_dir(), "z.json"))
        self.dns: Any = self.service_client("dns")
        api = getattr(self.dns, "api", None)  # the designate backend's
        reason = api.unavailable() if api is not None else None
        if reason:
            self.skipTest(reason)
        self.zone_name = "plugfair-%s.example." % uuid.uuid4().hex[:12]

    @idempotent_id("a1ac9840-d448-4c05-84e6-34342dc46093")
    def test_zone_cycle(self) -> None:
        zone = self.dns.create_zone(self.zone_name, "hostmaster@example.org", ttl=600)
        self.add_resource_cleanup(self.dns.delete_zone, zone["id"], ignore=(DnsNotFound,))
        self.assertEqual(self.zone_name, zone["name"])
        self.assertIn(zone["id"], [z["id"] for z in self.dns.list_zones()])
        self.assertEqual(zone["id"], self.dns.get_zone(self.zone_name)["id"])
        self.dns.delete_zone(zone["id"])
        if self.conf.dns.backend == "demo":  # Designate deletes asynchronously
            with self.assertRaises(DnsNotFound):
                self.dns.get_zone(zone["id"])

    @idempotent_id("af02c563-f736-4c77-885c-adf6cd1a1316")
    def test_recordset_cycle(self) -> None:
        zone = self.track_resource(
            self.dns.create_zone(self.zone_name, "hostmaster@example.org"),
            lambda z: self.dns.delete_zone(z["id"]), ignore=(DnsNotFound,))
        name = "www." + self.zone_name
        recordset = self.dns.create_recordset(zone["id"], name, "A", ["192.0.2.10"])
        self.assertEqual((name, "A"), (recordset["name"], recordset["type"]))
        self.assertIn(recordset["id"], [r["id"] for r in self.dns.list_recordsets(zone["id"])])
        self.dns.delete_recordset(zone["id"], recordset["id"])
