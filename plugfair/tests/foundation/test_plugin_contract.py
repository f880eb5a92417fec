# mypy: disable-error-code="union-attr"
# (testtools types the assertRaises context's exception as optional)
"""The plugin contract: names, API version negotiation, hooks and their types."""

from __future__ import annotations

import inspect
from typing import Any

from oslo_config import cfg

import plugfair.api as api
from plugfair.interface import plugin as contract
from plugfair.registry import validate as v
from plugfair.tests import base


class TestNames(base.TestCase):
    def test_valid_names(self):
        for name in ("a", "dns", "dns_v2", "x" * 40, "a1_b2"):
            self.assertEqual(name, contract.validate_plugin_name(name))

    def test_invalid_names(self):
        bad = [
            "",  # empty
            "Dns",  # uppercase
            "DNS",
            "x" * 41,  # too long
            "dns-v2",  # hyphen
            "1dns",  # starts with a digit
            "_dns",
            "dns v2",
            "dné",  # unicode letter
            "ｄns",  # fullwidth letter
            "dns٣",  # arabic-indic digit
            "dns\n",  # trailing newline
            "dns.sub",
        ]
        for name in bad:
            with self.assertRaises(api.PluginValidationError, msg=repr(name)) as ctx:
                contract.validate_plugin_name(name)
            self.assertEqual("name", ctx.exception.hook)
            self.assertIn("lowercase identifier", str(ctx.exception))

    def test_non_string_names(self):
        for name in (None, 1, b"dns", ["dns"]):
            with self.assertRaises(api.PluginValidationError):
                contract.validate_plugin_name(name)


class TestApiNegotiation(base.TestCase):
    def test_same_major_lower_or_equal_minor_is_served(self):
        contract.check_api_version("p", "1.0", provided="1.0")
        contract.check_api_version("p", "1.0", provided="1.3")
        contract.check_api_version("p", "1.3", provided="1.3")
        contract.check_api_version("p", "2.10", provided="2.11")

    def test_higher_minor_is_refused_naming_the_release(self):
        with self.assertRaises(api.IncompatiblePlugin) as ctx:
            contract.check_api_version("p", "1.4", provided="1.3")
        err = ctx.exception
        self.assertEqual(("p", "1.4", "1.3"), (err.plugin, err.wanted, err.provided))
        self.assertIn("API 1.4", err.needs)
        self.assertIn("upgrade plugfair", str(err))

    def test_known_release_is_named_by_version(self):
        # API 1.0 first shipped in plugfair 0.1.0; a plugin for a minor
        # version whose release is known is told that release.
        self.assertEqual("0.1.0", contract.API_RELEASES["1.0"])
        self.addCleanup(contract.API_RELEASES.pop, "1.7", None)
        contract.API_RELEASES["1.7"] = "3.2.0"
        with self.assertRaises(api.IncompatiblePlugin) as ctx:
            contract.check_api_version("p", "1.7", provided="1.0")
        self.assertEqual("plugfair >= 3.2.0", ctx.exception.needs)
        self.assertIn("plugfair >= 3.2.0", str(ctx.exception))

    def test_different_major_is_refused(self):
        with self.assertRaises(api.IncompatiblePlugin) as ctx:
            contract.check_api_version("p", "2.0", provided="1.5")
        self.assertIn("2.0", ctx.exception.needs)
        with self.assertRaises(api.IncompatiblePlugin) as ctx:
            contract.check_api_version("p", "0.9", provided="1.5")
        self.assertIn("0.x", ctx.exception.needs)

    def test_malformed_versions_are_validation_errors(self):
        for wanted in ("1", "1.0.0", "v1.0", " 1.0", "1.0 ", "1.0\n", "01.0", "1.00",
                       "1.a", "", "1..0", "-1.0", "１.０", "99999.0"):
            with self.assertRaises(api.PluginValidationError, msg=repr(wanted)) as ctx:
                contract.check_api_version("p", wanted)
            self.assertEqual("api_version", ctx.exception.hook)
            self.assertIn("MAJOR.MINOR", str(ctx.exception))

    def test_non_string_versions_are_validation_errors(self):
        for wanted in (1.0, 1, None, (1, 0)):
            with self.assertRaises(api.PluginValidationError):
                contract.check_api_version("p", wanted)


class TestGroups(base.TestCase):
    def test_owned_groups(self):
        self.assertTrue(contract.owns_group("dns", "dns"))
        self.assertTrue(contract.owns_group("dns", "dns_extra"))
        self.assertTrue(contract.owns_group("dns", "quota", ("quota",)))
        self.assertFalse(contract.owns_group("dns", "dnsx"))
        self.assertFalse(contract.owns_group("dns", "DEFAULT"))
        self.assertFalse(contract.owns_group("dns", "identity"))
        self.assertFalse(contract.owns_group("dns", "quota"))


class Bare(api.Plugin):
    name = "bare"


class TestPluginBase(base.TestCase):
    def test_defaults_contribute_nothing(self):
        conf = cfg.ConfigOpts()
        plugin = Bare(conf)
        self.assertIs(conf, plugin.conf)
        self.assertEqual([], list(plugin.config_options()))
        self.assertEqual({}, dict(plugin.service_clients()))
        self.assertEqual({}, dict(plugin.cli_commands()))
        self.assertIsNone(plugin.test_package())
        self.assertEqual([], list(plugin.quota_resources()))
        self.assertEqual({}, dict(plugin.quota_usage("p", ["x"])))
        self.assertEqual(api.API_VERSION, Bare.api_version)
        self.assertEqual("", Bare.description)
        self.assertEqual((), Bare.config_groups)

    def test_hook_order_is_documented_and_matches_the_host(self):
        doc = inspect.getdoc(api.Plugin) or ""
        self.assertIn("calls the hooks in this order", doc)
        positions = [doc.index(":meth:`%s`" % hook) for hook in v.HOOK_ORDER]
        self.assertEqual(sorted(positions), positions)
        self.assertLess(doc.index("__init__(conf)"), positions[0])
        self.assertLess(positions[-1], doc.index(":meth:`quota_usage`"))

    def test_every_hook_documents_its_return(self):
        for hook in v.HOOK_ORDER + ("quota_usage",):
            self.assertIn(":returns:", inspect.getdoc(getattr(api.Plugin, hook)) or "", hook)


class Cmd(api.Command):
    """Do something.

    More text.
    """

    def take_action(self, parsed_args):
        return 0


class TestHookValidation(base.TestCase):
    """Every way a hook can return the wrong thing (the zoo probes a few)."""

    def assertInvalid(self, func, *args, hook, says):
        with self.assertRaises(api.PluginValidationError) as ctx:
            func("p", *args)
        self.assertEqual(hook, ctx.exception.hook)
        self.assertIn(says, str(ctx.exception))

    def test_config_options(self):
        opt = cfg.StrOpt("x")
        self.assertEqual([("p", [opt])], v.validate_config_options("p", [("p", (opt,))]))
        self.assertEqual([("q", [opt])], v.validate_config_options("p", [("q", [opt])], ("q",)))
        hook = "config_options()"
        self.assertInvalid(v.validate_config_options, {"p": [opt]}, hook=hook, says="dict")
        self.assertInvalid(v.validate_config_options, "p", hook=hook, says="str")
        self.assertInvalid(v.validate_config_options, iter(()), hook=hook, says="iterator")
        self.assertInvalid(v.validate_config_options, [("p",)], hook=hook, says="pair")
        self.assertInvalid(v.validate_config_options, [(1, [opt])], hook=hook, says="pair")
        self.assertInvalid(v.validate_config_options, [("p", ["x"])], hook=hook, says="Opt")
        self.assertInvalid(v.validate_config_options, [("p", opt)], hook=hook, says="Opt")
        self.assertInvalid(v.validate_config_options, [("other", [opt])], hook=hook,
                           says="[other], which it does not own")
        self.assertInvalid(v.validate_config_options, [("DEFAULT", [opt])], hook=hook,
                           says="does not own")

    def test_cli_commands(self):
        self.assertEqual({"p do": Cmd}, v.validate_commands("p", {"p do": Cmd}))
        self.assertEqual("Do something.", v.command_summary(Cmd))
        hook = "cli_commands()"
        self.assertInvalid(v.validate_commands, [("p do", Cmd)], hook=hook, says="list")
        self.assertInvalid(v.validate_commands, {"p do": object}, hook=hook, says="not a command")
        self.assertInvalid(v.validate_commands, {"p do": 1}, hook=hook, says="not a command")
        for name in ("", "P do", "p  do", "p do ", " p", "p_do", "a b c d e", "p\n", 3):
            self.assertInvalid(v.validate_commands, {name: Cmd}, hook=hook, says="invalid")

    def test_help_and_complete_are_reserved(self):
        for name in ("help", "complete"):
            self.assertInvalid(v.validate_commands, {name: Cmd}, hook="cli_commands()",
                               says="reserved")

    def test_service_clients(self):
        factory = lambda conf: None  # noqa: E731
        self.assertEqual({"dns": factory}, v.validate_services("p", {"dns": factory}))
        hook = "service_clients()"
        self.assertInvalid(v.validate_services, ["dns"], hook=hook, says="list")
        self.assertInvalid(v.validate_services, {"dns": "not callable"}, hook=hook,
                           says="not callable")
        for name in ("DNS", "", "1dns", "dns\n", None):
            self.assertInvalid(v.validate_services, {name: factory}, hook=hook, says="invalid")

    def test_test_package(self):
        self.assertIsNone(v.validate_test_package("p", None, "pkg"))
        self.assertEqual("pkg.tests", v.validate_test_package("p", "pkg.tests", "pkg"))
        hook = "test_package()"
        self.assertInvalid(v.validate_test_package, 42, "pkg", hook=hook, says="42")
        self.assertInvalid(v.validate_test_package, "pkg..tests", "pkg", hook=hook,
                           says="dotted")
        self.assertInvalid(v.validate_test_package, "pkg.tests\n", "pkg", hook=hook,
                           says="dotted")
        self.assertInvalid(v.validate_test_package, "other.tests", "pkg", hook=hook,
                           says="outside")

    def test_quota_resources(self):
        res = api.QuotaResource("zones", 10)
        self.assertEqual([res], v.validate_quota_resources("p", [res]))
        hook = "quota_resources()"
        self.assertInvalid(v.validate_quota_resources, {"zones": 10}, hook=hook, says="dict")
        self.assertInvalid(v.validate_quota_resources, [{"name": "zones"}], hook=hook,
                           says="not a plugfair.api.QuotaResource")
        self.assertInvalid(v.validate_quota_resources, [res, api.QuotaResource("zones", 1)],
                           hook=hook, says="twice")

    def test_quota_usage(self):
        self.assertEqual({"a": 3}, v.validate_usage("p", {"a": 3, "zz": 9}, ["a", "b"]))
        hook = "quota_usage()"
        self.assertInvalid(v.validate_usage, [("a", 1)], ["a"], hook=hook, says="list")
        for bad in (-1, 1.5, "3", True, None):
            self.assertInvalid(v.validate_usage, {"a": bad}, ["a"], hook=hook, says="integer")

    def test_class_checks(self):
        class Good(api.Plugin):
            name = "good"

        self.assertIs(Good, v.check_class("good", Good))

        class Groups(api.Plugin):
            name = "groups"
            config_groups = ["Bad Group"]  # type: ignore[assignment]

        self.assertInvalid(lambda p, *a: v.check_class("groups", Groups), hook="config_groups",
                           says="lowercase")

        class Desc(api.Plugin):
            name = "desc"
            description = 3  # type: ignore[assignment]

        self.assertInvalid(lambda p, *a: v.check_class("desc", Desc), hook="description",
                           says="string")
        instance = Good(None)  # type: ignore[arg-type]
        self.assertInvalid(lambda p, *a: v.check_class("good", instance), hook="entry point",
                           says="not a subclass")
        self.assertInvalid(lambda p, *a: v.check_class("other", Good), hook="name",
                           says="must be equal")
        self.assertInvalid(lambda p, *a: v.check_class("Good", Good), hook="name",
                           says="lowercase")


class TestQuotaResource(base.TestCase):
    def test_valid(self):
        res = api.QuotaResource("zones", 10, unit="count", description="DNS zones.")
        self.assertEqual("dns.zones", res.key("dns"))
        self.assertEqual(-1, api.QuotaResource("x", api.UNLIMITED).default)
        self.assertEqual(api.MAX_LIMIT, api.QuotaResource("x", 2**31 - 1).default)

    def test_invalid(self):
        cases: list[dict[str, Any]] = [
            {"name": "Zones", "default": 1},
            {"name": "zones\n", "default": 1},
            {"name": "z" * 64, "default": 1},
            {"name": "zones", "default": -2},
            {"name": "zones", "default": 2**31},
            {"name": "zones", "default": True},
            {"name": "zones", "default": 1.5},
            {"name": "zones", "default": 1, "unit": ""},
            {"name": "zones", "default": 1, "unit": "u" * 33},
            {"name": "zones", "default": 1, "description": "d" * 1025},
        ]
        for kwargs in cases:
            with self.assertRaises(api.QuotaError, msg=repr(kwargs)):
                api.QuotaResource(**kwargs)

    def test_limits_from_text(self):
        from plugfair.interface.quota import validate_limit

        self.assertEqual(5, validate_limit(" 5 "))
        self.assertEqual(-1, validate_limit("-1"))
        for bad in ("five", "5.0", "", "-2", "9" * 5000, "-" + "9" * 30, "0x10"):
            with self.assertRaises(api.QuotaError, msg=bad[:20]) as ctx:
                validate_limit(bad)
            self.assertLess(len(str(ctx.exception)), 300)
