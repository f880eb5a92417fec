"""The DNS commands with every formatter, in-process on a cliff application."""

from __future__ import annotations

import json
import os

from plugfair.api import FakeHost, QuotaExceeded, TestCase

from dns_plugin import views
from dns_plugin.backends.demo import DemoBackend
from dns_plugin.errors import DnsNotFound, InvalidInput
from dns_plugin.plugin import DnsPlugin


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.path = os.path.join(self.make_temp_dir(), "zones.json")
        # The demo backend needs no other plugin's service: no stand-ins.
        host = FakeHost(DnsPlugin, config={"dns": {"state_file": self.path,
                                                   "enforce_quota": False}})
        self.run_command = self.useFixture(host).run

    def test_zone_commands_with_every_formatter(self) -> None:
        zone = json.loads(self.run_command("zone create", "example.org.", "--email",
                                           "a@example.org", "--project", "p1", "-f", "json"))
        self.assertEqual(("example.org.", "p1", 3600), (zone["name"], zone["project_id"],
                                                        zone["ttl"]))
        for fmt in ("table", "csv", "json", "value", "yaml"):
            self.assertIn("example.org.", self.run_command("zone list", "-f", fmt), fmt)
        for fmt in ("table", "shell", "json", "value", "yaml"):
            self.assertIn(zone["id"], self.run_command("zone show", "example.org", "-f", fmt))
        rows = json.loads(self.run_command("zone list", "--project", "p2", "-f", "json"))
        self.assertEqual([], rows)

        rs = json.loads(self.run_command("recordset create", "example.org.", "www.example.org.",
                                         "--type", "A", "--record", "192.0.2.1", "-f", "json"))
        self.assertEqual("192.0.2.1", rs["records"])
        self.assertIn("www.example.org.", self.run_command("recordset list", "example.org."))
        self.run_command("recordset delete", "example.org.", rs["id"])
        self.assertEqual("", self.run_command("recordset list", "example.org.", "-f", "value"))

        self.run_command("zone delete", "example.org.")
        self.assertEqual("", self.run_command("zone list", "-f", "value"))

    def test_delete_resolves_every_zone_first(self) -> None:
        self.run_command("zone create", "example.org.", "--email", "a@example.org")
        backend = DemoBackend(self.path)
        with self.assertRaises(DnsNotFound):
            views.zone_delete(backend, ["example.org.", "missing.org."])
        self.assertEqual(["example.org."], [z["name"] for z in backend.list_zones()])

    def test_bad_input(self) -> None:
        with self.assertRaises(InvalidInput):
            views.zone_create(DemoBackend(self.path), "example", email="a@example.org",
                              ttl=60, description="", project_id=None)
        self.assertFalse(os.path.exists(self.path))


class _Enforcer:
    """A plugfair.api.QuotaEnforcer that refuses when the limit is reached."""

    def __init__(self, limit: int, backend: DemoBackend) -> None:
        self.limit = limit
        self.backend = backend
        self.calls: list[tuple[str, dict[str, int]]] = []

    def check(self, project_id: str, deltas: dict[str, int]) -> None:
        self.calls.append((project_id, dict(deltas)))
        used = self.backend.usage(project_id)["zones"]
        if used + deltas["dns.zones"] > self.limit:
            raise QuotaExceeded(project_id, [])


class EnforcementTest(TestCase):
    def test_zone_create_checks_the_quota_first(self) -> None:
        path = os.path.join(self.make_temp_dir(), "zones.json")
        backend = DemoBackend(path, default_project="p1")
        enforcer = _Enforcer(1, backend)
        host = self.useFixture(FakeHost(DnsPlugin, enforcer=enforcer, config={
            "dns": {"state_file": path, "default_project": "p1"}}))
        host.run("zone create", "a.example.", "--email", "a@example.org")
        with self.assertRaises(QuotaExceeded):
            host.run("zone create", "b.example.", "--email", "a@example.org")
        self.assertEqual([("p1", {"dns.zones": 1})] * 2, enforcer.calls)
        self.assertEqual(["a.example."], [z["name"] for z in backend.list_zones()])
