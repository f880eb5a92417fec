"""The network client against recorded Neutron answers served on 127.0.0.1."""

from __future__ import annotations

from plugfair.api import FakeCloud, FakeHost, TestCase
from plugfair_plugins.network import client as network_client
from plugfair_plugins.network import quota, views
from plugfair_plugins.network.plugin import NetworkPlugin
from plugfair_plugins.network.tests import payloads

PREFIX = "/networking"
NAMES = [r.name for r in quota.RESOURCES]
PROJECT_ID, TOKEN = FakeCloud.PROJECT_ID, FakeCloud.TOKEN


class RecordedNetworkTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"network": PREFIX}))
        host = self.useFixture(FakeHost(NetworkPlugin,
                                        services={"identity": self.cloud.identity_client()}))
        self.client = host.service_client("network")

    def test_list_networks_through_the_catalog(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/networks", payloads.NETWORKS)
        columns, rows = views.network_list(self.client)
        self.assertEqual(views.NETWORK_COLUMNS, columns)
        self.assertEqual(["private", "public"], [r[1] for r in rows])
        self.assertEqual(payloads.SUBNET_ID, rows[0][3])
        (request,) = self.cloud.sent("GET")
        self.assertEqual(TOKEN, request.headers["X-Auth-Token"])

    def test_list_networks_of_a_project(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/networks", {"networks": []})
        self.assertEqual([], self.client.list_networks(project_id="p2"))
        self.assertEqual({"project_id": ["p2"]}, self.cloud.sent("GET")[0].query)

    def test_show_network_by_id_and_by_name(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/networks/" + payloads.NETWORK_ID,
                       {"network": payloads.network()})
        columns, values = views.network_show(self.client, payloads.NETWORK_ID)
        shown = dict(zip(columns, values, strict=True))
        self.assertEqual((1450, False, PROJECT_ID), (shown["mtu"], shown["router:external"],
                                                     shown["project_id"]))
        self.cloud.add("GET", PREFIX + "/v2.0/networks/private", payloads.NOT_FOUND, status=404)
        self.cloud.add("GET", PREFIX + "/v2.0/networks", {"networks": [payloads.network()]})
        self.assertEqual(payloads.NETWORK_ID, self.client.get_network("private")["id"])
        self.assertEqual({"name": ["private"]}, self.cloud.sent("GET", PREFIX + "/v2.0/networks")[0].query)

    def test_unknown_and_ambiguous_network(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/networks", {"networks": []})
        with self.assertRaises(network_client.NetworkNotFound) as ctx:
            self.client.get_network("nope")
        self.assertIn("network list", str(ctx.exception))
        twins = {"networks": [payloads.network("a", "twin"), payloads.network("b", "twin")]}
        self.cloud.add("GET", PREFIX + "/v2.0/networks", twins)
        with self.assertRaises(network_client.NetworkError) as ctx2:
            self.client.get_network("twin")
        self.assertIn("2 networks are named 'twin'", str(ctx2.exception))

    def test_create_and_delete_cycles(self) -> None:
        self.cloud.add("POST", PREFIX + "/v2.0/networks", {"network": payloads.network()}, 201)
        self.cloud.add("POST", PREFIX + "/v2.0/subnets",
                       {"subnet": payloads.SUBNETS["subnets"][0]}, 201)
        self.cloud.add("POST", PREFIX + "/v2.0/security-groups", payloads.SECURITY_GROUP, 201)
        for path in ("networks/" + payloads.NETWORK_ID, "subnets/" + payloads.SUBNET_ID,
                     "security-groups/" + str(payloads.SECURITY_GROUP["security_group"]["id"])):
            self.cloud.add("DELETE", PREFIX + "/v2.0/" + path, None, 204)
        net = self.client.create_network("private")
        subnet = self.client.create_subnet(net["id"], "10.0.0.0/24", name="private-v4")
        group = self.client.create_security_group("web")
        self.client.delete_subnet(subnet["id"])
        self.client.delete_network(net["id"])
        self.client.delete_security_group(group["id"])
        bodies = [r.body for r in self.cloud.sent("POST")]
        self.assertEqual([
            {"network": {"name": "private", "admin_state_up": True}},
            {"subnet": {"network_id": payloads.NETWORK_ID, "cidr": "10.0.0.0/24",
                        "ip_version": 4, "name": "private-v4"}},
            {"security_group": {"name": "web", "description": ""}},
        ], bodies)
        self.assertEqual(3, len(self.cloud.sent("DELETE")))

    def test_usage_from_quota_details(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID,
                       payloads.QUOTA_DETAILS)
        self.assertEqual({"network": 2, "subnet": 2, "port": 5, "router": 1, "floatingip": 1,
                          "security_group": 1, "security_group_rule": 4},
                         dict(quota.usage(self.client, PROJECT_ID, NAMES)))

    def test_usage_counted_by_listing_without_the_details_extension(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/quotas/%s/details" % PROJECT_ID,
                       payloads.EXTENSION_MISSING, 404)
        self.cloud.add("GET", PREFIX + "/v2.0/networks", payloads.NETWORKS)
        self.cloud.add("GET", PREFIX + "/v2.0/subnets", payloads.SUBNETS)
        self.cloud.add("GET", PREFIX + "/v2.0/security-group-rules",
                       {"security_group_rules": [{"id": "r1"}, {"id": "r2"}]})
        usage = quota.usage(self.client, PROJECT_ID,
                            ["network", "subnet", "security_group_rule", "bogus"])
        self.assertEqual({"network": 2, "subnet": 1, "security_group_rule": 2}, dict(usage))
        for request in self.cloud.sent("GET")[1:]:
            self.assertEqual({"project_id": [PROJECT_ID], "fields": ["id"]}, request.query)

    def test_api_error_is_reported_clearly(self) -> None:
        self.cloud.add("GET", PREFIX + "/v2.0/networks", payloads.FAULT, status=500)
        with self.assertRaises(network_client.NetworkError) as ctx:
            self.client.list_networks()
        self.assertEqual(500, getattr(ctx.exception, "status_code", None))
        self.assertIn("HTTP 500 (Request Failed", str(ctx.exception))
