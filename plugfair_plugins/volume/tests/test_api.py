"""Block storage API tests against a real cloud (skip without one)."""

from __future__ import annotations

from plugfair.api import idempotent_id
from plugfair_plugins.volume import client as volume_client
from plugfair_plugins.volume import quota
from plugfair_plugins.volume.tests import base


class VolumeAPITest(base.VolumeAPITestCase):
    @idempotent_id("c9691de0-d8f3-4077-9c39-cda07a355005")
    def test_list(self) -> None:
        for volume in self.volume.list_volumes():
            self.assertTrue(volume["id"])
        self.assertIsInstance(self.volume.list_snapshots(), list)

    @idempotent_id("cb501c70-8451-4b4a-a1be-b80eaafcc7ea")
    def test_volume_cycle(self) -> None:
        name = base.unique_name("plugfair-test")
        created = self.volume.create_volume(1, name=name)

        def cleanup() -> None:
            try:
                self.volume.wait_for_status(created["id"], "available", timeout=120)
                self.volume.delete_volume(created["id"])
                self.volume.wait_for_deletion(created["id"], timeout=120)
            except volume_client.VolumeNotFound:
                pass

        self.addCleanup(cleanup)
        volume = self.volume.wait_for_status(created["id"], "available")
        self.assertEqual((name, 1), (volume["name"], volume["size"]))
        self.assertEqual(created["id"], self.volume.get_volume(name)["id"])
        self.volume.delete_volume(created["id"])
        self.volume.wait_for_deletion(created["id"])
        with self.assertRaises(volume_client.VolumeNotFound):
            self.volume.get_volume(created["id"])

    @idempotent_id("fa44bf43-3908-471f-8f55-2c16b0b9245a")
    def test_quota_usage(self) -> None:
        usage = quota.usage(self.volume, self.project_id, [r.name for r in quota.RESOURCES])
        self.assertEqual(sorted(quota.COUNTED), sorted(usage))

    @idempotent_id("2ce041f5-2cf4-4c32-bd4b-ecf705f5dbe2")
    def test_service_client_from_the_registry(self) -> None:
        self.assertTrue(self.service_client("volume").api.in_catalog())
