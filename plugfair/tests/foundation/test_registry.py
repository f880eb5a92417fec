# mypy: disable-error-code="union-attr"
# (testtools types the assertRaises context's exception as optional)
"""The registry over real distributions: isolation, collisions, selection."""

from __future__ import annotations

import json
import os
import sys

import fixtures
from oslo_config import cfg

import plugfair.api as api
from plugfair.config import loader
from plugfair.registry import records as r
from plugfair.registry.core import Registry
from plugfair.tests import base
from plugfair.tests.foundation import zoo

HEALTHY = ("good", "other")


class RegistryTestCase(base.TestCase):
    def make(self, *names, enabled=(), disabled=(), conf=None, hook_timeout=5.0,
             on_path=True):
        if on_path:
            self.useFixture(zoo.OnPath())
        self.conf = conf if conf is not None else cfg.ConfigOpts()
        return Registry(
            zoo.records(*names),
            conf=self.conf,
            enabled=enabled,
            disabled=disabled,
            hook_timeout=hook_timeout,
        )

    def zoo_modules(self):
        prefix = zoo.zoo().path
        return sorted(
            name for name, mod in sys.modules.items()
            if (getattr(mod, "__file__", None) or "").startswith(prefix)
        )

    def assertHealthyWork(self, registry):
        """good and other are fully usable, whatever else is installed."""
        self.assertLessEqual(set(HEALTHY), set(registry.names()))
        commands = registry.commands()
        self.assertEqual(("good", "Say hello from the good plugin."), commands["good hello"])
        self.assertEqual("other", commands["other run"][0])
        self.assertEqual("Hello", registry.load("good").conf.good.greeting)
        self.assertEqual("Hello", registry.command_class("good hello").__name__)
        self.assertEqual({"widgets": 3}, registry.call("good", "quota_usage", "p1", ["widgets"]))
        self.assertEqual("goodsvc", registry.service_client("goodsvc")["service"])
        self.assertEqual("Run", registry.command_class("other run").__name__)


class TestGoodPlugin(RegistryTestCase):
    def test_record(self):
        rec = zoo.record("good")
        self.assertEqual(("good", "pf_good.plugin:GoodPlugin", "pf-good", "1.0", "1.0"),
                         (rec.name, rec.target, rec.distribution, rec.version, rec.api_version))
        self.assertEqual("A plugin that does everything right.", rec.description)
        self.assertEqual(r.STATUS_OK, rec.status)
        self.assertEqual([], rec.problems)
        self.assertEqual(["config", "commands", "tests", "quota", "services"], rec.capabilities)
        self.assertEqual({"good fail": "Fail with a usage error.",
                          "good hello": "Say hello from the good plugin."}, rec.commands)
        self.assertEqual({"good": ["greeting"], "good_extra": ["level"]}, rec.config_groups)
        self.assertEqual([{"name": "widgets", "default": 10, "unit": "count",
                           "description": "Widgets."}], rec.quota)
        self.assertTrue(rec.quota_usage)
        self.assertEqual(["goodsvc"], rec.services)
        self.assertEqual("pf_good.tests", rec.test_package)
        self.assertTrue(any(f.endswith("plugin.py") for f in rec.files))

    def test_everything_works(self):
        registry = self.make("good", "other")
        self.assertEqual([], registry.problems())
        self.assertEqual([], registry.collisions)
        self.assertHealthyWork(registry)
        self.assertEqual([("good", api.QuotaResource("widgets", 10, description="Widgets."))],
                         registry.quota_resources())

    def test_nothing_is_imported_until_used(self):
        registry = self.make("good", "other")
        registry.names()
        registry.commands()
        registry.records()
        registry.quota_resources()
        self.assertEqual([], self.zoo_modules())
        registry.command_class("good hello")
        # only the plugin whose command is wanted
        self.assertEqual(["pf_good", "pf_good.plugin"], self.zoo_modules())

    def test_options_go_to_the_given_conf_only(self):
        registry = self.make("good")
        plugin = registry.load("good")
        self.assertIs(self.conf, plugin.conf)
        self.assertEqual(1, self.conf.good_extra.level)
        self.assertIs(plugin, registry.load("good"))
        self.assertNotIn("good", cfg.CONF)
        self.assertNotIn("good", cfg.ConfigOpts())

    def test_unknown_plugin(self):
        registry = self.make("good", "other", on_path=False)
        with self.assertRaises(api.PluginNotFound) as ctx:
            registry.get("nosuch")
        self.assertIn("good, other", str(ctx.exception))
        with self.assertRaises(api.PluginNotFound):
            registry.load("nosuch")
        with self.assertRaises(api.PluginNotFound):
            registry.service_client("nosuch")
        with self.assertRaises(api.PluginLoadError):
            registry.command_class("no such command")

    def test_a_plugin_that_cannot_be_imported_now_is_marked_failed(self):
        # The manifest says it is fine, but its module is gone.
        registry = self.make("good", "other", on_path=False)
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.load("good")
        self.assertIn("ModuleNotFoundError", str(ctx.exception))
        self.assertEqual(r.STATUS_FAILED, registry.get("good").status)
        self.assertNotIn("good", registry.names())
        self.assertEqual(["good"], [x.name for x in registry.problems()])
        self.assertIn("other", registry.names())

    def test_hook_failing_on_demand_marks_only_that_plugin(self):
        registry = self.make("good", "other", "raise_usage")
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.call("raise_usage", "quota_usage", "p1", ["things"])
        self.assertIn("usage backend is down", str(ctx.exception))
        self.assertEqual(r.STATUS_FAILED, registry.get("raise_usage").status)
        self.assertNotIn("raise_usage", registry.names())
        self.assertEqual(["good"], [p for p, _ in registry.quota_resources()])
        self.assertHealthyWork(registry)

    def test_hook_hanging_on_demand_times_out(self):
        registry = self.make("good", "other", "slow_usage", hook_timeout=0.2)
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.call("slow_usage", "quota_usage", "p1", ["things"])
        self.assertIn("did not return within 0.2 s", str(ctx.exception))
        self.assertIn("hook_timeout", str(ctx.exception))
        self.assertEqual(r.STATUS_FAILED, registry.get("slow_usage").status)
        self.assertHealthyWork(registry)


#: plugin -> (status, problem kind, words of the reason, words of the remedy)
FAILURES = {
    "import_error": ("failed", "import", "importing pf_import_error raised ImportError: needs libfoo",
                     "Install what the plugin needs"),
    "syntax_error": ("failed", "import", "SyntaxError", "fix its import error"),
    "sys_exit": ("failed", "import", "importing pf_sys_exit called sys.exit(3)",
                 "disabled_plugins = sys_exit"),
    "os_exit": ("failed", "import", "process ended while importing it or calling its hooks "
                "(exit status 7)", "disabled_plugins = os_exit"),
    "hang": ("failed", "hang", "did not finish within 1.5 s", "disabled_plugins = hang"),
    "raise_init": ("failed", "hook", "__init__() raised RuntimeError: raise_init broke",
                   "disabled_plugins = raise_init"),
    "raise_config": ("failed", "hook", "config_options() raised RuntimeError", "Report it"),
    "raise_services": ("failed", "hook", "service_clients() raised RuntimeError", "Report it"),
    "raise_commands": ("failed", "hook", "cli_commands() raised RuntimeError", "Report it"),
    "raise_tests": ("failed", "hook", "test_package() raised RuntimeError", "Report it"),
    "raise_quota": ("failed", "hook", "quota_resources() raised RuntimeError", "Report it"),
    "late_fail": ("failed", "hook", "quota_resources() raised ValueError: quota backend",
                  "Report it"),
    "exit_in_hook": ("failed", "hook", "cli_commands() called sys.exit(4)", "Report it"),
    "wrong_config": ("failed", "validation", "config_options() is invalid: it returned dict",
                     "disabled_plugins = wrong_config"),
    "wrong_services": ("failed", "validation", "service_clients() is invalid: it returned list",
                       "disabled_plugins"),
    "wrong_commands": ("failed", "validation", "cli_commands() is invalid: it returned list",
                       "disabled_plugins"),
    "wrong_tests": ("failed", "validation", "test_package() is invalid: it returned 42",
                    "disabled_plugins"),
    "wrong_quota": ("failed", "validation", "quota_resources() is invalid: it returned dict",
                    "disabled_plugins"),
    "api_newer_minor": ("incompatible", "api-version", "needs a plugfair release that provides "
                        "API 1.9", "Upgrade plugfair"),
    "api_newer_major": ("incompatible", "api-version", "implements plugfair API 2.0",
                        "Upgrade plugfair"),
    "api_older_major": ("incompatible", "api-version", "0.x API series", "built for API %s" % api.API_VERSION),
    "api_malformed": ("failed", "validation", "'1.0.0' is not of the form MAJOR.MINOR",
                      "disabled_plugins"),
    "mismatch": ("failed", "validation", "named 'mismatch' but P.name is 'different'",
                 "disabled_plugins = mismatch"),
    "not_plugin": ("failed", "validation", "not a subclass of plugfair.api.Plugin",
                   "disabled_plugins"),
    "not_class": ("failed", "validation", "not a subclass of plugfair.api.Plugin",
                  "disabled_plugins"),
    "BadName": ("failed", "validation", "not a lowercase identifier", "disabled_plugins"),
    "intruder": ("failed", "validation", "group [good], which it does not own",
                 "disabled_plugins = intruder"),
    "patcher": ("failed", "monkeypatch", "plugfair.registry.core.Registry.names",
                "only use plugfair.api"),
    "patcher_late": ("failed", "monkeypatch", "plugfair.registry.report.plugin_rows",
                     "only use plugfair.api"),
}


class TestIsolation(RegistryTestCase):
    """Each way a plugin can break: it is marked, and nobody else notices."""

    def check_failure(self, name):
        status, kind, reason, remedy = FAILURES[name]
        registry = self.make("good", "other", name)
        rec = registry.get(name)
        self.assertEqual(status, rec.status)
        self.assertEqual([kind], [p.kind for p in rec.problems])
        self.assertIn(reason, rec.problems[0].reason)
        self.assertIn(remedy, rec.problems[0].remedy)
        self.assertFalse(rec.usable)
        self.assertNotIn(name, registry.names())
        self.assertEqual([name], [x.name for x in registry.problems()])
        self.assertEqual([], registry.collisions)
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.load(name)
        self.assertIn("plugfair plugin doctor %s" % name, str(ctx.exception))
        self.assertHealthyWork(registry)
        # the broken plugin was never imported into this process
        self.assertFalse(any(m.startswith("pf_" + name.lower()) for m in self.zoo_modules()))

    for _name in FAILURES:
        locals()["test_" + _name.lower()] = (lambda n: lambda self: self.check_failure(n))(_name)
    del _name

    def test_every_zoo_failure_is_covered(self):
        self.assertEqual(sorted(FAILURES), sorted(
            rec.name for rec in zoo.zoo().records if rec.status != r.STATUS_OK))

    def test_intruder_does_not_touch_the_victims_options(self):
        registry = self.make("good", "intruder")
        registry.load("good")
        self.assertEqual("Hello", self.conf.good.greeting)

    def test_patcher_did_not_patch_this_process(self):
        self.make("good", "patcher")
        self.assertNotEqual(["patcher"], Registry(zoo.records("good")).names())

    def test_patch_detection_in_process(self):
        from plugfair.registry import probe

        namespace: dict[str, object] = {"__name__": "evil_pkg.mod"}
        exec("def evil(self):\n    return 1\n", namespace)
        before = probe.snapshot_host()
        self.assertEqual([], probe.host_changes(before, "evil_pkg"))
        # a new method on a plugfair class
        Registry.evil = namespace["evil"]  # type: ignore[attr-defined]
        self.addCleanup(delattr, Registry, "evil")
        self.assertIn("plugfair.registry.core.Registry.evil",
                      probe.host_changes(before, "evil_pkg"))
        # only code of the plugin's own package counts as planted
        self.assertEqual([], probe.host_changes(before, "other_pkg"))

    def test_whole_zoo_at_once(self):
        everything = sorted({rec.name for rec in zoo.zoo().records} - {"plugfair"})
        registry = self.make(*everything)
        self.assertHealthyWork(registry)
        broken = {x.name for x in registry.problems()}
        self.assertLessEqual(set(FAILURES), broken)
        self.assertNotIn("good", broken)
        self.assertNotIn("other", broken)


#: kind -> (plugins, contested item)
COLLISIONS = {
    "plugin_name": ("plugin name", ("twin",), "twin"),
    "command": ("command", ("cmd_a", "cmd_b"), "shared cmd"),
    "group_claims": ("config group", ("claim_a", "claim_b"), "common"),
    "group_named_after_plugin": ("config group", ("squatter", "victim"), "victim"),
    "group_by_prefix": ("config group", ("pre", "pre_fix"), "pre_fix"),
    "service": ("service", ("svc_a", "svc_b"), "storage"),
    "test_package": ("test package", ("tp_a", "tp_b"), "tp_shared.tests"),
}


#: Cases where a config group carries a plugin's name: that plugin keeps it.
OWNED = {"group_named_after_plugin": "victim", "group_by_prefix": "pre_fix"}


class TestCollisions(RegistryTestCase):
    """Two plugins claim one name: both named, neither wins by install order,
    the operator (or, for a group named after a plugin, the name) decides."""

    def claimants(self, plugins):
        return sorted((rec.name, rec.distribution) for rec in zoo.records(*plugins))

    def check_collision(self, case):
        kind, plugins, item = COLLISIONS[case]
        registry = self.make("good", "other", *plugins)
        claimants = self.claimants(plugins)
        self.assertEqual(2, len(claimants))
        # reported once, with both plugins and both distributions
        self.assertEqual([(kind, item)], [(c.kind, c.item) for c in registry.collisions])
        self.assertEqual(claimants, sorted(registry.collisions[0].claimants))
        err = registry.collisions[0].error()
        self.assertIsInstance(err, api.PluginCollision)
        if case in OWNED:
            self.check_owned(registry, case, err)
            return
        for rec in [x for x in registry.records() if x.name in plugins]:
            self.assertEqual(r.STATUS_CONFLICT, rec.status)
            (problem,) = rec.problems
            self.assertEqual("duplicate-name" if kind == "plugin name" else "collision",
                             problem.kind)
            for plugin, dist in claimants:
                self.assertIn(repr(plugin), problem.reason)
                self.assertIn(dist, problem.reason)
                self.assertIn(dist, str(err))
            self.assertIn("disabled_plugins", problem.remedy)
            self.assertIn("Neither is used", problem.remedy)
        self.assertEqual(sorted(set(plugins)), sorted({x.name for x in registry.problems()}))
        self.assertNeitherWins(registry, kind, plugins, item)
        self.assertHealthyWork(registry)
        # install order does not matter
        again = Registry(list(reversed(zoo.records(*plugins))))
        self.assertEqual([(kind, item)], [(c.kind, c.item) for c in again.collisions])

    def check_owned(self, registry, case, err):
        kind, plugins, item = COLLISIONS[case]
        owner = OWNED[case]
        (loser,) = [p for p in plugins if p != owner]
        self.assertEqual(owner, err.winner)
        self.assertEqual(r.STATUS_OK, registry.get(owner).status)
        self.assertEqual([], registry.get(owner).problems)
        self.assertEqual(r.STATUS_CONFLICT, registry.get(loser).status)
        (problem,) = registry.get(loser).problems
        self.assertIn("It belongs to plugin %r" % owner, problem.remedy)
        self.assertIn("disabled_plugins = %s" % loser, problem.remedy)
        self.assertEqual([loser], [x.name for x in registry.problems()])
        # the owner gets its group with its own options; the claim is refused
        registry.load(loser)
        self.assertNotIn(item, self.conf)
        registry.load(owner)
        if owner == "victim":
            self.assertEqual("mine", self.conf.victim.own)
            self.assertNotIn("taken", self.conf.victim)
        else:  # pre_fix has no options of its own: nobody registers any there
            self.assertNotIn(item, self.conf)
        self.assertHealthyWork(registry)
        again = Registry(list(reversed(zoo.records(*plugins))))
        self.assertEqual([owner], [c.winner for c in again.collisions])

    def assertNeitherWins(self, registry, kind, plugins, item):
        if kind == "plugin name":
            self.assertNotIn(item, registry.names())
            self.assertNotIn("twin go", registry.commands())
            self.assertRaises(api.PluginLoadError, registry.load, item)
        elif kind == "command":
            self.assertNotIn(item, registry.commands())
            self.assertRaises(api.PluginLoadError, registry.command_class, item)
            # their other commands still work
            self.assertEqual("cmd_a", registry.commands()["cmda solo"][0])
            self.assertEqual("cmd_b", registry.commands()["cmdb solo"][0])
        elif kind == "config group":
            for plugin in plugins:
                registry.load(plugin)
            self.assertNotIn(item, self.conf)
        elif kind == "service":
            with self.assertRaises(api.PluginCollision) as ctx:
                registry.service_client(item)
            self.assertEqual(item, ctx.exception.item)
            self.assertEqual("a", registry.service_client("only-a"))
        elif kind == "test package":
            self.assertEqual({item}, {registry.get(p).test_package for p in plugins})

    def check_resolution(self, case):
        kind, plugins, item = COLLISIONS[case]
        if kind == "plugin name":
            loser, winner = "twin@pf-twin-b", "twin"
        else:
            loser, winner = plugins[1], plugins[0]
        registry = self.make("good", "other", *plugins, disabled=[loser])
        self.assertEqual([], registry.collisions)
        self.assertEqual([], registry.problems())
        self.assertIn(winner, registry.names())
        if kind == "plugin name":
            self.assertEqual("pf-twin-a", registry.get("twin").distribution)
            self.assertEqual("twin from a", registry.load("twin").description)
            self.assertEqual("Go", registry.command_class("twin go").__name__)
        elif kind == "command":
            self.assertEqual(winner, registry.commands()[item][0])
            self.assertEqual(winner, registry.command_class(item).__module__[3:])
        elif kind == "config group":
            registry.load(winner)
            self.assertIn(item, self.conf)
        elif kind == "service":
            self.assertEqual("svc_a client", registry.service_client(item))
        self.assertHealthyWork(registry)

    def check_enabled(self, case):
        kind, plugins, item = COLLISIONS[case]
        first = "twin@pf-twin-a" if kind == "plugin name" else plugins[0]
        registry = self.make("good", "other", *plugins, enabled=["good", first])
        self.assertEqual([], registry.collisions)
        self.assertEqual(sorted(["good", plugins[0]]), registry.names())
        disabled = sorted(x.name for x in registry.records() if x.status == r.STATUS_DISABLED)
        self.assertEqual(sorted(["other", plugins[-1]]), disabled)
        self.assertEqual([], registry.problems())

    for _case in COLLISIONS:
        locals()["test_" + _case] = (lambda c: lambda self: self.check_collision(c))(_case)
        locals()["test_%s_resolved_by_disabled_plugins" % _case] = (
            lambda c: lambda self: self.check_resolution(c))(_case)
        locals()["test_%s_avoided_by_enabled_plugins" % _case] = (
            lambda c: lambda self: self.check_enabled(c))(_case)
    del _case

    def test_operator_picks_the_provider_of_one_command(self):
        for order in (1, -1):
            recs = zoo.records("good", "cmd_a", "cmd_b")[::order]
            registry = Registry(recs, command_providers={"shared cmd": "cmd_b"})
            self.assertEqual([], registry.collisions)
            self.assertEqual([], registry.problems())
            self.assertEqual("cmd_b", registry.commands()["shared cmd"][0])
            self.assertEqual({("command", "shared cmd"): "cmd_b"}, registry.resolved)
            # both stay reachable under their plugin's name
            qualified = registry.qualified_commands()
            self.assertEqual(("cmd_a", "shared cmd"), qualified["cmd_a shared cmd"][:2])
            self.assertEqual(("cmd_b", "shared cmd"), qualified["cmd_b shared cmd"][:2])

    def test_contested_commands_stay_reachable_by_plugin_name(self):
        registry = self.make("good", "cmd_a", "cmd_b")
        self.assertNotIn("shared cmd", registry.commands())
        self.assertEqual("pf_cmd_a", registry.command_class("cmd_a shared cmd").__module__)
        self.assertEqual("pf_cmd_b", registry.command_class("cmd_b shared cmd").__module__)
        self.assertIn("good good hello", registry.qualified_commands())
        # a provider that does not provide the command is ignored, loudly
        bad = Registry(zoo.records("cmd_a", "cmd_b"), command_providers={"shared cmd": "good"})
        self.assertEqual(["shared cmd"], [c.item for c in bad.collisions])
        self.assertIn("does not provide it", self.logs.output)

    def test_operator_picks_the_provider_of_one_service(self):
        registry = self.make("svc_a", "svc_b")
        self.assertRaises(api.PluginCollision, registry.service_client, "storage")
        registry = Registry(
            zoo.records("svc_a", "svc_b"), conf=cfg.ConfigOpts(),
            service_providers={"storage": "svc_b"},
        )
        self.assertEqual("svc_b client", registry.service_client("storage"))
        self.assertEqual([], registry.problems())

    def test_disabling_a_duplicated_name_disables_every_copy(self):
        registry = self.make("good", "twin", disabled=["twin"])
        self.assertEqual([], registry.collisions)
        self.assertEqual({r.STATUS_DISABLED}, {x.status for x in registry.records()
                                               if x.name == "twin"})

    def test_distribution_names_are_normalized(self):
        registry = self.make("twin", disabled=["twin@PF_Twin.B"])
        self.assertEqual("pf-twin-a", registry.get("twin").distribution)
        self.assertEqual(["twin"], registry.names())

    def test_all_collisions_at_once(self):
        plugins = sorted({p for _, ps, _ in COLLISIONS.values() for p in ps})
        registry = self.make("good", "other", *plugins)
        self.assertEqual(
            sorted((k, i) for k, _, i in COLLISIONS.values()),
            sorted((c.kind, c.item) for c in registry.collisions),
        )
        self.assertHealthyWork(registry)


class TestSelection(RegistryTestCase):
    def test_enabled_restricts(self):
        registry = self.make("good", "other", "import_error", enabled=["good"])
        self.assertEqual(["good"], registry.names())
        self.assertEqual([], registry.problems())  # disabled failures are no problem
        self.assertEqual(r.STATUS_DISABLED, registry.get("other").status)
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.load("other")
        self.assertIn("disabled by configuration", str(ctx.exception))
        self.assertNotIn("other run", registry.commands())

    def test_disabled_wins_over_enabled(self):
        registry = self.make("good", "other", enabled=["good", "other"], disabled=["other"])
        self.assertEqual(["good"], registry.names())

    def test_unknown_names_are_warned_about(self):
        self.make("good", enabled=["good", "nosuch"], disabled=["twin@nodist"], on_path=False)
        self.assertIn("'nosuch', which is not installed", self.logs.output)
        self.assertIn("'twin@nodist', which is not installed", self.logs.output)

    def test_records_are_sorted_by_name_whatever_the_order(self):
        recs = zoo.records("other", "good", "cmd_b", "cmd_a")
        names = [x.name for x in Registry(recs).records()]
        self.assertEqual(sorted(names), names)
        self.assertEqual(names, [x.name for x in Registry(list(reversed(recs))).records()])

    def test_registry_does_not_change_the_records_it_was_given(self):
        recs = zoo.records("cmd_a", "cmd_b")
        Registry(recs, disabled=["cmd_a"])
        Registry(recs)
        self.assertEqual([r.STATUS_OK, r.STATUS_OK], [x.status for x in recs])
        self.assertEqual([[], []], [x.problems for x in recs])


class TestEndToEnd(base.TestCase):
    """Real discovery of real distributions, with [plugfair] hook_timeout = 1."""

    def test_discover_and_doctor(self):
        directory = self.useFixture(fixtures.TempDir()).path
        for name in ("good", "hang", "os_exit", "sys_exit", "import_error"):
            self.useFixture(zoo.distribution(name, directory=directory))
        conf_file = os.path.join(self.home, "plugfair.conf")
        with open(conf_file, "w") as f:
            f.write("[plugfair]\nhook_timeout = 1\n")
        registry = Registry.discover(loader.build_conf([conf_file]))
        self.assertIn("good", registry.names())
        # (only the zoo's: other installed plugins may be slow at 1 s)
        self.assertEqual(["hang", "import_error", "os_exit", "sys_exit"],
                         [x.name for x in registry.problems() if x.distribution.startswith("pf-")])
        self.assertIn("did not finish within 1 s", registry.get("hang").problems[0].reason)
        self.assertEqual("Hello", registry.load("good").conf.good.greeting)
        # the CLI reads what discovery cached, and tells the same story
        rc, out, err = self.run_cli(["--config-file", conf_file, "plugin", "doctor", "-f",
                                     "json"])
        self.assertEqual(1, rc, err)
        rows = {row["Plugin"]: row for row in json.loads(out)}
        self.assertLessEqual({"hang", "import_error", "os_exit", "sys_exit"}, set(rows))
        self.assertNotIn("good", rows)
        self.assertIn("exit status 7", rows["os_exit"]["Problem"])
        self.assertIn("sys.exit(3)", rows["sys_exit"]["Problem"])


class TestMakeRegistry(base.TestCase):
    """The test seam for plugin authors judges classes like installed plugins."""

    def test_classes_are_judged_like_entry_points(self):
        class Fine(api.Plugin):
            name = "fine"

            def cli_commands(self):
                return {"fine go": Go}

        class Go(api.Command):
            """Go."""

            def take_action(self, parsed_args):
                return 0

        class Wrong(api.Plugin):
            name = "wrong"

            def cli_commands(self):
                return ["fine go"]

        class Future(api.Plugin):
            name = "future"
            api_version = "1.99"

        registry = api.make_registry(Fine, Wrong, Future)
        self.assertEqual(["fine"], registry.names())
        self.assertEqual(r.STATUS_FAILED, registry.get("wrong").status)
        self.assertEqual(r.STATUS_INCOMPATIBLE, registry.get("future").status)
        self.assertIs(Go, registry.command_class("fine go"))

    def test_conf_is_used(self):
        class Opts(api.Plugin):
            name = "opts"

            def config_options(self):
                return [("opts", [cfg.StrOpt("x", default="y")])]

        conf = cfg.ConfigOpts()
        registry = api.make_registry(Opts, conf=conf)
        registry.load("opts")
        self.assertEqual("y", conf.opts.x)


class TestWatch(base.TestCase):
    """The probe's watch over one plugin's turn (integrity.Watch), in process."""

    def setUp(self):
        super().setUp()
        import types

        from plugfair.registry import integrity

        self.modules = {}
        for name in ("wa", "wb", "wc"):
            mod = types.ModuleType("%s_pkg.plugin" % name)
            exec("class P:\n    name = %r\n    def cli_commands(self):\n        return {}\n" % name, vars(mod))
            self.modules[name] = mod
        self.useFixture(fixtures.MonkeyPatch("sys.modules", dict(sys.modules)))
        self.useFixture(fixtures.MonkeyPatch("sys.meta_path", list(sys.meta_path)))
        self.watch = integrity.Watch([(n, "%s_pkg.plugin:P" % n) for n in self.modules])

    def turn(self, name, action=lambda: None, *, load=True):
        self.watch.begin()
        if load:
            sys.modules["%s_pkg.plugin" % name] = self.modules[name]
        action()
        return self.watch.end(name, "%s_pkg.plugin:P" % name)

    def test_a_clean_turn(self):
        self.assertEqual(([], [], {}), self.turn("wa"))
        self.assertEqual(([], [], {}), self.turn("wb"))

    def test_patching_a_plugin_probed_before(self):
        self.turn("wa")
        patches, taint, _ = self.turn("wb", lambda: setattr(self.modules["wa"].P, "cli_commands", dict))
        self.assertEqual(["plugin wa (wa_pkg.plugin.P.cli_commands)"], patches)
        # reported once: the next turn is judged on its own
        self.assertEqual([], self.turn("wc")[0])

    def test_replacing_the_module_of_a_plugin_probed_before(self):
        import types

        self.turn("wa")
        patches, _, _ = self.turn("wb", lambda: sys.modules.__setitem__("wa_pkg.plugin", types.ModuleType("x")))
        self.assertIn("plugin wa (sys.modules['wa_pkg.plugin'])", patches)
        self.assertIn("plugin wa (it replaced module wa_pkg.plugin in sys.modules)", patches)

    def test_planting_a_module_for_a_plugin_probed_later(self):
        patches, taint, _ = self.turn("wa", lambda: sys.modules.__setitem__("wc_pkg.plugin", object()))  # type: ignore[assignment]
        self.assertEqual(["plugin wc (it planted module wc_pkg.plugin in sys.modules)"], patches)
        self.assertEqual(["it imported wc_pkg.plugin, of a plugin whose turn has not come"], taint)

    def test_import_hooks_taint_the_process(self):
        _, taint, _ = self.turn("wa", lambda: sys.meta_path.append(object()))  # type: ignore[arg-type]
        self.assertEqual(["it changed the import system (sys.meta_path, sys.path_hooks or builtins)"], taint)

    def test_code_maps(self):
        from plugfair.registry import integrity

        before = integrity.code_map(self.modules["wa"].P)
        self.assertEqual("", before["name"])  # data
        self.assertRegex(before["cli_commands"], r"^<string>:3 cli_commands$")
        self.modules["wa"].P.cli_commands = dict
        self.modules["wa"].P.service_clients = lambda self: {}
        after = integrity.code_map(self.modules["wa"].P)
        self.assertEqual(["cli_commands", "service_clients"], integrity.code_changes(before, after))
        self.modules["wa"].P.description = "data changes are not code changes"
        self.assertEqual(["cli_commands", "service_clients"],
                         integrity.code_changes(before, integrity.code_map(self.modules["wa"].P)))


class TestLoadGuard(RegistryTestCase):
    """The registry's check when a host loads plugins into its process."""

    def test_changes_between_loads_are_not_blamed_on_the_next_load(self):
        registry = self.make("good", "other")
        good = registry.load("good")
        # a test (or the host) patches the loaded plugin between loads
        self.useFixture(fixtures.MonkeyPatch("%s.%s.cli_commands" % (type(good).__module__, type(good).__qualname__),
                                             lambda self: {}))
        registry.load("other")  # not blamed
        self.assertEqual([], registry.problems())

    def test_a_plugin_that_patches_a_loaded_one_is_refused(self):
        registry = self.make("good", "other")
        good = registry.load("good")
        registry._loaders["other"] = lambda: _patch_then(type(good), registry)  # type: ignore[index]
        with self.assertRaises(api.PluginLoadError) as ctx:
            registry.load("other")
        self.assertIn("it changes what is not its own when it is loaded: plugin good (", str(ctx.exception))
        self.assertIn("GoodPlugin.quota_usage", str(ctx.exception))
        self.assertEqual("failed", registry.get("other").status)


def _patch_then(cls, registry):
    """A loader that patches ``cls`` and then returns the real class."""
    import importlib.metadata

    cls.quota_usage = lambda self, project_id, names: {}
    rec = registry.get("other")
    return importlib.metadata.EntryPoint(rec.name, rec.target, "plugfair.plugins").load()
