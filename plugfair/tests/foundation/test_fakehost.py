"""plugfair.api.FakeHost: one plugin with stand-ins for the other plugins."""

from __future__ import annotations

import argparse
import json
from typing import Any

from oslo_config import cfg

from plugfair.api import (
    Command,
    FakeHost,
    Lister,
    Plugin,
    PluginNotFound,
    ServiceClients,
    UsageError,
)
from plugfair.tests import base


class Echo(Lister):
    """List the greeting, and the keys service's answer."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        client = self.registry.service_client("echo")
        return ("Greeting", "Keys"), [(self.conf.echo.greeting, client.keys)]


class Fail(Command):
    """Fail with the status asked."""

    def get_parser(self, prog_name: str) -> argparse.ArgumentParser:
        parser = super().get_parser(prog_name)
        parser.add_argument("status", type=int)
        return parser

    def take_action(self, parsed_args: argparse.Namespace) -> int:
        self.app.stderr.write("failing as asked\n")
        return int(parsed_args.status)


class Count(Lister):
    """Check the quota, then list nothing."""

    def take_action(self, parsed_args: argparse.Namespace) -> Any:
        self.quota_enforcer().check("p1", {"echo.things": 1})
        return ("Thing",), []


class EchoClient:
    def __init__(self, conf: cfg.ConfigOpts, services: ServiceClients) -> None:
        self.conf = conf
        self.keys = services.service_client("keys")


class EchoPlugin(Plugin):
    name = "echo"
    api_version = "1.1"

    def config_options(self) -> Any:
        return [("echo", [cfg.StrOpt("greeting", default="hello")])]

    def service_clients(self) -> Any:
        return {"echo": EchoClient, "plain": lambda conf: ("plain", conf.echo.greeting)}

    def cli_commands(self) -> Any:
        return {"echo list": Echo, "count": Count, "fail": Fail}


class Enforcer:
    def __init__(self) -> None:
        self.checks: list[Any] = []

    def check(self, project_id: str, deltas: Any) -> None:
        self.checks.append((project_id, dict(deltas)))


class TestFakeHost(base.TestCase):
    def host(self, **kwargs: Any) -> FakeHost:
        return self.useFixture(FakeHost(EchoPlugin, services={"keys": "k1"}, **kwargs))

    def test_plugin_as_the_host_makes_it(self) -> None:
        host = self.host(config={"echo": {"greeting": "hi"}})
        self.assertIsInstance(host.plugin, EchoPlugin)
        self.assertIs(host, host.plugin.registry)
        self.assertIs(host.conf, host.plugin.conf)
        self.assertEqual("hi", host.conf.echo.greeting)
        self.assertIsInstance(host, ServiceClients)

    def test_factories_get_the_stand_ins(self) -> None:
        host = self.host()
        client = host.service_client("echo")
        self.assertEqual("k1", client.keys)
        self.assertIs(host.conf, client.conf)
        self.assertEqual(("plain", "hello"), host.service_client("plain"))
        self.assertEqual("k1", host.service_client("keys"))
        with self.assertRaises(PluginNotFound) as ctx:
            host.service_client("nosuch")
        self.assertIn("echo, keys, plain", str(ctx.exception))

    def test_run_a_command(self) -> None:
        host = self.host(config={"echo": {"greeting": "hi"}})
        self.assertEqual([{"Greeting": "hi", "Keys": "k1"}],
                         json.loads(host.run("echo list", "-f", "json")))
        self.assertEqual("hi k1\n", host.run("echo list", "-f", "value"))

    def test_exit_status(self) -> None:
        host = self.host()
        self.assertEqual("", host.run("fail", "3", expect=3))
        with self.assertRaises(AssertionError) as ctx:
            host.run("fail", "3")
        self.assertIn("'plugfair fail 3' exited with 3, not 0: failing as asked",
                      str(ctx.exception))

    def test_unknown_command(self) -> None:
        with self.assertRaises(UsageError) as ctx:
            self.host().run("echo show")
        self.assertIn("has no command 'echo show'; it has: count, echo list, fail", str(ctx.exception))

    def test_quota_enforcer(self) -> None:
        enforcer = Enforcer()
        self.host(enforcer=enforcer).run("count")
        self.assertEqual([("p1", {"echo.things": 1})], enforcer.checks)
        with self.assertRaises(UsageError):
            self.host().run("count")
