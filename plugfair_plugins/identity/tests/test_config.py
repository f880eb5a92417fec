"""Configuration of the identity plugin (no server needed)."""

from __future__ import annotations

import os

import fixtures
from oslo_config import cfg

from plugfair.api import ConfigError, TestCase, make_registry
from plugfair_plugins.identity import auth, client, opts
from plugfair_plugins.identity.plugin import IdentityPlugin


def _conf(**values: object) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    conf.register_opts(opts.list_opts(), group=opts.GROUP)
    conf(args=[], default_config_files=[], default_config_dirs=[])
    for name, value in values.items():
        conf.set_override(name, value, group=opts.GROUP)
    return conf


class SettingsTest(TestCase):
    def test_not_configured(self) -> None:
        identity = client.make_client(_conf())
        self.assertFalse(identity.configured)
        with self.assertRaises(client.NotConfigured) as ctx:
            identity.list_projects()
        self.assertIn("[identity] auth_url", str(ctx.exception))
        with self.assertRaises(client.NotConfigured):
            identity.session  # noqa: B018 - the property raises

    def test_password(self) -> None:
        settings = auth.settings_from_conf(_conf(
            auth_url="http://127.0.0.1:35358/v3", username="u", password="p",
            project_name="demo", region_name="RegionTwo", interface="internal"))
        self.assertEqual("password", settings.auth_type)
        self.assertEqual({"auth_url": "http://127.0.0.1:35358/v3", "username": "u",
                          "password": "p", "user_domain_name": "Default",
                          "project_name": "demo", "project_domain_name": "Default"},
                         dict(settings.auth))
        self.assertEqual(("RegionTwo", "internal"), (settings.region_name, settings.interface))

    def test_missing_password_is_a_clear_error_on_use(self) -> None:
        conf = _conf(auth_url="http://127.0.0.1:35358/v3", username="u")
        identity = client.make_client(conf)
        self.assertTrue(identity.configured)
        with self.assertRaises(ConfigError) as ctx:
            identity.issue_token()
        self.assertIn("password is not", str(ctx.exception))

    def test_half_an_application_credential(self) -> None:
        with self.assertRaises(ConfigError) as ctx:
            auth.settings_from_conf(_conf(auth_url="http://x/v3",
                                          application_credential_id="abc"))
        self.assertIn("must be set together", str(ctx.exception))

    def test_application_credential(self) -> None:
        settings = auth.settings_from_conf(_conf(
            auth_url="http://x/v3", application_credential_id="abc",
            application_credential_secret="s"))
        self.assertEqual("v3applicationcredential", settings.auth_type)
        with self.assertRaises(client.IdentityError) as ctx:
            settings.system_scoped()
        self.assertIn("needs password credentials", str(ctx.exception))

    def test_two_scopes(self) -> None:
        with self.assertRaises(ConfigError):
            auth.settings_from_conf(_conf(auth_url="http://x/v3", username="u",
                                          password="p", project_name="a",
                                          system_scope="all"))

    def test_system_scoped_drops_the_project(self) -> None:
        settings = auth.settings_from_conf(_conf(
            auth_url="http://x/v3", username="u", password="p", project_name="a"))
        system = settings.system_scoped()
        self.assertEqual("all", system.auth["system_scope"])
        self.assertNotIn("project_name", system.auth)
        self.assertNotIn("project_domain_name", system.auth)
        self.assertEqual("a", settings.auth["project_name"])  # unchanged

    def test_insecure_and_cacert(self) -> None:
        base = {"auth_url": "https://x/v3", "username": "u", "password": "p"}
        self.assertEqual("/ca.pem", auth.settings_from_conf(_conf(cacert="/ca.pem", **base)).verify)
        self.assertIs(False, auth.settings_from_conf(
            _conf(cacert="/ca.pem", insecure=True, **base)).verify)

    def test_unreachable_keystone(self) -> None:
        # Port 9 (discard) on 127.0.0.1 refuses connections here.
        identity = client.make_client(_conf(
            auth_url="http://127.0.0.1:9/v3", username="u", password="p", timeout=5))
        with self.assertRaises(client.IdentityError) as ctx:
            identity.issue_token()
        self.assertIn("reachable", str(ctx.exception))


class CloudsYamlTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        # clouds.yaml is read by openstacksdk, an optional dependency.
        self.require_module("openstack", install="pip install 'plugfair[openstack]'")
        path = os.path.join(self.make_temp_dir(), "clouds.yaml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(
                "clouds:\n"
                "  ci:\n"
                "    auth:\n"
                "      auth_url: http://127.0.0.1:35358/v3\n"
                "      username: admin\n"
                "      password: s3cret\n"
                "      project_name: admin\n"
                "      user_domain_name: Default\n"
                "      project_domain_name: Default\n"
                "    region_name: RegionOne\n"
                "    interface: internal\n"
            )
        self.useFixture(fixtures.EnvironmentVariable("OS_CLIENT_CONFIG_FILE", path))

    def test_cloud(self) -> None:
        settings = auth.settings_from_conf(_conf(cloud="ci"))
        self.assertEqual("http://127.0.0.1:35358/v3", settings.auth["auth_url"])
        self.assertEqual("admin", settings.auth["project_name"])
        self.assertEqual(("RegionOne", "internal"), (settings.region_name, settings.interface))
        self.assertIn("'ci'", settings.source)

    def test_options_override_the_cloud(self) -> None:
        settings = auth.settings_from_conf(_conf(cloud="ci", interface="admin"))
        self.assertEqual("admin", settings.interface)

    def test_unknown_cloud(self) -> None:
        with self.assertRaises(ConfigError) as ctx:
            auth.settings_from_conf(_conf(cloud="nope"))
        self.assertIn("clouds.yaml", str(ctx.exception))


class PluginContractTest(TestCase):
    def test_declarations(self) -> None:
        registry = make_registry(IdentityPlugin)
        self.assertEqual([], registry.problems())
        record = registry.get("identity")
        self.assertEqual(["identity"], record.services)
        self.assertEqual(["project create", "project delete", "project list",
                          "project show", "token issue"], sorted(record.commands))
        self.assertEqual("plugfair_plugins.identity.tests", record.test_package)
        self.assertEqual(["identity"], sorted(record.config_groups))
