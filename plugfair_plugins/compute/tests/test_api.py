"""Compute API tests against a real cloud (skip without one)."""

from __future__ import annotations

from plugfair.api import idempotent_id
from plugfair_plugins.compute import client as compute_client
from plugfair_plugins.compute import quota
from plugfair_plugins.compute.tests import base, payloads

GONE = (compute_client.ComputeNotFound,)


class ComputeAPITest(base.ComputeAPITestCase):
    @idempotent_id("e9b6be5e-16cf-42ce-b345-36d9e033bae6")
    def test_list_servers_and_flavors(self) -> None:
        for server in self.compute.list_servers():
            self.assertTrue(server["id"])
        flavors = self.compute.list_flavors()
        for flavor in flavors:
            self.assertIsInstance(flavor["ram"], int)

    @idempotent_id("1d48e873-b5a2-411c-a7dc-6a7a311a5352")
    def test_keypair_cycle(self) -> None:
        name = base.unique_name("plugfair-test")
        created = self.compute.create_keypair(name, payloads.PUBLIC_KEY)
        self.add_resource_cleanup(self.compute.delete_keypair, name, ignore=GONE)
        self.assertEqual(name, created["name"])
        self.assertIn(name, [k["name"] for k in self.compute.list_keypairs()])
        self.compute.delete_keypair(name)
        self.assertNotIn(name, [k["name"] for k in self.compute.list_keypairs()])
        with self.assertRaises(compute_client.ComputeNotFound):
            self.compute.delete_keypair(name)

    @idempotent_id("43c3f7e9-bf6b-49db-ae9f-c86daf41c819")
    def test_server_group_cycle(self) -> None:
        group = self.compute.create_server_group(base.unique_name("plugfair-test"))
        self.add_resource_cleanup(self.compute.delete_server_group, group["id"], ignore=GONE)
        self.assertIn(group["id"], [g["id"] for g in self.compute.list_server_groups()])
        self.compute.delete_server_group(group["id"])
        self.assertNotIn(group["id"], [g["id"] for g in self.compute.list_server_groups()])

    @idempotent_id("fb21b1b0-d997-4178-94e9-997c04f26af3")
    def test_quota_usage(self) -> None:
        names = [r.name for r in quota.RESOURCES]
        usage = quota.usage(self.compute, self.project_id, names)
        self.assertEqual(sorted(names), sorted(usage))
        for value in usage.values():
            self.assertGreaterEqual(value, 0)

    @idempotent_id("af300da8-3348-41e9-be1c-f72d0e2e2319")
    def test_service_client_from_the_registry(self) -> None:
        self.assertTrue(self.service_client("compute").api.in_catalog())
