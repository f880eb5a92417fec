"""The stable test API: plugfair.api.TestCase, idempotent_id, skips."""

from __future__ import annotations

import logging
import os

import testtools

from plugfair import api
from plugfair.api import (
    ConfigError,
    PluginNotFound,
    TestCase,
    UsageError,
    idempotent_id,
    requires_service,
)
from plugfair.tests.testhost.helpers import TesthostTestCase

UUID = "3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b"

SERVICE_PLUGIN = '''
    def config_options(self):
        from oslo_config import cfg
        return [("{name}", [cfg.StrOpt("endpoint", help="Where it is."),
                            cfg.IntOpt("retries", default=3, help="How often.")])]

    def service_clients(self):
        def make(conf):
            return {{"service": "{service}", "endpoint": conf.{name}.endpoint,
                     "retries": conf.{name}.retries}}
        return {{"{service}": make}}
'''


def run_case(case: testtools.TestCase) -> testtools.TestResult:
    result = testtools.TestResult()
    case.run(result)
    return result


class ApiSurfaceTest(testtools.TestCase):
    def test_names_are_public(self):
        for name in ("TestCase", "ConfigOverride", "idempotent_id", "requires_service"):
            self.assertIn(name, api.__all__)
            self.assertTrue(getattr(api, name).__module__.startswith("plugfair.interface."))
        self.assertTrue(issubclass(api.TestCase, testtools.TestCase))


class IdempotentIdTest(testtools.TestCase):
    def test_id_is_in_the_test_id_and_docstring(self):
        class T(TestCase):
            @idempotent_id(UUID)
            def test_x(self):
                """Does x."""

        case = T("test_x")
        self.assertEqual(case.id().split(".")[-1], "test_x[id-%s]" % UUID)
        self.assertIn("Test idempotent id: %s" % UUID, T.test_x.__doc__ or "")
        self.assertEqual(UUID, getattr(T.test_x, "__plugfair_idempotent_id__", None))

    def test_bad_ids_are_refused(self):
        bad_ids: list[object] = ["", "not-a-uuid", UUID.upper(), UUID.replace("-", ""), UUID + "0", 42, None]
        for bad in bad_ids:
            with self.assertRaises(UsageError):
                idempotent_id(bad)  # type: ignore[arg-type]

    def test_a_test_has_one_id(self):
        def test_x(self):
            pass

        idempotent_id(UUID)(test_x)
        idempotent_id(UUID)(test_x)  # the same id again is harmless
        with self.assertRaises(UsageError) as ctx:
            idempotent_id("00000000-0000-4000-8000-000000000000")(test_x)
        self.assertIn(UUID, str(ctx.exception))


class ResourcesTest(testtools.TestCase):
    def test_cleanups_run_when_the_test_fails(self):
        calls: list[str] = []

        class T(TestCase):
            def test_x(self):
                a = self.track_resource("a", calls.append)
                self.add_resource_cleanup(calls.append, "b")
                self.assertEqual("a", a)
                self.fail("on purpose")

        result = run_case(T("test_x"))
        self.assertEqual(1, len(result.failures))
        self.assertEqual(["b", "a"], calls)

    def test_cleanups_run_when_setup_fails(self):
        calls: list[str] = []

        class T(TestCase):
            def setUp(self):
                super().setUp()
                self.track_resource("made in setUp", calls.append)
                raise RuntimeError("setUp breaks")

            def test_x(self):
                calls.append("test body")

        result = run_case(T("test_x"))
        self.assertEqual(1, len(result.errors))
        self.assertEqual(["made in setUp"], calls)

    def test_ignored_and_failing_cleanups(self):
        calls: list[str] = []

        class Gone(Exception):
            pass

        def gone(name):
            calls.append(name)
            raise Gone(name)

        def broken(name):
            calls.append(name)
            raise RuntimeError("cleanup of %s failed" % name)

        class T(TestCase):
            def test_x(self):
                self.track_resource("first", calls.append)
                self.track_resource("broken", broken)
                self.track_resource("already gone", gone, ignore=(Gone,))

        result = run_case(T("test_x"))
        # every cleanup ran; only the unexpected failure is reported
        self.assertEqual(["already gone", "broken", "first"], calls)
        self.assertEqual(1, len(result.errors))
        self.assertIn("cleanup of broken failed", result.errors[0][1])

    def test_temp_dir_is_removed(self):
        seen = []

        class T(TestCase):
            def test_x(self):
                path = self.make_temp_dir()
                with open(os.path.join(path, "f"), "w") as f:
                    f.write("x")
                seen.append(path)

        self.assertTrue(run_case(T("test_x")).wasSuccessful())
        self.assertFalse(os.path.exists(seen[0]))

    def test_logs_are_captured_into_the_details(self):
        class T(TestCase):
            def test_x(self):
                logging.getLogger("some.plugin").info("the plugin said hello")
                assert self.logs is not None
                self.assertIn("the plugin said hello", self.logs.output)
                self.fail("show me the logs")

        result = run_case(T("test_x"))
        self.assertIn("the plugin said hello", result.failures[0][1])

    def test_log_capture_can_be_turned_off(self):
        class T(TestCase):
            capture_logs = False

            def test_x(self):
                self.assertIsNone(self.logs)

        self.assertTrue(run_case(T("test_x")).wasSuccessful())


class HostAccessTest(TesthostTestCase):
    def setUp(self):
        super().setUp()
        self.add_plugin("thdns", body=SERVICE_PLUGIN.format(name="thdns", service="th_zones"))
        self.add_plugin("thother", body=SERVICE_PLUGIN.format(name="thother", service="th_things"))

    def test_service_client_through_the_registry(self):
        self.host(["thdns", "thother"], extra="[thdns]\nendpoint = http://127.0.0.1:9/\n")
        got = []

        class T(TestCase):
            def test_x(self):
                self.registry.load("thdns")  # type: ignore[attr-defined]  # registers its options
                got.append(self.service_client("th_zones"))
                self.override_config("thdns", retries=7)
                got.append(self.service_client("th_zones"))
                with self.assertRaises(PluginNotFound):
                    self.service_client("nothing-offers-this")

        result = run_case(T("test_x"))
        self.assertTrue(result.wasSuccessful(), result.errors + result.failures)
        self.assertEqual(
            [
                {"service": "th_zones", "endpoint": "http://127.0.0.1:9/", "retries": 3},
                {"service": "th_zones", "endpoint": "http://127.0.0.1:9/", "retries": 7},
            ],
            got,
        )

    def test_config_overrides_are_per_test_and_nest(self):
        host = self.host(["thdns"])
        host.registry.load("thdns")
        conf = host.conf

        class T(TestCase):
            def test_x(self):
                self.override_config("thdns", retries=5, endpoint="http://a/")
                self.assertEqual(5, self.conf.thdns.retries)
                self.override_config("thdns", retries=6)
                self.assertEqual(6, self.conf.thdns.retries)

            def test_bad(self):
                self.override_config("thdns", retries="many")

            def test_unknown(self):
                self.override_config("thdns", nope=1)

        self.assertTrue(run_case(T("test_x")).wasSuccessful())
        self.assertEqual(3, conf.thdns.retries)
        self.assertIsNone(conf.thdns.endpoint)
        for name, message in (("test_bad", "Cannot override [thdns] retries with 'many'"),
                              ("test_unknown", "no such option is registered")):
            result = run_case(T(name))
            self.assertEqual(1, len(result.errors))
            self.assertIn(ConfigError.__name__, result.errors[0][1])
            self.assertIn(message, result.errors[0][1])
        self.assertEqual(3, conf.thdns.retries)

    def test_service_skips_come_from_configuration(self):
        class T(TestCase):
            @requires_service("th_zones")
            def test_zones(self):
                pass

            @requires_service("th_things", "th_zones")
            def test_both(self):
                pass

            @requires_service("nobody-offers-this")
            def test_missing(self):
                pass

        def outcomes(host_kwargs):
            self.host(**host_kwargs)
            out = {}
            for name in ("test_zones", "test_both", "test_missing"):
                result = run_case(T(name))
                self.assertTrue(result.wasSuccessful(), result.errors + result.failures)
                reasons = list(result.skip_reasons)
                out[name] = reasons[0] if reasons else "ran"
            return out

        got = outcomes({"enabled": ["thdns", "thother"]})
        self.assertEqual("ran", got["test_zones"])
        self.assertEqual("ran", got["test_both"])
        self.assertIn("no enabled plugin offers service 'nobody-offers-this'", got["test_missing"])

        got = outcomes({"enabled": ["thdns", "thother"],
                        "extra": "[plugfair_tests]\nunavailable_services = th_things\n"})
        self.assertEqual("ran", got["test_zones"])
        self.assertIn("'th_things' is listed in [plugfair_tests] unavailable_services", got["test_both"])

        got = outcomes({"enabled": ["thdns", "thother"],
                        "extra": "[plugfair_tests]\navailable_services = th_things\n"})
        self.assertIn("'th_zones' is not listed in [plugfair_tests] available_services", got["test_zones"])

        got = outcomes({"enabled": ["thother"]})  # the plugin offering zones is off
        self.assertIn("no enabled plugin offers service 'th_zones'", got["test_zones"])

    def test_two_plugins_offering_one_service_collide(self):
        self.add_plugin("thdns_two", body=SERVICE_PLUGIN.format(name="thdns_two", service="th_zones"))
        self.host(["thdns", "thdns_two"])

        @requires_service("th_zones")
        class T(TestCase):
            def test_x(self):
                pass

        result = run_case(T("test_x"))
        reason = list(result.skip_reasons)[0]
        self.assertIn("offered by more than one plugin (thdns, thdns_two)", reason)

    def test_require_config(self):
        self.host(["thdns"], extra="[thdns]\nendpoint = http://127.0.0.1:9/\n")
        context_registry = []

        class T(TestCase):
            def setUp(self):
                super().setUp()
                self.registry.load("thdns")  # type: ignore[attr-defined]
                context_registry.append(self.registry)

            def test_set(self):
                self.require_config("thdns", "endpoint", "retries")

            def test_unset(self):
                self.override_config("thdns", endpoint=None)
                self.require_config("thdns", "endpoint")

            def test_unknown(self):
                self.require_config("thdns", "nope")

        self.assertEqual({}, run_case(T("test_set")).skip_reasons)
        self.assertIn("Requires [thdns] endpoint to be set.", run_case(T("test_unset")).skip_reasons)
        self.assertIn("Requires [thdns] nope, which is not registered.", run_case(T("test_unknown")).skip_reasons)

    def test_requires_service_refuses_bad_use(self):
        with self.assertRaises(UsageError):
            requires_service()
        with self.assertRaises(UsageError):
            requires_service("th_zones")(int)
