"""The designate backend against recorded Designate answers on 127.0.0.1."""

from __future__ import annotations

from plugfair.api import FakeCloud, FakeHost, TestCase

from dns_plugin import quota
from dns_plugin.errors import DnsConflict, DnsError, DnsNotFound, InvalidInput
from dns_plugin.plugin import DnsPlugin
from dns_plugin.tests import payloads

PREFIX = "/dns"
ZONES = PREFIX + "/v2/zones"
RECORDSETS = ZONES + "/" + payloads.ZONE_ID + "/recordsets"
PROJECT_ID, TOKEN = FakeCloud.PROJECT_ID, FakeCloud.TOKEN


class RecordedDesignateTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"dns": PREFIX}))
        host = self.useFixture(FakeHost(DnsPlugin, config={"dns": {"backend": "designate"}},
                                        services={"identity": self.cloud.identity_client()}))
        self.backend = host.service_client("dns")

    def test_list_zones_follows_next_links(self) -> None:
        nxt = self.cloud.base + ZONES + "?marker=" + payloads.ZONE_ID
        self.cloud.add("GET", ZONES, payloads.page("zones", [payloads.zone()], nxt), query="")
        self.cloud.add("GET", ZONES, payloads.page("zones", [payloads.zone("z2", "example.net.")]),
                       query="marker=" + payloads.ZONE_ID)
        zones = self.backend.list_zones()
        self.assertEqual(["example.org.", "example.net."], [z["name"] for z in zones])
        self.assertEqual(TOKEN, self.cloud.sent("GET")[0].headers["X-Auth-Token"])
        self.assertNotIn("X-Auth-Sudo-Project-Id", self.cloud.sent("GET")[0].headers)

    def test_other_project_uses_sudo(self) -> None:
        self.cloud.add("GET", ZONES, payloads.page("zones", []))
        self.backend.list_zones("other-project")
        self.assertEqual("other-project",
                         self.cloud.sent("GET")[0].headers["X-Auth-Sudo-Project-Id"])
        self.backend.list_zones(PROJECT_ID)  # the token's own project: no sudo
        self.assertNotIn("X-Auth-Sudo-Project-Id", self.cloud.sent("GET")[1].headers)

    def test_get_zone_by_name_and_by_id(self) -> None:
        self.cloud.add("GET", ZONES, payloads.page("zones", [payloads.zone()]),
                       query="name=example.org.")
        self.cloud.add("GET", ZONES, payloads.page("zones", []), query="name=%s." % payloads.ZONE_ID)
        self.cloud.add("GET", ZONES + "/" + payloads.ZONE_ID, payloads.zone())
        self.assertEqual(payloads.ZONE_ID, self.backend.get_zone("example.org")["id"])
        self.assertEqual("example.org.", self.backend.get_zone(payloads.ZONE_ID)["name"])

    def test_unknown_zone(self) -> None:
        self.cloud.add("GET", ZONES, payloads.page("zones", []))
        self.cloud.add("GET", ZONES + "/nope", payloads.ZONE_NOT_FOUND, 404)
        with self.assertRaises(DnsNotFound) as ctx:
            self.backend.get_zone("nope")
        self.assertIn("zone list", str(ctx.exception))

    def test_create_and_delete_zone(self) -> None:
        self.cloud.add("POST", ZONES, payloads.zone(status="PENDING", action="CREATE"), 202)
        created = self.backend.create_zone("Example.org.", "hostmaster@example.org", ttl=600)
        self.assertEqual("PENDING", created["status"])
        self.assertEqual({"name": "example.org.", "email": "hostmaster@example.org", "ttl": 600,
                          "description": ""}, self.cloud.sent("POST")[0].body)
        self.cloud.add("GET", ZONES, payloads.page("zones", [payloads.zone()]))
        self.cloud.add("DELETE", ZONES + "/" + payloads.ZONE_ID,
                       payloads.zone(status="PENDING", action="DELETE"), 202)
        self.assertEqual(payloads.ZONE_ID, self.backend.delete_zone("example.org.")["id"])

    def test_duplicate_zone(self) -> None:
        self.cloud.add("POST", ZONES, payloads.DUPLICATE_ZONE, 409)
        with self.assertRaises(DnsConflict) as ctx:
            self.backend.create_zone("example.org.", "hostmaster@example.org")
        self.assertIn("Duplicate Zone", str(ctx.exception))

    def test_bad_input_is_not_sent(self) -> None:
        with self.assertRaises(InvalidInput):
            self.backend.create_zone("example.org", "hostmaster@example.org")
        self.assertEqual([], self.cloud.sent())

    def test_recordsets_and_usage(self) -> None:
        self.cloud.add("GET", ZONES, payloads.page("zones", [payloads.zone()]))
        self.cloud.add("GET", RECORDSETS, payloads.page("recordsets", [
            payloads.recordset(["192.0.2.1", "192.0.2.2", "192.0.2.3"]),
            payloads.recordset(["ns1.example.org."], "r2", "example.org.", "NS"),
        ]))
        self.cloud.add("POST", RECORDSETS, payloads.recordset(["192.0.2.9"]), 202)
        self.cloud.add("DELETE", RECORDSETS + "/" + payloads.RECORDSET_ID, None, 202)
        self.assertEqual(2, len(self.backend.list_recordsets("example.org.")))
        self.backend.create_recordset("example.org.", "www.example.org.", "A", ["192.0.2.9"],
                                      ttl=60)
        self.assertEqual({"name": "www.example.org.", "type": "A", "records": ["192.0.2.9"],
                          "ttl": 60}, self.cloud.sent("POST")[0].body)
        self.backend.delete_recordset("example.org.", payloads.RECORDSET_ID)
        names = [r.name for r in quota.RESOURCES]
        self.assertEqual({"zones": 1, "zone_recordsets": 2, "zone_records": 4,
                          "recordset_records": 3},
                         dict(quota.usage(self.backend, PROJECT_ID, names)))

    def test_server_error(self) -> None:
        self.cloud.add("GET", ZONES, {"code": 500, "type": "internal", "message": "boom"}, 500)
        with self.assertRaises(DnsError) as ctx:
            self.backend.list_zones()
        self.assertEqual(500, getattr(ctx.exception, "status_code", None))
        self.assertIn("HTTP 500 (boom)", str(ctx.exception))
