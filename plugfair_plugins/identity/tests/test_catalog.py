"""Domains and roles."""

from __future__ import annotations

from plugfair.api import idempotent_id
from plugfair_plugins.identity.tests import base


class DomainRoleTest(base.IdentityTestCase):
    @idempotent_id("38a365f1-22bd-477e-9eee-bf3cfed6e698")
    def test_list_domains(self) -> None:
        domains = self.identity.list_domains()
        self.assertTrue(domains)
        for domain in domains:
            self.assertTrue(domain["id"])
            self.assertTrue(domain["name"])
        # Every Keystone has the default domain (ID "default").
        self.assertIn("default", [d["id"] for d in domains])

    @idempotent_id("18c51be6-2265-4ab5-946a-13153309d753")
    def test_list_roles(self) -> None:
        roles = self.identity.list_roles()
        self.assertTrue(roles)
        names = [r["name"] for r in roles]
        self.assertEqual(len(names), len({r["id"] for r in roles}))
        # keystone-manage bootstrap creates admin, member and reader.
        self.assertIn("admin", names)
