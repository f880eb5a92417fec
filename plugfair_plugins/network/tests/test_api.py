"""Networking API tests against a real cloud (skip without one)."""

from __future__ import annotations

from plugfair.api import ServiceTestCase, idempotent_id
from plugfair_plugins.network import client as network_client
from plugfair_plugins.network import quota

GONE = (network_client.NetworkNotFound,)


class NetworkAPITest(ServiceTestCase):
    service = "network"

    @idempotent_id("7e555ca0-3307-42ea-8877-b08f8accce8b")
    def test_list(self) -> None:
        for net in self.client.list_networks():
            self.assertTrue(net["id"])
        self.assertIsInstance(self.client.list_subnets(), list)

    @idempotent_id("843c838f-8c23-4834-a036-c3bc840e9f54")
    def test_network_and_subnet_cycle(self) -> None:
        net = self.client.create_network(self.unique_name())
        self.add_resource_cleanup(self.client.delete_network, net["id"], ignore=GONE)
        subnet = self.client.create_subnet(net["id"], "192.0.2.0/24", name=net["name"])
        self.add_resource_cleanup(self.client.delete_subnet, subnet["id"], ignore=GONE)
        self.assertEqual(net["id"], self.client.get_network(net["name"])["id"])
        self.assertEqual([subnet["id"]],
                         [s["id"] for s in self.client.list_subnets(network_id=net["id"])])
        self.client.delete_subnet(subnet["id"])
        self.client.delete_network(net["id"])
        with self.assertRaises(network_client.NetworkNotFound):
            self.client.get_network(net["id"])

    @idempotent_id("c0f5b5e7-b400-42dc-b562-337b7e566e96")
    def test_security_group_cycle(self) -> None:
        group = self.client.create_security_group(self.unique_name())
        self.add_resource_cleanup(self.client.delete_security_group, group["id"], ignore=GONE)
        self.assertIn(group["id"], [g["id"] for g in self.client.list_security_groups()])
        self.client.delete_security_group(group["id"])
        self.assertNotIn(group["id"], [g["id"] for g in self.client.list_security_groups()])

    @idempotent_id("458b13e3-944d-48d6-8e63-e7d473a56133")
    def test_quota_usage(self) -> None:
        names = [r.name for r in quota.RESOURCES]
        usage = quota.usage(self.client, self.client.api.adapter.get_project_id(), names)
        self.assertEqual(sorted(names), sorted(usage))
