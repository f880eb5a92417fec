"""The volume plugin's declarations, usage callback and commands."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import fixtures
from cliff.app import App
from cliff.commandmanager import CommandManager
from oslo_config import cfg

from plugfair.api import TestCase, make_registry
from plugfair_plugins.volume import client as volume_client
from plugfair_plugins.volume import commands, opts
from plugfair_plugins.volume.plugin import VolumePlugin
from plugfair_plugins.volume.tests import payloads
from plugfair_plugins.volume.tests.fakecloud import (
    PROJECT_ID,
    FakeCloud,
    RecordedIdentity,
    RecordedServices,
)

PREFIX = "/volume/v3/" + PROJECT_ID
CINDER_DEFAULTS = {
    "volumes": (10, "count"), "gigabytes": (1000, "GiB"), "snapshots": (10, "count"),
    "backups": (10, "count"), "backup_gigabytes": (1000, "GiB"),
    "per_volume_gigabytes": (-1, "GiB"),
}


def _conf(**values: object) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    conf.register_opts(opts.list_opts(), group=opts.GROUP)
    conf(args=[], default_config_files=[], default_config_dirs=[])
    for name, value in values.items():
        conf.set_override(name, value, group=opts.GROUP)
    return conf


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
        resources = VolumePlugin(_conf()).quota_resources()
        self.assertEqual(CINDER_DEFAULTS, {r.name: (r.default, r.unit) for r in resources})


class UsageTest(TestCase):
    def usage_with(self, identity: object, **conf: object) -> Mapping[str, int]:
        self.useFixture(fixtures.MonkeyPatch(
            "plugfair_plugins.volume.client.identity_client", lambda c, registry=None: identity))
        return VolumePlugin(_conf(**conf)).quota_usage(PROJECT_ID, list(CINDER_DEFAULTS))

    def test_unknown_without_a_cloud(self) -> None:
        self.assertEqual({}, self.usage_with(RecordedIdentity(None)))

    def test_unknown_without_an_identity_service(self) -> None:
        # A registry in which no plugin offers the identity client.
        registry = make_registry(VolumePlugin)
        with self.assertRaises(volume_client.VolumeError) as ctx:
            volume_client.identity_client(_conf(), registry)
        self.assertIn("'identity' service client", str(ctx.exception))
        self.assertIn("service:identity", str(ctx.exception))

    def test_unknown_while_identity_is_not_configured(self) -> None:
        # The installed identity plugin, with an empty configuration.
        self.assertEqual({}, VolumePlugin(_conf()).quota_usage(PROJECT_ID, ["volumes"]))

    def test_unknown_when_not_in_the_catalog(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": "/compute/v2.1"}))
        self.assertEqual({}, self.usage_with(RecordedIdentity(cloud)))

    def test_counted_by_cinder(self) -> None:
        cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/" + PROJECT_ID, payloads.QUOTA_USAGE)
        usage = self.usage_with(RecordedIdentity(cloud))
        self.assertEqual(21, usage["gigabytes"])
        self.assertNotIn("per_volume_gigabytes", usage)

    def test_api_error_is_raised(self) -> None:
        cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/" + PROJECT_ID, payloads.FAULT, 500)
        with self.assertRaises(volume_client.VolumeError):
            self.usage_with(RecordedIdentity(cloud))


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"volumev3": PREFIX}))
        self.cloud.add("GET", PREFIX + "/volumes/detail", payloads.VOLUMES_DETAIL)
        self.cloud.add("GET", PREFIX + "/volumes/" + payloads.VOLUME_ID,
                       {"volume": payloads.volume()})
        self.cloud.add("GET", PREFIX + "/snapshots/detail", payloads.SNAPSHOTS_DETAIL)

    def run_command(self, name: str, *argv: str) -> str:
        out = io.StringIO()
        app = App("plugfair", "0", CommandManager(None), stdout=out, stderr=io.StringIO(),
                  deferred_help=True)
        app.registry = RecordedServices(identity=RecordedIdentity(self.cloud))  # type: ignore[attr-defined]
        app.conf = _conf()  # type: ignore[attr-defined]
        cmd = commands.commands()[name](app, None)
        self.assertEqual(0, cmd.run(cmd.get_parser("plugfair " + name).parse_args(list(argv))))
        return out.getvalue()

    def test_volume_list_and_show(self) -> None:
        rows = json.loads(self.run_command("volume list", "-f", "json"))
        self.assertEqual(["data", "scratch"], [r["Name"] for r in rows])
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("scratch", self.run_command("volume list", "-f", fmt))
        for fmt in ("table", "shell", "json", "value", "yaml"):
            self.assertIn("lvmdriver-1",
                          self.run_command("volume show", payloads.VOLUME_ID, "-f", fmt))

    def test_snapshot_list(self) -> None:
        self.assertEqual("data-nightly\n",
                         self.run_command("snapshot list", "-f", "value", "-c", "Name"))
