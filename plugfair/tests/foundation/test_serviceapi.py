"""plugfair.api.ServiceAPI against a FakeCloud: catalog, errors, availability."""

from __future__ import annotations

from typing import Any

from oslo_config import cfg

from plugfair.api import ConfigError, FakeCloud, PluginNotFound, ServiceAPI, ServiceError
from plugfair.tests import base

PREFIX = "/widget/v1"


class WidgetError(ServiceError):
    pass


class WidgetNotFound(WidgetError, LookupError):
    pass


class WidgetConflict(WidgetError):
    pass


def widget_conf(**values: Any) -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    conf.register_opts(ServiceAPI.config_options(
        "widget", name="the widget API", example="http://widget.example.com/v1"), group="widgets")
    conf(args=[], default_config_files=[], default_config_dirs=[])
    for name, value in values.items():
        conf.set_override(name, value, group="widgets")
    return conf


class Services:
    """A ServiceClients with one client, or none."""

    def __init__(self, **clients: Any) -> None:
        self.clients = clients

    def service_client(self, service: str) -> Any:
        if service not in self.clients:
            raise PluginNotFound("service:%s" % service)
        return self.clients[service]


def connect(services: Any, conf: cfg.ConfigOpts | None = None) -> ServiceAPI:
    return ServiceAPI.from_config(conf or widget_conf(), "widgets", services, via="keys",
                                  name="the widget API", error=WidgetError,
                                  errors={404: WidgetNotFound, 409: WidgetConflict})


class TestCalls(base.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"widget": PREFIX}))
        self.api = connect(Services(keys=self.cloud.identity_client()))

    def test_json_member_through_the_catalog(self) -> None:
        self.cloud.add("GET", PREFIX + "/widgets", {"widgets": [{"id": "w1"}]})
        self.assertIsNone(self.api.unavailable())
        self.assertEqual([{"id": "w1"}], self.api.json("GET", "/widgets", "widgets",
                                                      what="list widgets"))
        (sent,) = self.cloud.sent("GET")
        self.assertEqual(FakeCloud.TOKEN, sent.headers["X-Auth-Token"])

    def test_whole_answer_parameters_and_body(self) -> None:
        self.cloud.add("POST", PREFIX + "/widgets", {"id": "w1"}, status=201)
        body = self.api.json("POST", "/widgets", ok=(201,), json={"name": "a"},
                             params={"dry": "no"}, what="create widget a")
        self.assertEqual({"id": "w1"}, body)
        self.assertEqual(({"name": "a"}, {"dry": ["no"]}),
                         (self.cloud.sent("POST")[0].body, self.cloud.sent("POST")[0].query))

    def test_status_maps_to_the_plugins_errors(self) -> None:
        self.cloud.add("GET", PREFIX + "/widgets/w1",
                       {"itemNotFound": {"code": 404, "message": "No widget w1."}}, status=404)
        self.cloud.add("PUT", PREFIX + "/widgets/w1",
                       {"code": 409, "message": "Duplicate widget"}, status=409)
        self.cloud.add("DELETE", PREFIX + "/widgets/w1",
                       {"error": {"message": "boom", "code": 500}}, status=500)
        with self.assertRaises(WidgetNotFound) as missing:
            self.api.request("GET", "/widgets/w1", what="show widget w1")
        self.assertEqual(404, getattr(missing.exception, "status_code", None))
        self.assertEqual("Could not show widget w1: the widget API answered HTTP 404 "
                         "(No widget w1.).", str(missing.exception))
        with self.assertRaises(WidgetConflict) as conflict:
            self.api.request("PUT", "/widgets/w1", what="rename widget w1")
        self.assertIn("HTTP 409 (Duplicate widget)", str(conflict.exception))
        with self.assertRaises(WidgetError) as failed:
            self.api.request("DELETE", "/widgets/w1", ok=(204,), what="delete widget w1")
        self.assertNotIsInstance(failed.exception, (WidgetNotFound, WidgetConflict))
        self.assertIn("HTTP 500 (boom)", str(failed.exception))

    def test_answer_without_the_member_or_json(self) -> None:
        self.cloud.add("GET", PREFIX + "/widgets", {"unexpected": []})
        with self.assertRaises(WidgetError) as ctx:
            self.api.json("GET", "/widgets", "widgets", what="list widgets")
        self.assertIn("GET /widgets has no 'widgets' member", str(ctx.exception))
        self.cloud.add("GET", PREFIX + "/empty", None, status=200)
        with self.assertRaises(WidgetError) as ctx2:
            self.api.json("GET", "/empty", what="read nothing")
        self.assertIn("is not JSON", str(ctx2.exception))

    def test_path_quotes_each_part(self) -> None:
        self.assertEqual("/widgets/a%2Fb/parts/c%20d",
                         ServiceAPI.path("/widgets/%s/parts/%s", "a/b", "c d"))


class TestEndpoints(base.TestCase):
    def test_not_in_the_catalog(self) -> None:
        cloud = self.useFixture(FakeCloud({"other": "/other"}))
        api = connect(Services(keys=cloud.identity_client()))
        self.assertFalse(api.in_catalog())
        self.assertIn("no 'widget' endpoint (interface public, region any); set [widgets] "
                      "service_type", api.unavailable() or "")
        with self.assertRaises(WidgetError) as ctx:
            api.request("GET", "/widgets", what="list widgets")
        self.assertIn("Set [widgets] service_type, region_name or endpoint_override",
                      str(ctx.exception))

    def test_options_choose_the_endpoint(self) -> None:
        cloud = self.useFixture(FakeCloud({"widget": PREFIX, "gadget": "/gadget"}))
        cloud.add("GET", "/gadget/items", {"items": [1]})
        cloud.add("GET", "/override/items", {"items": [2]})
        services = Services(keys=cloud.identity_client())
        by_type = connect(services, widget_conf(service_type="gadget", interface="internal"))
        self.assertEqual([1], by_type.json("GET", "/items", "items", what="list items"))
        self.assertEqual("internal", by_type.adapter.interface)
        elsewhere = connect(services, widget_conf(region_name="Other"))
        self.assertFalse(elsewhere.in_catalog())
        override = connect(services, widget_conf(endpoint_override=cloud.base + "/override"))
        self.assertEqual([2], override.json("GET", "/items", "items", what="list items"))

    def test_the_session_defaults_apply(self) -> None:
        cloud = self.useFixture(FakeCloud({"widget": PREFIX}))
        api = connect(Services(keys=cloud.identity_client(region_name="Other")))
        self.assertFalse(api.in_catalog())
        api = connect(Services(keys=cloud.identity_client(interface="admin")))
        self.assertEqual("admin", api.adapter.interface)
        self.assertTrue(api.in_catalog())

    def test_no_answer_is_the_plugins_error(self) -> None:
        cloud = self.useFixture(FakeCloud({"widget": PREFIX}))
        dead = "http://127.0.0.1:9"  # the discard port: nothing listens
        api = connect(Services(keys=cloud.identity_client()), widget_conf(endpoint_override=dead))
        with self.assertRaises(WidgetError) as ctx:
            api.request("GET", "/widgets", what="list widgets")
        self.assertIsNone(getattr(ctx.exception, "status_code", "missing"))
        self.assertTrue(str(ctx.exception).startswith("Could not list widgets: "))


class TestUnavailable(base.TestCase):
    def test_no_client_of_the_via_service(self) -> None:
        api = connect(Services())
        reason = api.unavailable() or ""
        self.assertIn("Cannot reach the widget API: the 'keys' service client is not "
                      "available", reason)
        self.assertIn("service:keys", reason)
        with self.assertRaises(WidgetError) as ctx:
            api.request("GET", "/widgets", what="list widgets")
        self.assertEqual(reason, str(ctx.exception))

    def test_no_service_clients_at_all(self) -> None:
        api = connect(None)
        self.assertIn("was not given", api.unavailable() or "")
        with self.assertRaises(WidgetError):
            api.adapter  # noqa: B018

    def test_no_cloud_configured_is_a_reason(self) -> None:
        cloud = self.useFixture(FakeCloud({"widget": PREFIX}))
        api = connect(Services(keys=cloud.identity_client(configured=False)))
        self.assertIn("no cloud configured", api.unavailable() or "")
        with self.assertRaises(ConfigError):
            api.request("GET", "/widgets", what="list widgets")
        self.assertEqual([], cloud.sent())

    def test_a_client_configured_wrongly_raises(self) -> None:
        class Broken:
            configured = True

            def adapter(self, *args: Any, **kwargs: Any) -> Any:
                raise ConfigError("[keys] auth_url is not a URL.")

        api = connect(Services(keys=Broken()))
        with self.assertRaises(ConfigError) as ctx:
            api.unavailable()
        self.assertEqual("[keys] auth_url is not a URL.", str(ctx.exception))

    def test_no_answer_from_the_identity_service_raises(self) -> None:
        class Refused:
            configured = True

            def adapter(self, service_type: str, **kwargs: Any) -> Any:
                from keystoneauth1 import adapter, session
                from keystoneauth1.identity import v3

                auth = v3.Password(auth_url="http://127.0.0.1:9/v3", username="u",
                                   password="p", user_domain_id="default", project_id="p")
                return adapter.Adapter(session.Session(auth=auth), service_type=service_type)

        api = connect(Services(keys=Refused()))
        with self.assertRaises(WidgetError) as ctx:
            api.unavailable()
        self.assertIn("Could not read the service catalog", str(ctx.exception))


class TestConfigOptions(base.TestCase):
    def test_names_defaults_and_help(self) -> None:
        opts = ServiceAPI.config_options("dns", name="Designate",
                                         example="http://designate.example.com:9001")
        self.assertEqual(["service_type", "interface", "region_name", "endpoint_override"],
                         [o.name for o in opts])
        self.assertEqual(["dns", None, None, None], [o.default for o in opts])
        self.assertIn("Designate", opts[0].help)
        self.assertIn("http://designate.example.com:9001", opts[3].help)
        fresh = ServiceAPI.config_options("dns", name="Designate", example="x")
        self.assertIsNot(opts[0], fresh[0])
