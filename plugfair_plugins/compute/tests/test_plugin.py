"""The compute plugin's declarations, usage callback and commands."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from plugfair.api import FakeCloud, FakeHost, TestCase, make_registry
from plugfair_plugins.compute import client as compute_client
from plugfair_plugins.compute.plugin import ComputePlugin
from plugfair_plugins.compute.tests import payloads

PREFIX = "/compute/v2.1"
PROJECT_ID = FakeCloud.PROJECT_ID
NOVA_DEFAULTS = {
    "instances": (10, "count"), "cores": (20, "count"), "ram": (51200, "MiB"),
    "key_pairs": (100, "count"), "server_groups": (10, "count"),
    "server_group_members": (10, "count"), "metadata_items": (128, "count"),
}


class DeclarationTest(TestCase):
    def test_contract(self) -> None:
        registry = make_registry(ComputePlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("compute")
        self.assertEqual(["compute"], record.services)
        self.assertEqual(["flavor list", "server list", "server show"], sorted(record.commands))
        self.assertEqual(["compute"], sorted(record.config_groups))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_nova(self) -> None:
        resources = self.useFixture(FakeHost(ComputePlugin)).plugin.quota_resources()
        self.assertEqual(NOVA_DEFAULTS, {r.name: (r.default, r.unit) for r in resources})
        for resource in resources:
            self.assertTrue(resource.description)


class UsageTest(TestCase):
    def usage_with(self, identity: Any, **options: Any) -> Mapping[str, int]:
        host = self.useFixture(FakeHost(ComputePlugin, services={"identity": identity},
                                        config={"compute": options}))
        return host.plugin.quota_usage(PROJECT_ID, list(NOVA_DEFAULTS))

    def test_unknown_without_nova(self) -> None:
        cloud = self.useFixture(FakeCloud({"identity": "/identity/v3"}))
        self.assertEqual({}, self.usage_with(cloud.identity_client(configured=False)))
        self.assertEqual({}, self.usage_with(cloud.identity_client()))
        self.assertIn("no 'compute' endpoint", self.logs.output if self.logs else "")

    def test_counted_by_nova_where_compute_options_say(self) -> None:
        cloud = self.useFixture(FakeCloud({"identity": "/identity/v3"}))
        cloud.add("GET", "/nova/os-quota-sets/%s/detail" % PROJECT_ID, payloads.QUOTA_DETAIL)
        usage = self.usage_with(cloud.identity_client(), endpoint_override=cloud.base + "/nova")
        self.assertEqual({"instances": 2, "cores": 3, "ram": 2560, "key_pairs": 1,
                          "server_groups": 1, "server_group_members": 0,
                          "metadata_items": 0}, usage)

    def test_api_error_is_raised(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/%s/detail" % PROJECT_ID,
                  payloads.FAULT, status=500)
        with self.assertRaises(compute_client.ComputeError):
            self.usage_with(cloud.identity_client())


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        cloud.add("GET", PREFIX + "/servers/detail", payloads.SERVERS_DETAIL)
        cloud.add("GET", PREFIX + "/servers/" + payloads.SERVER_ID, {"server": payloads.server()})
        cloud.add("GET", PREFIX + "/flavors/detail", payloads.FLAVORS_DETAIL)
        self.host = self.useFixture(FakeHost(ComputePlugin,
                                             services={"identity": cloud.identity_client()}))

    def test_server_list(self) -> None:
        rows = json.loads(self.host.run("server list", "-f", "json"))
        self.assertEqual(["db-1", "web-1"], [r["Name"] for r in rows])
        self.assertEqual(["Flavor", "ID", "Image", "Name", "Networks", "Status"], sorted(rows[0]))
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("web-1", self.host.run("server list", "-f", fmt))

    def test_server_show(self) -> None:
        shown = json.loads(self.host.run("server show", payloads.SERVER_ID, "-f", "json"))
        self.assertEqual("ACTIVE", shown["status"])
        for fmt in ("table", "shell", "value", "yaml"):
            self.assertIn("web-1", self.host.run("server show", payloads.SERVER_ID, "-f", fmt))

    def test_flavor_list(self) -> None:
        out = self.host.run("flavor list", "-f", "value", "-c", "Name")
        self.assertEqual("m1.tiny\nm1.small\n", out)
