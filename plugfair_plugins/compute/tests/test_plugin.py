"""The compute plugin's declarations, usage callback and commands."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import fixtures
from cliff.app import App
from cliff.commandmanager import CommandManager
from oslo_config import cfg

from plugfair.api import TestCase, make_registry
from plugfair_plugins.compute import client as compute_client
from plugfair_plugins.compute import commands, opts
from plugfair_plugins.compute.plugin import ComputePlugin
from plugfair_plugins.compute.tests import payloads
from plugfair_plugins.compute.tests.fakecloud import (
    PROJECT_ID,
    FakeCloud,
    RecordedIdentity,
    RecordedServices,
)

PREFIX = "/compute/v2.1"
NOVA_DEFAULTS = {
    "instances": (10, "count"), "cores": (20, "count"), "ram": (51200, "MiB"),
    "key_pairs": (100, "count"), "server_groups": (10, "count"),
    "server_group_members": (10, "count"), "metadata_items": (128, "count"),
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
        registry = make_registry(ComputePlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("compute")
        self.assertEqual(["compute"], record.services)
        self.assertEqual(["flavor list", "server list", "server show"], sorted(record.commands))
        self.assertEqual(["compute"], sorted(record.config_groups))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_nova(self) -> None:
        resources = ComputePlugin(_conf()).quota_resources()
        self.assertEqual(NOVA_DEFAULTS, {r.name: (r.default, r.unit) for r in resources})
        for resource in resources:
            self.assertTrue(resource.description)


class UsageTest(TestCase):
    def usage_with(self, identity: object, **conf: object) -> Mapping[str, int]:
        self.useFixture(fixtures.MonkeyPatch(
            "plugfair_plugins.compute.client.identity_client", lambda c, registry=None: identity))
        names = list(NOVA_DEFAULTS)
        return ComputePlugin(_conf(**conf)).quota_usage(PROJECT_ID, names)

    def test_unknown_without_a_cloud(self) -> None:
        self.assertEqual({}, self.usage_with(RecordedIdentity(None)))

    def test_unknown_without_an_identity_service(self) -> None:
        # A registry in which no plugin offers the identity client.
        registry = make_registry(ComputePlugin)
        with self.assertRaises(compute_client.ComputeError) as ctx:
            compute_client.identity_client(_conf(), registry)
        self.assertIn("'identity' service client", str(ctx.exception))
        self.assertIn("service:identity", str(ctx.exception))

    def test_unknown_while_identity_is_not_configured(self) -> None:
        # The installed identity plugin, with an empty configuration.
        self.assertEqual({}, ComputePlugin(_conf()).quota_usage(PROJECT_ID, ["instances"]))

    def test_unknown_when_not_in_the_catalog(self) -> None:
        cloud = self.useFixture(FakeCloud({"identity": "/identity/v3"}))
        self.assertEqual({}, self.usage_with(RecordedIdentity(cloud)))

    def test_counted_by_nova(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/%s/detail" % PROJECT_ID, payloads.QUOTA_DETAIL)
        usage = self.usage_with(RecordedIdentity(cloud))
        self.assertEqual({"instances": 2, "cores": 3, "ram": 2560, "key_pairs": 1,
                          "server_groups": 1, "server_group_members": 0,
                          "metadata_items": 0}, usage)

    def test_endpoint_settings_are_used(self) -> None:
        cloud = self.useFixture(FakeCloud({"identity": "/identity/v3"}))
        cloud.add("GET", "/nova/os-quota-sets/%s/detail" % PROJECT_ID, payloads.QUOTA_DETAIL)
        usage = self.usage_with(RecordedIdentity(cloud), endpoint_override=cloud.base + "/nova")
        self.assertEqual(2, usage["instances"])

    def test_api_error_is_raised(self) -> None:
        cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        cloud.add("GET", PREFIX + "/os-quota-sets/%s/detail" % PROJECT_ID,
                  payloads.FAULT, status=500)
        with self.assertRaises(compute_client.ComputeError):
            self.usage_with(RecordedIdentity(cloud))


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        self.cloud.add("GET", PREFIX + "/servers/detail", payloads.SERVERS_DETAIL)
        self.cloud.add("GET", PREFIX + "/servers/" + payloads.SERVER_ID,
                       {"server": payloads.server()})
        self.cloud.add("GET", PREFIX + "/flavors/detail", payloads.FLAVORS_DETAIL)

    def run_command(self, name: str, *argv: str) -> str:
        out = io.StringIO()
        app = App("plugfair", "0", CommandManager(None), stdout=out, stderr=io.StringIO(),
                  deferred_help=True)
        app.registry = RecordedServices(identity=RecordedIdentity(self.cloud))  # type: ignore[attr-defined]
        app.conf = _conf()  # type: ignore[attr-defined]
        cmd = commands.commands()[name](app, None)
        self.assertEqual(0, cmd.run(cmd.get_parser("plugfair " + name).parse_args(list(argv))))
        return out.getvalue()

    def test_server_list(self) -> None:
        rows = json.loads(self.run_command("server list", "-f", "json"))
        self.assertEqual(["db-1", "web-1"], [r["Name"] for r in rows])
        self.assertEqual(["Flavor", "ID", "Image", "Name", "Networks", "Status"], sorted(rows[0]))
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("web-1", self.run_command("server list", "-f", fmt))

    def test_server_show(self) -> None:
        shown = json.loads(self.run_command("server show", payloads.SERVER_ID, "-f", "json"))
        self.assertEqual("ACTIVE", shown["status"])
        for fmt in ("table", "shell", "value", "yaml"):
            self.assertIn("web-1", self.run_command("server show", payloads.SERVER_ID, "-f", fmt))

    def test_flavor_list(self) -> None:
        out = self.run_command("flavor list", "-f", "value", "-c", "Name")
        self.assertEqual("m1.tiny\nm1.small\n", out)
