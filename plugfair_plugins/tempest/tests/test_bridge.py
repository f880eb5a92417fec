"""The Tempest bridge: names, groups, tempest.conf, the shield, isolation.

Tests that need Tempest itself skip without it, saying what to install.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from oslo_config import cfg

from plugfair.api import ConfigError, PluginDistribution, TestCase
from plugfair_plugins.tempest import hosted, tempestconf
from plugfair_plugins.tempest.plugin import TempestBridge

INSTALL = "pip install 'plugfair[tempest]'"


class NamesTest(TestCase):
    def test_plugin_names(self) -> None:
        self.assertEqual("barbican_tests", hosted.plugin_name("barbican_tests"))
        self.assertEqual("octavia_tempest_plugin", hosted.plugin_name("Octavia-Tempest.Plugin"))
        self.assertEqual("p_3par", hosted.plugin_name("3par"))
        self.assertEqual(40, len(hosted.plugin_name("x" * 90)))

    def test_groups(self) -> None:
        self.assertEqual("tempest_compute_feature_enabled",
                         hosted.plugfair_group("tempest", "compute-feature-enabled"))
        self.assertEqual("barbican_tests_service_available",
                         hosted.plugfair_group("barbican_tests", "service_available"))
        self.assertEqual("tempest", hosted.plugfair_group("tempest", None))
        self.assertEqual("tempest", hosted.plugfair_group("tempest", "DEFAULT"))


def _conf(tmp: str, text: str, placements: list[tuple[str | None, str, cfg.Opt]]) -> cfg.ConfigOpts:
    path = os.path.join(tmp, "plugfair.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(textwrap.dedent(text))
    conf = cfg.ConfigOpts()
    for _tempest, group, opt in placements:
        conf.register_opt(opt, group=group)
    conf([], default_config_files=[path], default_config_dirs=[])
    return conf


class TempestConfTest(TestCase):
    PLACEMENTS = [
        ("validation", "tempest_validation", cfg.StrOpt("prologue", default="PATH=$$PATH")),
        ("validation", "tempest_validation", cfg.BoolOpt("run", default=True)),
        ("compute-feature-enabled", "tempest_compute_feature_enabled",
         cfg.ListOpt("api_extensions", default=["all"])),
        ("identity", "tempest_identity", cfg.DictOpt("extra", default={})),
        ("identity", "tempest_identity", cfg.MultiStrOpt("repeat", default=[])),
        (None, "tempest", cfg.StrOpt("resources_prefix", default="tempest")),
    ]

    def test_only_what_is_set_is_written_and_dollars_survive(self) -> None:
        conf = _conf(self.make_temp_dir(), """
            [tempest_validation]
            prologue = set -eu; PATH=$$PATH:/sbin
            [tempest_compute_feature_enabled]
            api_extensions = a,b
            [tempest_identity]
            extra = k:v,x:y
            repeat = one
            repeat = two
            [tempest]
            resources_prefix = ci
        """, self.PLACEMENTS)
        text = tempestconf.render(self.PLACEMENTS, conf)
        self.assertIn("[DEFAULT]\nresources_prefix = ci\n", text)
        self.assertIn("[validation]\nprologue = set -eu; PATH=$$PATH:/sbin\n", text)
        self.assertNotIn("run =", text)  # left at its default: not written
        self.assertIn("[compute-feature-enabled]\napi_extensions = a,b\n", text)
        self.assertIn("extra = k:v,x:y\n", text)
        self.assertIn("repeat = one\nrepeat = two\n", text)
        # what Tempest reads back is what plugfair read
        back = os.path.join(self.make_temp_dir(), "tempest.conf")
        with open(back, "w", encoding="utf-8") as f:
            f.write(text)
        theirs = cfg.ConfigOpts()
        for tempest_group, _group, opt in self.PLACEMENTS:
            theirs.register_opt(opt, group=tempest_group)
        theirs([], default_config_files=[back], default_config_dirs=[])
        self.assertEqual("set -eu; PATH=$PATH:/sbin", theirs.validation.prologue)
        self.assertEqual(["a", "b"], theirs["compute-feature-enabled"].api_extensions)
        self.assertEqual({"k": "v", "x": "y"}, theirs.identity.extra)
        self.assertEqual(["one", "two"], theirs.identity.repeat)
        self.assertEqual("ci", theirs.resources_prefix)

    def test_a_dollar_meant_literally_is_a_clear_error(self) -> None:
        conf = _conf(self.make_temp_dir(), """
            [tempest_validation]
            prologue = set -eu; PATH=$PATH:/sbin
        """, self.PLACEMENTS)
        with self.assertRaises(ConfigError) as ctx:
            tempestconf.render(self.PLACEMENTS, conf)
        self.assertIn("[tempest_validation] prologue refers to $PATH", str(ctx.exception))
        self.assertIn("$$", str(ctx.exception))

    def test_two_plugins_setting_one_tempest_option_differently(self) -> None:
        opt = cfg.BoolOpt("barbican", default=False)
        placements = [
            ("service_available", "one_service_available", opt),
            ("service_available", "two_service_available", cfg.BoolOpt("barbican")),
        ]
        conf = _conf(self.make_temp_dir(), """
            [one_service_available]
            barbican = true
            [two_service_available]
            barbican = false
        """, placements)
        with self.assertRaises(ConfigError) as ctx:
            tempestconf.render(placements, conf)
        self.assertIn("[service_available] barbican", str(ctx.exception))


class WithTempestTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.require_module("tempest", install=INSTALL)

    def test_tempest_itself_is_hosted_like_any_plugin(self) -> None:
        found = TempestBridge(cfg.ConfigOpts()).hosted_plugins()
        self.assertEqual("tempest", found[0].name)
        self.assertEqual("tempest.config", found[0].module)
        cls = found[0].load()
        self.assertEqual("tempest", cls.name)
        self.assertEqual(["tempest.api", "tempest.scenario", "tempest.serial_tests"],
                         list(cls.packages))
        groups = {group for _t, group, _o in cls.placements}
        self.assertIn("tempest_identity", groups)
        self.assertIn("tempest_compute_feature_enabled", groups)
        self.assertIn("tempest_service_available", groups)
        import importlib.metadata

        names = {hosted.plugin_name(ep.name)
                 for ep in importlib.metadata.entry_points(group="tempest.test_plugins")}
        self.assertEqual(names, {h.name for h in found[1:]})

    def test_a_default_with_a_dollar_survives_the_sample_round_trip(self) -> None:
        cls = hosted.load_tempest()
        placements = list(cls.placements)
        (prologue,) = [o for t, g, o in placements if t == "validation" and o.name == "ssh_shell_prologue"]
        sample = subprocess.run(
            [sys.executable, "-m", "plugfair.cli.main", "config", "sample"],
            capture_output=True, text=True, check=False, timeout=300,
        )
        self.assertEqual(0, sample.returncode, sample.stderr)
        block = sample.stdout.split("[tempest_validation]\n", 1)[1].split("\n[", 1)[0]
        (line,) = [ln for ln in block.splitlines() if ln.startswith("#ssh_shell_prologue = ")]
        self.assertIn("$$PATH", line)
        conf = _conf(self.make_temp_dir(), "[tempest_validation]\n%s\n" % line[1:], placements)
        self.assertEqual(prologue.default.replace("$$", "$"), conf.tempest_validation.ssh_shell_prologue)
        text = tempestconf.render(placements, conf)
        back = os.path.join(self.make_temp_dir(), "tempest.conf")
        with open(back, "w", encoding="utf-8") as f:
            f.write(text)
        theirs = cfg.ConfigOpts()
        theirs.register_opt(prologue, group="validation")
        theirs([], default_config_files=[back], default_config_dirs=[])
        self.assertEqual(conf.tempest_validation.ssh_shell_prologue,
                         theirs.validation.ssh_shell_prologue)

    def test_the_shield_serves_the_healthy_and_logs_the_broken(self) -> None:
        from plugfair_plugins.tempest.shield import ShieldedPluginManager

        class Good:
            def register_opts(self, conf: cfg.ConfigOpts) -> None:
                conf.register_opt(cfg.StrOpt("good_opt", default="g"), group="good")

            def get_opt_lists(self) -> list[tuple[str, list[cfg.Opt]]]:
                return [("good", [cfg.StrOpt("good_opt")])]

            def load_tests(self) -> tuple[str, str]:
                return ("/tests", "/")

            def get_service_clients(self) -> list[dict[str, str]]:
                return []

        class Broken(Good):
            def register_opts(self, conf: cfg.ConfigOpts) -> None:
                raise RuntimeError("register_opts broke")

            def get_opt_lists(self) -> list[tuple[str, list[cfg.Opt]]]:
                raise RuntimeError("get_opt_lists broke")

            def load_tests(self) -> tuple[str, str]:
                raise RuntimeError("load_tests broke")

        manager = ShieldedPluginManager()
        manager.add("zz_broken", None, Broken())
        manager.add("good", None, Good())
        conf = cfg.ConfigOpts()
        manager.register_plugin_opts(conf)
        self.assertEqual("g", conf.good.good_opt)
        self.assertEqual(["good"], [g for g, _ in manager.get_plugin_options_list()])
        self.assertEqual({"good": ("/tests", "/")}, manager.get_plugin_load_tests_tuple())
        self.assertIn("register_opts() failed", self.logs.output if self.logs else "")


FAKE_PLUGIN = '''
import os
from oslo_config import cfg
from tempest.test_discover import plugins


class Fake(plugins.TempestPlugin):
    def load_tests(self):
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        return os.path.join(here, "{pkg}", "tests"), here

    def register_opts(self, conf):
        {register}

    def get_opt_lists(self):
        return []
'''

FAKE_TEST = '''
from tempest.lib import decorators
from tempest import test


class FakeTest(test.BaseTestCase):
    @decorators.idempotent_id("{uuid}")
    def test_fake(self):
        self.assertTrue(True)
'''


class BrokenTempestPluginsTest(TestCase):
    """Broken Tempest plugins beside good ones: reported, never in the way."""

    def setUp(self) -> None:
        super().setUp()
        self.require_module("tempest", install=INSTALL)
        modules = {}
        for pkg, register, uuid in (
            ("fake_good_tempest", "conf.register_opt(cfg.BoolOpt('fake_good', default=True), "
             "group='service_available')", "11111111-2222-4333-8444-555555555555"),
            ("fake_raising_tempest", "raise RuntimeError('register_opts exploded')",
             "66666666-2222-4333-8444-555555555555"),
        ):
            modules["%s.plugin" % pkg] = FAKE_PLUGIN.format(pkg=pkg, register=register)
            modules["%s.tests.__init__" % pkg] = ""
            modules["%s.tests.test_fake" % pkg] = FAKE_TEST.format(uuid=uuid)
        self.dist = self.useFixture(PluginDistribution(
            "fake-tempest-plugins", {}, modules,
            entry_points={"tempest.test_plugins": {
                "fake_good": "fake_good_tempest.plugin:Fake",
                "fake_raising": "fake_raising_tempest.plugin:Fake",
                "fake_gone": "no_such_module_anywhere.plugin:Fake",
            }},
        ))
        self.work = self.make_temp_dir()
        self.env = dict(os.environ, PYTHONPATH=os.pathsep.join([self.dist.path] + sys.path),
                        PLUGFAIR_CACHE_DIR=os.path.join(self.work, "cache"),
                        PLUGFAIR_WORKSPACE=os.path.join(self.work, "ws"))
        self.env.pop("PLUGFAIR_TESTHOST_PLAN", None)

    def plugfair(self, *args: str) -> tuple[int, str, str]:
        proc = subprocess.run([sys.executable, "-m", "plugfair.cli.main", *args],
                              cwd=self.work, env=self.env, capture_output=True, text=True,
                              check=False, timeout=600)
        return proc.returncode, proc.stdout, proc.stderr

    def test_reported_failed_and_the_others_listed_and_run(self) -> None:
        rc, out, err = self.plugfair("plugin", "list", "-f", "json")
        self.assertEqual(0, rc, err)
        status = {row["Name"]: row["Status"] for row in json.loads(out)}
        self.assertEqual("ok", status["fake_good"])
        self.assertEqual("ok", status["tempest"])
        self.assertEqual("failed", status["fake_raising"])
        self.assertEqual("failed", status["fake_gone"])
        rc, out, err = self.plugfair("plugin", "doctor", "-f", "json")
        why = {row["Plugin"]: row["Problem"] for row in json.loads(out)}
        self.assertIn("register_opts exploded", why["fake_raising"])
        self.assertIn("no_such_module_anywhere", why["fake_gone"])
        rc, out, err = self.plugfair("list-tests", "--plugin", "fake_good", "--plugin", "tempest")
        self.assertEqual(0, rc, err)
        ids = out.split()
        self.assertIn("fake_good_tempest.tests.test_fake.FakeTest.test_fake"
                      "[id-11111111-2222-4333-8444-555555555555]", ids)
        self.assertTrue([i for i in ids if i.startswith("tempest.api.identity.")])
        rc, out, err = self.plugfair("run", "--plugin", "fake_good", "--regex", "test_fake")
        self.assertEqual(0, rc, out + err)
        self.assertIn("Passed: 1", out)

    def test_without_tempest_enabled_the_preparation_says_why(self) -> None:
        ws = os.path.join(self.work, "only-fake")
        rc, out, err = self.plugfair("workspace", "init", ws)
        self.assertEqual(0, rc, err)
        with open(os.path.join(ws, "plugfair.conf"), "a", encoding="utf-8") as f:
            f.write("\n[plugfair]\nenabled_plugins = plugfair, fake_good\n")
        rc, out, err = self.plugfair("run", "--workspace", ws, "--plugin", "fake_good",
                                     "--regex", "test_fake")
        self.assertEqual(1, rc, out + err)
        self.assertIn("belong to the plugin 'tempest', which is disabled", err)
        self.assertIn("Not run: preparing the run for plugin 'tempest_bridge' failed", out)
