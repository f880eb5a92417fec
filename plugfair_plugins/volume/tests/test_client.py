"""The volume client against recorded Cinder answers served on 127.0.0.1."""

from __future__ import annotations

from plugfair.api import FakeCloud, FakeHost, TestCase
from plugfair_plugins.volume import client as volume_client
from plugfair_plugins.volume import quota, views
from plugfair_plugins.volume.plugin import VolumePlugin
from plugfair_plugins.volume.tests import payloads

# Cinder's v3 endpoint ends with the project ID; legacy catalogs call the
# service "volumev3", which the default "block-storage" matches as an alias.
PREFIX = "/volume/v3/" + FakeCloud.PROJECT_ID
NAMES = [r.name for r in quota.RESOURCES]
PROJECT_ID = FakeCloud.PROJECT_ID


class RecordedVolumeTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        host = self.useFixture(FakeHost(VolumePlugin,
                                        services={"identity": self.cloud.identity_client()}))
        self.client = host.service_client("volume")

    def test_service_type_alias(self) -> None:
        self.assertTrue(self.client.api.in_catalog())

    def test_list_and_show(self) -> None:
        self.cloud.add("GET", PREFIX + "/volumes/detail", payloads.VOLUMES_DETAIL)
        columns, rows = views.volume_list(self.client)
        self.assertEqual(views.VOLUME_COLUMNS, columns)
        self.assertEqual([("data", "in-use", 10, payloads.SERVER_ID),
                          ("scratch", "available", 1, "")], [r[1:] for r in rows])
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID,
                       {"volume": payloads.volume()})
        columns, values = views.volume_show(self.client, payloads.VOLUME_ID)
        shown = dict(zip(columns, values, strict=True))
        self.assertEqual((PROJECT_ID, "", "lvmdriver-1"),
                         (shown["project_id"], shown["description"], shown["volume_type"]))

    def test_show_by_name(self) -> None:
        self.cloud.add("GET", PREFIX + "/volumes/detail", payloads.VOLUMES_DETAIL)
        self.assertEqual("scratch", self.client.get_volume("scratch")["name"])
        with self.assertRaises(volume_client.VolumeNotFound) as ctx:
            self.client.get_volume("nope")
        self.assertIn("volume list", str(ctx.exception))

    def test_create_wait_delete_cycle(self) -> None:
        creating = payloads.volume(status="creating", size=1, name="t1")
        self.cloud.add("POST", PREFIX + "/volumes", {"volume": creating}, 202)
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID,
                       {"volume": payloads.volume(status="available", size=1, name="t1")})
        self.cloud.add("DELETE", PREFIX + "/volumes/" + payloads.VOLUME_ID, None, 202)
        created = self.client.create_volume(1, name="t1")
        self.assertEqual({"volume": {"size": 1, "name": "t1", "description": ""}},
                         self.cloud.sent("POST")[0].body)
        volume = self.client.wait_for_status(created["id"], timeout=5, interval=0.01)
        self.assertEqual("available", volume["status"])
        self.client.delete_volume(created["id"])
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID, payloads.NOT_FOUND, 404)
        self.client.wait_for_deletion(created["id"], timeout=5, interval=0.01)

    def test_wait_reports_error_status(self) -> None:
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID,
                       {"volume": payloads.volume(status="error")})
        with self.assertRaises(volume_client.VolumeError) as ctx:
            self.client.wait_for_status(payloads.VOLUME_ID, timeout=5, interval=0.01)
        self.assertIn("went to status 'error'", str(ctx.exception))

    def test_wait_times_out(self) -> None:
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID,
                       {"volume": payloads.volume(status="creating")})
        with self.assertRaises(volume_client.VolumeError) as ctx:
            self.client.wait_for_status(payloads.VOLUME_ID, timeout=0, interval=0.01)
        self.assertIn("still 'creating'", str(ctx.exception))

    def test_usage_from_the_quota_set(self) -> None:
        self.cloud.add("GET", PREFIX + "/os-quota-sets/" + PROJECT_ID, payloads.QUOTA_USAGE)
        self.assertEqual({"volumes": 2, "gigabytes": 21, "snapshots": 1, "backups": 0,
                          "backup_gigabytes": 0},
                         dict(quota.usage(self.client, PROJECT_ID, NAMES)))
        self.assertEqual({"usage": ["True"]}, self.cloud.sent("GET")[0].query)

    def test_snapshots(self) -> None:
        self.cloud.add("GET", PREFIX + "/snapshots/detail", payloads.SNAPSHOTS_DETAIL)
        columns, rows = views.snapshot_list(self.client)
        self.assertEqual([("data-nightly", "available", 10, payloads.VOLUME_ID)],
                         [r[1:] for r in rows])

    def test_api_error_is_reported_clearly(self) -> None:
        self.cloud.add("GET", PREFIX + "/volumes/detail", payloads.FAULT, status=500)
        with self.assertRaises(volume_client.VolumeError) as ctx:
            self.client.list_volumes()
        self.assertIn("HTTP 500 (The server has either erred", str(ctx.exception))
