"""The volume plugin's declarations, usage callback and commands."""

from __future__ import annotations

import json
from collections.abc import Mapping

from plugfair.api import FakeCloud, FakeHost, TestCase, make_registry
from plugfair_plugins.volume import client as volume_client
from plugfair_plugins.volume.plugin import VolumePlugin
from plugfair_plugins.volume.tests import payloads

PROJECT_ID = FakeCloud.PROJECT_ID
PREFIX = "/volume/v3/" + PROJECT_ID
CINDER_DEFAULTS = {
    "volumes": (10, "count"), "gigabytes": (1000, "GiB"), "snapshots": (10, "count"),
    "backups": (10, "count"), "backup_gigabytes": (1000, "GiB"),
    "per_volume_gigabytes": (-1, "GiB"),
}


class DeclarationTest(TestCase):
    def test_contract(self) -> None:
        registry = make_registry(VolumePlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("volume")
        self.assertEqual(["volume"], record.services)
        self.assertEqual(["snapshot list", "volume list", "volume show"],
                         sorted(record.commands))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_cinder(self) -> None:
        resources = self.useFixture(FakeHost(VolumePlugin)).plugin.quota_resources()
        self.assertEqual(CINDER_DEFAULTS, {r.name: (r.default, r.unit) for r in resources})


class UsageTest(TestCase):
    def usage_with(self, cloud: FakeCloud) -> Mapping[str, int]:
        host = self.useFixture(FakeHost(VolumePlugin,
                                        services={"identity": cloud.identity_client()}))
        return host.plugin.quota_usage(PROJECT_ID, list(CINDER_DEFAULTS))

    def test_unknown_without_cinder(self) -> None:
        self.assertEqual({}, self.usage_with(self.useFixture(FakeCloud({"compute": "/c"}))))

    def test_counted_by_cinder_under_either_service_type(self) -> None:
        for service_type in ("volumev3", "block-storage"):
            cloud = self.useFixture(FakeCloud({service_type: PREFIX}))
            cloud.add("GET", PREFIX + "/os-quota-sets/" + PROJECT_ID, payloads.QUOTA_USAGE)
            usage = self.usage_with(cloud)
            self.assertEqual(21, usage["gigabytes"])
            self.assertNotIn("per_volume_gigabytes", usage)

    def test_api_error_is_raised(self) -> None:
        cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/" + PROJECT_ID, payloads.FAULT, 500)
        with self.assertRaises(volume_client.VolumeError):
            self.usage_with(cloud)


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        cloud.add("GET", PREFIX + "/volumes/detail", payloads.VOLUMES_DETAIL)
        cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID, {"volume": payloads.volume()})
        cloud.add("GET", PREFIX + "/snapshots/detail", payloads.SNAPSHOTS_DETAIL)
        self.host = self.useFixture(FakeHost(VolumePlugin,
                                             services={"identity": cloud.identity_client()}))

    def test_volume_list_and_show(self) -> None:
        rows = json.loads(self.host.run("volume list", "-f", "json"))
        self.assertEqual(["data", "scratch"], [r["Name"] for r in rows])
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("scratch", self.host.run("volume list", "-f", fmt))
        for fmt in ("table", "shell", "json", "value", "yaml"):
            self.assertIn("lvmdriver-1", self.host.run("volume show", payloads.VOLUME_ID, "-f", fmt))

    def test_snapshot_list(self) -> None:
        self.assertEqual("data-nightly\n",
                         self.host.run("snapshot list", "-f", "value", "-c", "Name"))
