# mypy: disable-error-code="union-attr"
# (testtools types the assertRaises context's exception as optional)
"""Configuration: explicit ConfigOpts, file locations, errors, the sample."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import fixtures
from oslo_config import cfg

import plugfair.api as api
from plugfair.cli import fastconf
from plugfair.config import loader
from plugfair.tests import base
from plugfair.tests.foundation import zoo

CLI = "import sys\nfrom plugfair.cli.main import main\nsys.exit(main())\n"


class ConfigTestCase(base.TestCase):
    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, path, text):
        path = os.path.join(self.dir, path) if not os.path.isabs(path) else path
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        return path


class TestBuildConf(ConfigTestCase):
    def test_defaults_without_files(self):
        conf = loader.build_conf()
        self.assertEqual([], conf.plugfair.enabled_plugins)
        self.assertEqual([], conf.plugfair.disabled_plugins)
        self.assertTrue(conf.plugfair.manifest_cache)
        self.assertEqual(10.0, conf.plugfair.hook_timeout)

    def test_explicit_files_later_wins_then_dirs(self):
        a = self.write("a.conf", "[plugfair]\nenabled_plugins = x, y\nhook_timeout = 3\n")
        b = self.write("b.conf", "[plugfair]\nhook_timeout = 4\n")
        self.write("d/1.conf", "[plugfair]\ndisabled_plugins = z\n")
        self.write("d/2.conf", "[plugfair]\nmanifest_cache = false\n")
        self.write("d/ignored.txt", "[plugfair]\nmanifest_cache = true\n")
        conf = loader.build_conf([a, b], [os.path.join(self.dir, "d")])
        self.assertEqual(["x", "y"], conf.plugfair.enabled_plugins)
        self.assertEqual(4.0, conf.plugfair.hook_timeout)
        self.assertEqual(["z"], conf.plugfair.disabled_plugins)
        self.assertFalse(conf.plugfair.manifest_cache)

    def test_each_call_is_a_new_conf_and_the_global_one_is_untouched(self):
        a = loader.build_conf()
        b = loader.build_conf()
        self.assertIsNot(a, b)
        self.assertIsInstance(a, cfg.ConfigOpts)
        self.assertNotIn("plugfair", cfg.CONF)

    def test_default_locations_in_home(self):
        self.write(os.path.join(self.home, "plugfair.conf"), "[plugfair]\nhook_timeout = 5\n")
        self.assertEqual(5.0, loader.build_conf().plugfair.hook_timeout)
        # ~/.plugfair/ is searched first
        self.write(os.path.join(self.home, ".plugfair", "plugfair.conf"),
                   "[plugfair]\nhook_timeout = 6\n")
        self.assertEqual(6.0, loader.build_conf().plugfair.hook_timeout)
        self.write(os.path.join(self.home, ".plugfair", "plugfair.conf.d", "x.conf"),
                   "[plugfair]\nhook_timeout = 7\n")
        self.assertEqual(7.0, loader.build_conf().plugfair.hook_timeout)

    def test_explicit_files_replace_the_default_locations(self):
        self.write(os.path.join(self.home, "plugfair.conf"), "[plugfair]\nhook_timeout = 5\n")
        a = self.write("a.conf", "[plugfair]\n")
        self.assertEqual(10.0, loader.build_conf([a]).plugfair.hook_timeout)

    def test_program_name_does_not_matter(self):
        self.write(os.path.join(self.home, "stestr.conf"), "[plugfair]\nhook_timeout = 9\n")
        self.useFixture(fixtures.MonkeyPatch("sys.argv", ["stestr"]))
        self.assertEqual(10.0, loader.build_conf().plugfair.hook_timeout)

    def test_nonexistent_file_and_directory(self):
        missing = os.path.join(self.dir, "missing.conf")
        with self.assertRaises(api.ConfigError) as ctx:
            loader.build_conf([missing])
        self.assertEqual(missing, ctx.exception.source)
        self.assertIn("--config-file", str(ctx.exception))
        with self.assertRaises(api.ConfigError) as ctx:
            loader.build_conf([], [missing])
        self.assertIn("--config-dir", str(ctx.exception))

    def test_malformed_file_names_file_and_line(self):
        path = self.write("bad.conf", "[plugfair]\nhook_timeout = 3\nthis line is bad\n")
        with self.assertRaises(api.ConfigError) as ctx:
            loader.build_conf([path])
        self.assertEqual(path, ctx.exception.source)
        self.assertIn("%s:3" % path, str(ctx.exception))
        self.assertIn("Fix that line", str(ctx.exception))

    def test_bad_values(self):
        for text in ("hook_timeout = abc", "hook_timeout = 0", "manifest_cache = maybe"):
            path = self.write("bad.conf", "[plugfair]\n%s\n" % text)
            with self.assertRaises(api.ConfigError, msg=text) as ctx:
                loader.build_conf([path])
            self.assertIn("bad.conf", str(ctx.exception))


class TestFastConf(ConfigTestCase):
    """The fast help path finds and reads the same files as oslo.config."""

    def oslo(self):
        return (
            loader._unique(cfg.find_config_files("plugfair", prog="plugfair")),
            loader._unique(cfg.find_config_dirs("plugfair", prog="plugfair")),
        )

    def test_search_agrees_with_oslo_config(self):
        snap_c = os.path.join(self.dir, "snap_common")
        snap = os.path.join(self.dir, "snap")
        layouts = [
            [],
            ["plugfair.conf"],
            ["plugfair.conf.d/a.conf"],
            [".plugfair/plugfair.conf", "plugfair.conf"],
            [".plugfair/plugfair.conf.d/a.conf", "plugfair.conf.d/b.conf"],
            [".plugfair/plugfair.conf", "plugfair.conf.d/a.conf"],
            ["other.conf", ".plugfair/other.conf"],
            ["$SNAP_COMMON/etc/plugfair/plugfair.conf", "$SNAP/etc/plugfair/plugfair.conf"],
            ["$SNAP/etc/plugfair/plugfair.conf.d/x.conf"],
            ["$SNAP/etc/plugfair/plugfair.conf", "plugfair.conf"],
        ]
        for i, layout in enumerate(layouts):
            home = os.path.join(self.dir, "home%d" % i)
            os.makedirs(home)
            self.useFixture(fixtures.EnvironmentVariable("HOME", home))
            self.useFixture(fixtures.EnvironmentVariable("SNAP_COMMON", snap_c + str(i)))
            self.useFixture(fixtures.EnvironmentVariable("SNAP", snap + str(i)))
            for rel in layout:
                rel = rel.replace("$SNAP_COMMON", snap_c + str(i)).replace("$SNAP", snap + str(i))
                self.write(os.path.join(home, rel), "[plugfair]\n")
            self.assertEqual(self.oslo(), (fastconf.default_files(), fastconf.default_dirs()),
                             str(layout))

    def test_values_agree_with_oslo_config(self):
        path = self.write("a.conf", "[plugfair]\nenabled_plugins = a, b ,c\n"
                          "disabled_plugins = d@dist-d\nmanifest_cache = off\n"
                          "hook_timeout = 2.5\ncommand_providers = x y:a, z:b\n"
                          "service_providers = s:c\n[other]\nx = 1\n")
        self.write("d/z.conf", "[plugfair]\nenabled_plugins = e\n")
        conf = loader.build_conf([path], [os.path.join(self.dir, "d")])
        fast = fastconf.read([path], [os.path.join(self.dir, "d")])
        for name in ("enabled_plugins", "disabled_plugins", "manifest_cache", "hook_timeout",
                     "command_providers", "service_providers"):
            self.assertEqual(getattr(conf.plugfair, name), getattr(fast, name), name)
        self.assertEqual(["e"], fast.enabled_plugins)

    def test_hook_timeout_is_validated_alike_on_both_paths(self):
        # the fast path (help) must never take what the full path refuses:
        # a nan deadline never expires, a negative one always has
        for value in ("nan", "inf", "-inf", "-1", "0", "0.05", "3601", "1e400", "soon", ""):
            path = self.write("t.conf", "[plugfair]\nhook_timeout = %s\n" % value)
            self.assertIsNone(fastconf.read([path], []), value)
            with self.assertRaises(api.ConfigError, msg=value) as ctx:
                loader.build_conf([path])
            self.assertIn("hook_timeout", str(ctx.exception), value)
        for value, seconds in (("0.1", 0.1), ("3600", 3600.0), (" 7 ", 7.0)):
            path = self.write("t.conf", "[plugfair]\nhook_timeout = %s\n" % value)
            self.assertEqual(seconds, fastconf.read([path], []).hook_timeout)
            self.assertEqual(seconds, loader.build_conf([path]).plugfair.hook_timeout)
        # through the command: an error naming the file, not a hang
        path = self.write("t.conf", "[plugfair]\nhook_timeout = nan\n")
        rc, out, err = self.run_cli(["--config-file", path, "--help"])
        self.assertNotEqual(0, rc)
        self.assertIn("hook_timeout", err)

    def test_unsure_means_none(self):
        # then the full path runs and oslo.config reports the error properly
        cases = {
            "malformed": "[plugfair]\nthis is bad\n",
            "bad bool": "[plugfair]\nmanifest_cache = maybe\n",
            "bad float": "[plugfair]\nhook_timeout = soon\n",
        }
        for what, text in cases.items():
            self.assertIsNone(fastconf.read([self.write("x.conf", text)], []), what)
        self.assertIsNone(fastconf.read([os.path.join(self.dir, "missing.conf")], []))
        self.assertIsNone(fastconf.read([], [os.path.join(self.dir, "missing")]))


class TestSample(ConfigTestCase):
    def run_py(self, args, env):
        proc = subprocess.run([sys.executable, *args], env=env, cwd=self.home,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(0, proc.returncode, proc.stderr)
        return proc.stdout

    def test_config_sample_equals_oslo_config_generator(self):
        for name in ("good", "other", "intruder", "squatter", "victim"):
            self.useFixture(zoo.distribution(name, directory=self.dir))
        env = dict(os.environ, PYTHONPATH=self.dir)
        ours = self.run_py(["-c", CLI, "config", "sample"], env)
        generator = os.path.join(os.path.dirname(sys.executable), "oslo-config-generator")
        if not os.path.exists(generator):  # pragma: no cover - installed with oslo.config
            generator = shutil.which("oslo-config-generator") or self.fail("no generator")
        theirs = subprocess.run([generator, "--namespace", "plugfair"], env=env,
                                cwd=self.home, capture_output=True, text=True, timeout=120)
        self.assertEqual(0, theirs.returncode, theirs.stderr)
        self.assertEqual(theirs.stdout, ours)
        for text in ("[plugfair]", "#enabled_plugins =", "#hook_timeout = 10.0",
                     "[good]", "# How the good plugin greets. (string value)",
                     "#greeting = Hello", "[good_extra]", "#level = 1", "[other]",
                     "#loud = false"):
            self.assertIn(text, ours)
        # refused and colliding claims contribute nothing: [victim] is the
        # victim's, with its own option only
        self.assertNotIn("Hijacked", ours)
        self.assertIn("[victim]", ours)
        self.assertIn("#own = mine", ours)
        self.assertNotIn("#taken", ours)
        # groups come in alphabetical order, plugfair's among the others
        groups = [line for line in ours.splitlines() if line.startswith("[")]
        self.assertEqual(sorted(groups), groups)

    def test_sample_formats_and_output_file(self):
        self.useFixture(zoo.OnPath())
        zoo.seed_cache(zoo.zoo().records)
        out = os.path.join(self.dir, "sample.conf")
        rc, stdout, err = self.run_cli(["config", "sample", "--output-file", out])
        self.assertEqual(0, rc, err)
        self.assertEqual("", stdout)
        with open(out) as f:
            self.assertIn("#greeting = Hello", f.read())
        rc, stdout, err = self.run_cli(["config", "sample", "--format", "yaml"])
        self.assertEqual(0, rc, err)
        self.assertIn("greeting", stdout)
        rc, stdout, err = self.run_cli(["config", "sample", "--format", "toml"])
        self.assertEqual(2, rc)
        self.assertIn("invalid choice", err)

    def test_no_global_conf_is_touched_at_import(self):
        code = (
            "from oslo_config import cfg\n"
            "before = (sorted(cfg.CONF), sorted(cfg.CONF._groups))\n"
            "import plugfair.api, plugfair.registry.core, plugfair.cli.app, "
            "plugfair.config.loader, plugfair.config.opts, plugfair.cli.builtin, "
            "plugfair.cli.commands.plugins, plugfair.cli.commands.config\n"
            "print(before == (sorted(cfg.CONF), sorted(cfg.CONF._groups)))\n"
        )
        self.assertEqual("True\n", self.run_py(["-c", code], dict(os.environ)))


class TestPluginOptions(ConfigTestCase):
    def test_options_reach_the_plugin_from_the_files(self):
        self.useFixture(zoo.OnPath())
        zoo.seed_cache(zoo.zoo().records)
        path = self.write("a.conf", "[plugfair]\nenabled_plugins = plugfair, good\n"
                          "[good]\ngreeting = Howdy\n")
        rc, out, err = self.run_cli(["--config-file", path, "good", "hello", "--name", "you"])
        self.assertEqual(0, rc, err)
        self.assertEqual("Howdy, you!\n", out)

    def test_a_plugin_touching_another_group_is_refused(self):
        self.useFixture(zoo.OnPath())
        zoo.seed_cache(zoo.zoo().records)
        path = self.write("a.conf", "[plugfair]\nenabled_plugins = plugfair, good, intruder\n")
        rc, out, err = self.run_cli(["--config-file", path, "good", "hello"])
        self.assertEqual(0, rc, err)
        self.assertEqual("Hello, world!\n", out)
        rc, out, err = self.run_cli(["--config-file", path, "plugin", "doctor", "intruder"])
        self.assertEqual(1, rc)
        self.assertIn("group [good], which it does not own", out)
