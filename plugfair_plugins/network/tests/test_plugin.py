"""The network plugin's declarations, usage callback and commands."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from plugfair.api import FakeCloud, FakeHost, TestCase, make_registry
from plugfair_plugins.network import client as network_client
from plugfair_plugins.network.plugin import NetworkPlugin
from plugfair_plugins.network.tests import payloads

PREFIX = "/networking"
PROJECT_ID = FakeCloud.PROJECT_ID
NEUTRON_DEFAULTS = {
    "network": 100, "subnet": 100, "port": 500, "router": 10, "floatingip": 50,
    "security_group": 10, "security_group_rule": 100,
}


class DeclarationTest(TestCase):
    def test_contract(self) -> None:
        registry = make_registry(NetworkPlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("network")
        self.assertEqual(["network"], record.services)
        self.assertEqual(["network list", "network show", "subnet list"],
                         sorted(record.commands))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_neutron(self) -> None:
        resources = self.useFixture(FakeHost(NetworkPlugin)).plugin.quota_resources()
        self.assertEqual(NEUTRON_DEFAULTS, {r.name: r.default for r in resources})
        self.assertEqual({"count"}, {r.unit for r in resources})


class UsageTest(TestCase):
    def usage_with(self, identity: Any) -> Mapping[str, int]:
        host = self.useFixture(FakeHost(NetworkPlugin, services={"identity": identity}))
        return host.plugin.quota_usage(PROJECT_ID, list(NEUTRON_DEFAULTS))

    def test_unknown_without_neutron(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": "/compute/v2.1"}))
        self.assertEqual({}, self.usage_with(cloud.identity_client(configured=False)))
        self.assertEqual({}, self.usage_with(cloud.identity_client()))

    def test_counted_by_neutron(self) -> None:
        cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID, payloads.QUOTA_DETAILS)
        self.assertEqual(5, self.usage_with(cloud.identity_client())["port"])
        cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID, payloads.FAULT, 500)
        with self.assertRaises(network_client.NetworkError):
            self.usage_with(cloud.identity_client())


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        cloud.add("GET", PREFIX + "/v2.0/networks", payloads.NETWORKS)
        cloud.add("GET", PREFIX + "/v2.0/networks/" + payloads.NETWORK_ID,
                  {"network": payloads.network()})
        cloud.add("GET", PREFIX + "/v2.0/subnets", payloads.SUBNETS)
        self.host = self.useFixture(FakeHost(NetworkPlugin,
                                             services={"identity": cloud.identity_client()}))

    def test_network_list_and_show(self) -> None:
        rows = json.loads(self.host.run("network list", "-f", "json"))
        self.assertEqual(["private", "public"], [r["Name"] for r in rows])
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("private", self.host.run("network list", "-f", fmt))
        for fmt in ("table", "shell", "json", "value", "yaml"):
            self.assertIn("1450", self.host.run("network show", payloads.NETWORK_ID, "-f", fmt))

    def test_subnet_list(self) -> None:
        out = self.host.run("subnet list", "-f", "value", "-c", "CIDR")
        self.assertEqual("10.0.0.0/24\n", out)
