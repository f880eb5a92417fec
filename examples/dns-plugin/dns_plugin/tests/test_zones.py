"""Validation of names, e-mails, TTLs and records."""

from __future__ import annotations

import testtools
from plugfair.api import UsageError

from dns_plugin import zones
from dns_plugin.errors import InvalidInput


class ValidationTest(testtools.TestCase):
    def test_zone_names(self) -> None:
        self.assertEqual("example.org.", zones.check_zone_name("Example.ORG."))
        self.assertEqual("a-b.c_d.example.", zones.check_zone_name("a-b.c_d.example."))
        for bad in ("example.org", "org.", ".", "", "-bad.org.", "bad-.org.",
                    "a..org.", "x" * 64 + ".org.", ("a." * 130) + "org.", None, 42):
            with self.assertRaises(InvalidInput, msg=repr(bad)):
                zones.check_zone_name(bad)

    def test_invalid_input_is_a_usage_error(self) -> None:
        self.assertTrue(issubclass(InvalidInput, UsageError))

    def test_recordset_name_must_be_in_the_zone(self) -> None:
        self.assertEqual("www.example.org.",
                         zones.check_recordset_name("www.example.org.", "example.org."))
        self.assertEqual("example.org.", zones.check_recordset_name("example.org.", "example.org."))
        for bad in ("www.example.net.", "wwwexample.org.", "www.example.org"):
            with self.assertRaises(InvalidInput):
                zones.check_recordset_name(bad, "example.org.")

    def test_email(self) -> None:
        self.assertEqual("hostmaster@example.org", zones.check_email("hostmaster@example.org"))
        for bad in ("hostmaster", "a@b", "a b@example.org", "", None):
            with self.assertRaises(InvalidInput):
                zones.check_email(bad)

    def test_ttl(self) -> None:
        self.assertEqual(1, zones.check_ttl(1))
        self.assertEqual(2**31 - 1, zones.check_ttl(2**31 - 1))
        for bad in (0, -1, 2**31, True, "60", 1.5):
            with self.assertRaises(InvalidInput):
                zones.check_ttl(bad)

    def test_records(self) -> None:
        self.assertEqual(("A", ["192.0.2.1"]), zones.check_records("a", ["192.0.2.1"]))
        self.assertEqual(("AAAA", ["2001:db8::1"]), zones.check_records("AAAA", ["2001:db8::1"]))
        self.assertEqual(("TXT", ["hello"]), zones.check_records("TXT", [" hello "]))
        for rtype, records in (("A", ["2001:db8::1"]), ("AAAA", ["192.0.2.1"]),
                               ("A", ["not-an-ip"]), ("A", []), ("TXT", [""]),
                               ("BOGUS", ["x"])):
            with self.assertRaises(InvalidInput, msg="%s %r" % (rtype, records)):
                zones.check_records(rtype, records)
