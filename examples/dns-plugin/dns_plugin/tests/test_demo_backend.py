"""The demo backend: a JSON file, changed atomically under a lock."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import fixtures
import testtools

from dns_plugin.backends.demo import DemoBackend, default_state_file
from dns_plugin.errors import DnsConflict, DnsError, DnsNotFound, InvalidInput


class DemoBackendTest(testtools.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.path = os.path.join(self.dir, "sub", "zones.json")
        self.backend = DemoBackend(self.path, default_project="p1")

    def content(self) -> bytes:
        with open(self.path, "rb") as f:
            return f.read()

    def test_zone_cycle(self) -> None:
        self.assertEqual([], self.backend.list_zones())
        zone = self.backend.create_zone("Example.org.", "hostmaster@example.org", ttl=300)
        self.assertEqual(("example.org.", "p1", 300, "ACTIVE"),
                         (zone["name"], zone["project_id"], zone["ttl"], zone["status"]))
        self.assertEqual(zone, self.backend.get_zone(zone["id"]))
        self.assertEqual(zone, self.backend.get_zone("example.org"))
        self.backend.create_zone("example.net.", "a@example.net", project_id="p2")
        self.assertEqual(["example.net."], [z["name"] for z in self.backend.list_zones("p2")])
        self.assertEqual(2, len(self.backend.list_zones()))
        self.assertEqual(zone["id"], self.backend.delete_zone("example.org.")["id"])
        with self.assertRaises(DnsNotFound):
            self.backend.get_zone(zone["id"])

    def test_recordset_cycle_and_usage(self) -> None:
        zone = self.backend.create_zone("example.org.", "a@example.org")
        rs = self.backend.create_recordset("example.org.", "www.example.org.", "a",
                                           ["192.0.2.1", "192.0.2.2"], ttl=60)
        self.backend.create_recordset(zone["id"], "example.org.", "TXT", ["v=spf1 -all"])
        self.assertEqual(3, self.backend.get_zone(zone["id"])["serial"])
        self.assertEqual({"zones": 1, "zone_recordsets": 2, "zone_records": 3,
                          "recordset_records": 2}, self.backend.usage("p1"))
        self.assertEqual({"zones": 0, "zone_recordsets": 0, "zone_records": 0,
                          "recordset_records": 0}, self.backend.usage("nobody"))
        with self.assertRaises(DnsConflict):
            self.backend.create_recordset(zone["id"], "www.example.org.", "A", ["192.0.2.3"])
        self.backend.delete_recordset(zone["id"], rs["id"])
        self.assertEqual(["TXT"], [r["type"] for r in self.backend.list_recordsets(zone["id"])])
        with self.assertRaises(DnsNotFound):
            self.backend.delete_recordset(zone["id"], rs["id"])

    def test_duplicate_zone_writes_nothing(self) -> None:
        self.backend.create_zone("example.org.", "a@example.org")
        before = self.content()
        with self.assertRaises(DnsConflict):
            self.backend.create_zone("EXAMPLE.org.", "b@example.org")
        self.assertEqual(before, self.content())

    def test_bad_input_writes_nothing(self) -> None:
        self.backend.create_zone("example.org.", "a@example.org")
        before = self.content()
        bad_calls = [
            lambda: self.backend.create_zone("example.com", "a@example.com"),
            lambda: self.backend.create_zone("example.com.", "nobody"),
            lambda: self.backend.create_zone("example.com.", "a@example.com", ttl=0),
            lambda: self.backend.create_recordset("example.org.", "www.example.net.", "A",
                                                  ["192.0.2.1"]),
            lambda: self.backend.create_recordset("example.org.", "www.example.org.", "A",
                                                  ["2001:db8::1"]),
            lambda: self.backend.create_recordset("example.org.", "www.example.org.", "A", []),
        ]
        for call in bad_calls:
            with self.assertRaises(InvalidInput):
                call()
        with self.assertRaises(DnsNotFound):
            self.backend.delete_zone("missing.org.")
        self.assertEqual(before, self.content())

    def test_corrupt_file_is_reported_and_kept(self) -> None:
        os.makedirs(os.path.dirname(self.path))
        with open(self.path, "w", encoding="utf-8") as f:
            f.write("{not json")
        with self.assertRaises(DnsError) as ctx:
            self.backend.create_zone("example.org.", "a@example.org")
        self.assertIn("cannot be read", str(ctx.exception))
        self.assertEqual(b"{not json", self.content())
        with open(self.path, "w", encoding="utf-8") as f:
            json.dump({"format": 99, "zones": []}, f)
        with self.assertRaises(DnsError) as ctx:
            self.backend.list_zones()
        self.assertIn("not a zone file", str(ctx.exception))

    def test_concurrent_writers_lose_nothing(self) -> None:
        script = textwrap.dedent("""
            import sys
            from dns_plugin.backends.demo import DemoBackend
            backend = DemoBackend(sys.argv[1])
            for i in range(15):
                backend.create_zone("z%s-%d.example." % (sys.argv[2], i), "a@example.org")
        """)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
        procs = [subprocess.Popen([sys.executable, "-c", script, self.path, tag], env=env)
                 for tag in ("a", "b", "c")]
        for proc in procs:
            self.assertEqual(0, proc.wait(timeout=120))
        self.assertEqual(45, len(self.backend.list_zones()))

    def test_default_state_file(self) -> None:
        self.useFixture(fixtures.EnvironmentVariable("XDG_DATA_HOME", "/data"))
        self.assertEqual("/data/plugfair-dns/zones.json", default_state_file())
