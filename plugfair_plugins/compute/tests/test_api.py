"""Compute API tests against a real cloud (skip without one)."""

from __future__ import annotations

from plugfair.api import ServiceTestCase, idempotent_id
from plugfair_plugins.compute import client as compute_client
from plugfair_plugins.compute import quota
from plugfair_plugins.compute.tests import payloads

GONE = (compute_client.ComputeNotFound,)


class ComputeAPITest(ServiceTestCase):
    service = "compute"

    @idempotent_id("e9b6be5e-16cf-42ce-b345-36d9e033bae6")
    def test_list_servers_and_flavors(self) -> None:
        for server in self.client.list_servers():
            self.assertTrue(server["id"])
        flavors = self.client.list_flavors()
        for flavor in flavors:
            self.assertIsInstance(flavor["ram"], int)

    @idempotent_id("1d48e873-b5a2-411c-a7dc-6a7a311a5352")
    def test_keypair_cycle(self) -> None:
        name = self.unique_name()
        created = self.client.create_keypair(name, payloads.PUBLIC_KEY)
        self.add_resource_cleanup(self.client.delete_keypair, name, ignore=GONE)
        self.assertEqual(name, created["name"])
        self.assertIn(name, [k["name"] for k in self.client.list_keypairs()])
        self.client.delete_keypair(name)
        self.assertNotIn(name, [k["name"] for k in self.client.list_keypairs()])
        with self.assertRaises(compute_client.ComputeNotFound):
            self.client.delete_keypair(name)

    @idempotent_id("43c3f7e9-bf6b-49db-ae9f-c86daf41c819")
    def test_server_group_cycle(self) -> None:
        group = self.client.create_server_group(self.unique_name())
        self.add_resource_cleanup(self.client.delete_server_group, group["id"], ignore=GONE)
        self.assertIn(group["id"], [g["id"] for g in self.client.list_server_groups()])
        self.client.delete_server_group(group["id"])
        self.assertNotIn(group["id"], [g["id"] for g in self.client.list_server_groups()])

    @idempotent_id("fb21b1b0-d997-4178-94e9-997c04f26af3")
    def test_quota_usage(self) -> None:
        names = [r.name for r in quota.RESOURCES]
        usage = quota.usage(self.client, self.client.api.adapter.get_project_id(), names)
        self.assertEqual(sorted(names), sorted(usage))
        for value in usage.values():
            self.assertGreaterEqual(value, 0)
