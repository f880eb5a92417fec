"""One exception hierarchy: context attributes and actionable messages."""

from __future__ import annotations

import copy
import pickle

import plugfair.api as api
from plugfair.tests import base

#: leaf -> the builtin it must also be
BUILTINS = {
    "UsageError": ValueError,
    "PluginNotFound": LookupError,
    "PluginLoadError": RuntimeError,
    "IncompatiblePlugin": RuntimeError,
    "PluginValidationError": TypeError,
    "PluginCollision": RuntimeError,
    "ConfigError": ValueError,
    "QuotaError": ValueError,
    "QuotaExceeded": ValueError,
}


def examples():
    """One instance of every error class, with its context."""
    return [
        api.PlugfairError("Something failed. Do this next."),
        api.UsageError("Give --name. See 'plugfair help x'."),
        api.PluginError("Plugin x is odd. Disable it.", plugin="x"),
        api.PluginNotFound("nosuch", known=["good", "other"]),
        api.PluginLoadError("x", "importing it raised ImportError: y", remedy="Install y."),
        api.IncompatiblePlugin("x", wanted="1.9", provided="1.0", needs="plugfair >= 1.9"),
        api.PluginValidationError("x", "cli_commands()", "it returned list."),
        api.PluginCollision("command", "zone list", [("a", "dist-a"), ("b", "dist-b")]),
        api.ConfigError("Config file f is malformed.", source="f:3"),
        api.QuotaError("limit 'x' is not an integer."),
        api.QuotaExceeded("p1", [api.OverLimit("dns.zones", 10, 9, 2)]),
    ]


class TestHierarchy(base.TestCase):
    def test_every_error_is_a_plugfair_error(self):
        errors = [n for n in api.__all__ if n.endswith(("Error", "NotFound", "Plugin",
                                                          "Collision", "Exceeded"))
                  and n not in ("Plugin", "HostedPlugin")]
        self.assertGreaterEqual(len(errors), 11)
        for name in errors:
            cls = getattr(api, name)
            self.assertTrue(issubclass(cls, api.PlugfairError), name)
            self.assertTrue(issubclass(cls, Exception), name)

    def test_each_leaf_is_also_its_builtin(self):
        for name, builtin in BUILTINS.items():
            self.assertTrue(issubclass(getattr(api, name), builtin), name)

    def test_plugin_errors_share_a_base(self):
        for name in ("PluginNotFound", "PluginLoadError", "IncompatiblePlugin",
                     "PluginValidationError", "PluginCollision"):
            self.assertTrue(issubclass(getattr(api, name), api.PluginError), name)

    def test_quota_exceeded_is_a_quota_error(self):
        self.assertTrue(issubclass(api.QuotaExceeded, api.QuotaError))

    def test_exit_codes(self):
        self.assertEqual(1, api.PlugfairError("x").exit_code)
        self.assertEqual(2, api.UsageError("x").exit_code)
        self.assertEqual(1, api.ConfigError("x").exit_code)


class TestContext(base.TestCase):
    def test_plugin_not_found(self):
        err = api.PluginNotFound("nosuch", known=["other", "good"])
        self.assertEqual("nosuch", err.plugin)
        self.assertIn("'nosuch'", str(err))
        self.assertIn("good, other", str(err))
        self.assertIn("plugfair plugin list", str(err))

    def test_load_error(self):
        err = api.PluginLoadError("x", "it broke", remedy="Fix it.")
        self.assertEqual(("x", "it broke", "Fix it."), (err.plugin, err.reason, err.remedy))
        self.assertEqual("Plugin 'x' failed: it broke Fix it.", str(err))

    def test_incompatible_names_the_needed_release(self):
        err = api.IncompatiblePlugin("x", wanted="1.9", provided="1.0", needs="plugfair >= 1.9")
        self.assertEqual(("1.9", "1.0", "plugfair >= 1.9"), (err.wanted, err.provided, err.needs))
        self.assertIn("plugfair >= 1.9", str(err))
        self.assertIn("upgrade plugfair", str(err))

    def test_validation_error_names_hook_and_remedy(self):
        err = api.PluginValidationError("x", "cli_commands()", "it returned list.")
        self.assertEqual(("x", "cli_commands()", "it returned list."),
                         (err.plugin, err.hook, err.problem))
        self.assertIn("disabled_plugins = x", str(err))

    def test_collision_names_both_plugins_and_distributions(self):
        err = api.PluginCollision("command", "zone list", [("b", "dist-b"), ("a", "dist-a")])
        self.assertEqual(("command", "zone list"), (err.kind, err.item))
        self.assertEqual([("b", "dist-b"), ("a", "dist-a")], err.claimants)
        for word in ("'a'", "'b'", "dist-a", "dist-b", "Neither", "disabled_plugins = b"):
            self.assertIn(word, str(err))

    def test_same_name_collision_suggests_a_distribution(self):
        err = api.PluginCollision("plugin name", "twin", [("twin", "d-a"), ("twin", "d-b")])
        # disabling "twin" would disable both: name the distribution
        self.assertIn("disabled_plugins = twin@d-b", str(err))

    def test_config_error_source(self):
        self.assertEqual("f:3", api.ConfigError("bad", source="f:3").source)
        self.assertIsNone(api.ConfigError("bad").source)

    def test_quota_exceeded(self):
        over = [api.OverLimit("dns.zones", 10, 9, 2), api.OverLimit("dns.records", 5, 5, 1)]
        err = api.QuotaExceeded("p1", over)
        self.assertEqual("p1", err.project_id)
        self.assertEqual(over, err.over)
        self.assertIn("dns.zones: limit 10, in use 9, requested +2", str(err))
        self.assertIn("plugfair quota set", str(err))

    def test_over_limit_value_semantics(self):
        a = api.OverLimit("x.y", 1, 2, 3)
        self.assertEqual(a, api.OverLimit("x.y", 1, 2, 3))
        self.assertNotEqual(a, api.OverLimit("x.y", 1, 2, 4))
        self.assertEqual(hash(a), hash(api.OverLimit("x.y", 1, 2, 3)))
        self.assertEqual("OverLimit(resource='x.y', limit=1, usage=2, delta=3)", repr(a))
        self.assertFalse(a == ("x.y", 1, 2, 3))

    def test_every_message_says_what_to_do(self):
        for err in examples():
            text = str(err)
            self.assertEqual(err.message, text)
            self.assertTrue(text.rstrip().endswith((".", "?")), text)

    def test_copy_and_pickle_keep_message_and_context(self):
        for err in examples():
            for clone in (copy.copy(err), pickle.loads(pickle.dumps(err))):
                self.assertIs(type(err), type(clone))
                self.assertEqual(str(err), str(clone))
                self.assertEqual(vars(err), vars(clone))
                self.assertEqual(err.args, clone.args)
