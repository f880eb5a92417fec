"""The DNS plugin's declarations and usage callback."""

from __future__ import annotations

import os

from plugfair.api import FakeCloud, FakeHost, TestCase, make_registry

from dns_plugin.backends.demo import DemoBackend
from dns_plugin.plugin import DnsPlugin

DESIGNATE_DEFAULTS = {"zones": 10, "zone_recordsets": 500, "zone_records": 500,
                      "recordset_records": 20, "api_export_size": 1000}


class DeclarationTest(TestCase):
    def test_contract(self) -> None:
        registry = make_registry(DnsPlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("dns")
        self.assertEqual(["dns"], record.services)
        self.assertEqual("dns_plugin.tests", record.test_package)
        self.assertEqual(["recordset create", "recordset delete", "recordset list",
                          "zone create", "zone delete", "zone list", "zone show"],
                         sorted(record.commands))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_designate(self) -> None:
        resources = self.useFixture(FakeHost(DnsPlugin)).plugin.quota_resources()
        self.assertEqual(DESIGNATE_DEFAULTS, {r.name: r.default for r in resources})
        self.assertEqual({"count"}, {r.unit for r in resources})


class UsageTest(TestCase):
    def test_demo_usage(self) -> None:
        path = os.path.join(self.make_temp_dir(), "zones.json")
        backend = DemoBackend(path)
        zone = backend.create_zone("example.org.", "a@example.org", project_id="p1")
        backend.create_recordset(zone["id"], "www.example.org.", "A", ["192.0.2.1"])
        plugin = self.useFixture(FakeHost(DnsPlugin, config={"dns": {"state_file": path}})).plugin
        self.assertEqual({"zones": 1, "zone_recordsets": 1, "zone_records": 1,
                          "recordset_records": 1},
                         dict(plugin.quota_usage("p1", list(DESIGNATE_DEFAULTS))))
        self.assertEqual({"zones": 0}, dict(plugin.quota_usage("p2", ["zones"])))

    def test_designate_out_of_reach_is_unknown(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": "/compute"}))
        for identity in (cloud.identity_client(configured=False), cloud.identity_client()):
            host = self.useFixture(FakeHost(DnsPlugin, services={"identity": identity},
                                            config={"dns": {"backend": "designate"}}))
            self.assertEqual({}, dict(host.plugin.quota_usage("p1", ["zones"])))
        self.assertEqual([], cloud.sent())
