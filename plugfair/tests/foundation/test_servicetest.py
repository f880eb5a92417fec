"""plugfair.api.ServiceTestCase: a service's client through the registry, or a skip."""

from __future__ import annotations

import re

import testtools

from plugfair.api import ServiceTestCase, UsageError
from plugfair.tests.testhost.helpers import TesthostTestCase

WIDGETS = '''
    def config_options(self):
        from plugfair.api import ServiceAPI
        return [("thwidget", ServiceAPI.config_options(
            "widget", name="the widget API", example="http://widget.example.com"))]

    def service_clients(self):
        from plugfair.api import ServiceAPI, ServiceError

        class Client:
            def __init__(self, api):
                self.api = api

        def plain(conf):
            return {"plain": True}

        def widget(conf, services):
            return Client(ServiceAPI.from_config(conf, "thwidget", services, via="th_keys",
                                                 name="the widget API", error=ServiceError))

        return {"th_plain": plain, "th_widget": widget}
'''


def run_case(case: testtools.TestCase) -> testtools.TestResult:
    result = testtools.TestResult()
    case.run(result)
    return result


class TestServiceTestCase(TesthostTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.add_plugin("thwidget", body=WIDGETS)
        self.host(["thwidget"])
        self.seen: list[object] = []

    def outcome(self, service: str) -> tuple[testtools.TestResult, str]:
        seen = self.seen

        class T(ServiceTestCase):
            def test_x(self) -> None:
                seen.append(self.client)

        T.service = service
        result = run_case(T("test_x"))
        self.assertEqual([], result.errors + result.failures)
        reasons = list(result.skip_reasons)
        return result, reasons[0] if reasons else "ran"

    def test_the_client_comes_from_the_registry(self) -> None:
        self.assertEqual("ran", self.outcome("th_plain")[1])
        self.assertEqual([{"plain": True}], self.seen)

    def test_skips_when_the_api_cannot_be_reached(self) -> None:
        reason = self.outcome("th_widget")[1]
        self.assertIn("The 'th_widget' service client cannot reach its API: Cannot reach the "
                      "widget API: the 'th_keys' service client is not available", reason)
        self.assertEqual([], self.seen)

    def test_skips_when_no_plugin_offers_the_service(self) -> None:
        reason = self.outcome("th_nothing")[1]
        self.assertIn("no enabled plugin offers service 'th_nothing'", reason)

    def test_a_service_must_be_named(self) -> None:
        class T(ServiceTestCase):
            def test_x(self) -> None:
                pass

        result = run_case(T("test_x"))
        self.assertEqual(1, len(result.errors))
        self.assertIn(UsageError.__name__, result.errors[0][1])
        self.assertIn("set its class attribute 'service'", result.errors[0][1])

    def test_unique_names(self) -> None:
        names: list[str] = []

        class T(ServiceTestCase):
            service = "th_plain"

            def test_x(self) -> None:
                names.extend([self.unique_name(), self.unique_name("zone")])

        self.assertTrue(run_case(T("test_x")).wasSuccessful())
        self.assertRegex(names[0], r"^plugfair-test-[0-9a-f]{12}$")
        self.assertTrue(re.match(r"^zone-[0-9a-f]{12}$", names[1]), names[1])
        self.assertNotEqual(names[0][-12:], names[1][-12:])
