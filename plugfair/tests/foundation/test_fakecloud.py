"""plugfair.api.FakeCloud: a real HTTP server, a real keystoneauth1 session."""

from __future__ import annotations

from keystoneauth1 import exceptions as ks_exc

from plugfair.api import FakeCloud, RecordedRequest
from plugfair.tests import base


class TestFakeCloud(base.TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"dns": "/dns/v2"}))
        self.session = self.cloud.session()

    def test_catalog_and_recorded_answer(self) -> None:
        self.cloud.add("GET", "/dns/v2/zones", {"zones": [{"name": "example.org."}]})
        self.assertEqual(self.cloud.base + "/dns/v2",
                         self.session.get_endpoint(service_type="dns", interface="public"))
        resp = self.session.get("/zones", endpoint_filter={"service_type": "dns"})
        self.assertEqual([{"name": "example.org."}], resp.json()["zones"])
        self.assertEqual(FakeCloud.PROJECT_ID, self.session.get_project_id())
        sent = self.cloud.sent("GET", "/dns/v2/zones")
        self.assertEqual(1, len(sent))
        self.assertIsInstance(sent[0], RecordedRequest)
        self.assertEqual(FakeCloud.TOKEN, sent[0].headers["X-Auth-Token"])

    def test_query_specific_answers(self) -> None:
        self.cloud.add("GET", "/dns/v2/zones", {"zones": []})
        self.cloud.add("GET", "/dns/v2/zones", {"zones": [1]}, query="name=a")
        get = self.session.get
        flt = {"service_type": "dns"}
        self.assertEqual([1], get("/zones?name=a", endpoint_filter=flt).json()["zones"])
        self.assertEqual([], get("/zones?name=b", endpoint_filter=flt).json()["zones"])
        self.assertEqual({"name": ["a"]}, self.cloud.sent()[0].query)

    def test_unknown_route_is_404_and_bad_token_401(self) -> None:
        with self.assertRaises(ks_exc.NotFound):
            self.session.get("/nosuch", endpoint_filter={"service_type": "dns"})
        import urllib.error
        import urllib.request

        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(self.cloud.base + "/dns/v2/zones", timeout=5)
        error = ctx.exception
        assert error is not None
        self.assertEqual(401, error.code)

    def test_posted_json_is_recorded(self) -> None:
        self.cloud.add("POST", "/dns/v2/zones", {"id": "z1"}, status=201)
        resp = self.session.post("/zones", json={"name": "a.org."},
                                 endpoint_filter={"service_type": "dns"})
        self.assertEqual(201, resp.status_code)
        self.assertEqual({"name": "a.org."}, self.cloud.sent("POST")[0].body)


class TestIdentityStandIn(base.TestCase):
    def test_adapter_on_the_cloud(self) -> None:
        cloud = self.useFixture(FakeCloud({"dns": "/dns/v2"}))
        cloud.add("GET", "/dns/v2/zones", {"zones": []})
        client = cloud.identity_client(region_name="RegionOne", interface="internal")
        self.assertTrue(client.configured)
        self.assertIs(client.session, client.session)
        adapter = client.adapter("dns")
        self.assertEqual(("internal", "RegionOne"), (adapter.interface, adapter.region_name))
        self.assertEqual({"zones": []}, adapter.get("/zones").json())
        self.assertEqual(cloud.base + "/dns/v2", adapter.get_endpoint())
        self.assertEqual("admin", client.adapter("dns", interface="admin").interface)

    def test_without_a_cloud(self) -> None:
        from plugfair.api import ConfigError

        cloud = self.useFixture(FakeCloud({"dns": "/dns/v2"}))
        client = cloud.identity_client(configured=False)
        self.assertFalse(client.configured)
        with self.assertRaises(ConfigError):
            client.adapter("dns")
        self.assertEqual([], cloud.requests)
