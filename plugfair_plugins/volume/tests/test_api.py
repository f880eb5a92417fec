"""Block storage API tests against a real cloud (skip without one)."""

from __future__ import annotations

from plugfair.api import ServiceTestCase, idempotent_id
from plugfair_plugins.volume import client as volume_client
from plugfair_plugins.volume import quota


class VolumeAPITest(ServiceTestCase):
    service = "volume"

    @idempotent_id("c9691de0-d8f3-4077-9c39-cda07a355005")
    def test_list(self) -> None:
        for volume in self.client.list_volumes():
            self.assertTrue(volume["id"])
        self.assertIsInstance(self.client.list_snapshots(), list)

    @idempotent_id("cb501c70-8451-4b4a-a1be-b80eaafcc7ea")
    def test_volume_cycle(self) -> None:
        name = self.unique_name()
        created = self.client.create_volume(1, name=name)

        def cleanup() -> None:
            try:
                self.client.wait_for_status(created["id"], "available", timeout=120)
                self.client.delete_volume(created["id"])
                self.client.wait_for_deletion(created["id"], timeout=120)
            except volume_client.VolumeNotFound:
                pass

        self.addCleanup(cleanup)
        volume = self.client.wait_for_status(created["id"], "available")
        self.assertEqual((name, 1), (volume["name"], volume["size"]))
        self.assertEqual(created["id"], self.client.get_volume(name)["id"])
        self.client.delete_volume(created["id"])
        self.client.wait_for_deletion(created["id"])
        with self.assertRaises(volume_client.VolumeNotFound):
            self.client.get_volume(created["id"])

    @idempotent_id("fa44bf43-3908-471f-8f55-2c16b0b9245a")
    def test_quota_usage(self) -> None:
        project_id = self.client.api.adapter.get_project_id()
        usage = quota.usage(self.client, project_id, [r.name for r in quota.RESOURCES])
        self.assertEqual(sorted(quota.COUNTED), sorted(usage))
