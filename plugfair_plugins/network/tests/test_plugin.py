"""The network plugin's declarations, usage callback and commands."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import fixtures
from cliff.app import App
from cliff.commandmanager import CommandManager
from oslo_config import cfg

from plugfair.api import TestCase, make_registry
from plugfair_plugins.network import client as network_client
from plugfair_plugins.network import commands, opts
from plugfair_plugins.network.plugin import NetworkPlugin
from plugfair_plugins.network.tests import payloads
from plugfair_plugins.network.tests.fakecloud import (
    PROJECT_ID,
    FakeCloud,
    RecordedIdentity,
    RecordedServices,
)

PREFIX = "/networking"
NEUTRON_DEFAULTS = {
    "network": 100, "subnet": 100, "port": 500, "router": 10, "floatingip": 50,
    "security_group": 10, "security_group_rule": 100,
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
        registry = make_registry(NetworkPlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("network")
        self.assertEqual(["network"], record.services)
        self.assertEqual(["network list", "network show", "subnet list"],
                         sorted(record.commands))
        self.assertTrue(record.quota_usage)

    def test_quota_resources_mirror_neutron(self) -> None:
        resources = NetworkPlugin(_conf()).quota_resources()
        self.assertEqual(NEUTRON_DEFAULTS, {r.name: r.default for r in resources})
        self.assertEqual({"count"}, {r.unit for r in resources})


class UsageTest(TestCase):
    def usage_with(self, identity: object, **conf: object) -> Mapping[str, int]:
        self.useFixture(fixtures.MonkeyPatch(
            "plugfair_plugins.network.client.identity_client", lambda c, registry=None: identity))
        return NetworkPlugin(_conf(**conf)).quota_usage(PROJECT_ID, list(NEUTRON_DEFAULTS))

    def test_unknown_without_a_cloud(self) -> None:
        self.assertEqual({}, self.usage_with(RecordedIdentity(None)))

    def test_unknown_without_an_identity_service(self) -> None:
        # A registry in which no plugin offers the identity client.
        registry = make_registry(NetworkPlugin)
        with self.assertRaises(network_client.NetworkError) as ctx:
            network_client.identity_client(_conf(), registry)
        self.assertIn("'identity' service client", str(ctx.exception))
        self.assertIn("service:identity", str(ctx.exception))

    def test_unknown_while_identity_is_not_configured(self) -> None:
        # The installed identity plugin, with an empty configuration.
        self.assertEqual({}, NetworkPlugin(_conf()).quota_usage(PROJECT_ID, ["port"]))

    def test_unknown_when_not_in_the_catalog(self) -> None:
        cloud = self.useFixture(FakeCloud({"identity": "/identity/v3"}))
        self.assertEqual({}, self.usage_with(RecordedIdentity(cloud)))

    def test_counted_by_neutron(self) -> None:
        cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID, payloads.QUOTA_DETAILS)
        self.assertEqual(5, self.usage_with(RecordedIdentity(cloud))["port"])

    def test_api_error_is_raised(self) -> None:
        cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID, payloads.FAULT, 500)
        with self.assertRaises(network_client.NetworkError):
            self.usage_with(RecordedIdentity(cloud))


class CommandTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        self.cloud.add("GET", PREFIX + "/v2.0/networks", payloads.NETWORKS)
        self.cloud.add("GET", PREFIX + "/v2.0/networks/" + payloads.NETWORK_ID,
                       {"network": payloads.network()})
        self.cloud.add("GET", PREFIX + "/v2.0/subnets", payloads.SUBNETS)

    def run_command(self, name: str, *argv: str) -> str:
        out = io.StringIO()
        app = App("plugfair", "0", CommandManager(None), stdout=out, stderr=io.StringIO(),
                  deferred_help=True)
        app.registry = RecordedServices(identity=RecordedIdentity(self.cloud))  # type: ignore[attr-defined]
        app.conf = _conf()  # type: ignore[attr-defined]
        cmd = commands.commands()[name](app, None)
        self.assertEqual(0, cmd.run(cmd.get_parser("plugfair " + name).parse_args(list(argv))))
        return out.getvalue()

    def test_network_list_and_show(self) -> None:
        rows = json.loads(self.run_command("network list", "-f", "json"))
        self.assertEqual(["private", "public"], [r["Name"] for r in rows])
        for fmt in ("table", "csv", "value", "yaml"):
            self.assertIn("private", self.run_command("network list", "-f", fmt))
        for fmt in ("table", "shell", "json", "value", "yaml"):
            self.assertIn("1450", self.run_command("network show", payloads.NETWORK_ID, "-f", fmt))

    def test_subnet_list(self) -> None:
        out = self.run_command("subnet list", "-f", "value", "-c", "CIDR")
        self.assertEqual("10.0.0.0/24\n", out)
