"""The compute client against recorded Nova answers served on 127.0.0.1."""

from __future__ import annotations

from plugfair.api import FakeCloud, FakeHost, TestCase
from plugfair_plugins.compute import client as compute_client
from plugfair_plugins.compute import quota, views
from plugfair_plugins.compute.plugin import ComputePlugin
from plugfair_plugins.compute.tests import payloads

PREFIX = "/compute/v2.1"
PROJECT_ID, TOKEN = FakeCloud.PROJECT_ID, FakeCloud.TOKEN


class RecordedComputeTest(TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.cloud = self.useFixture(FakeCloud({"compute": PREFIX}))
        host = self.useFixture(FakeHost(ComputePlugin,
                                        services={"identity": self.cloud.identity_client()}))
        self.client = host.service_client("compute")

    def test_list_servers_through_the_catalog(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/detail", payloads.SERVERS_DETAIL)
        servers = self.client.list_servers()
        self.assertEqual(["web-1", "db-1"], [s["name"] for s in servers])
        (request,) = self.cloud.sent("GET")
        self.assertEqual(TOKEN, request.headers["X-Auth-Token"])
        self.assertEqual({}, request.query)

        columns, rows = views.server_list(self.client)
        self.assertEqual(views.SERVER_COLUMNS, columns)
        self.assertEqual(["db-1", "web-1"], [r[1] for r in rows])
        self.assertEqual("private=10.0.0.5, fd00::5", rows[1][3])
        self.assertEqual((payloads.IMAGE_ID, "1"), rows[1][4:])

    def test_list_servers_of_another_project(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/detail", {"servers": []})
        self.assertEqual([], self.client.list_servers(project_id="p2"))
        (request,) = self.cloud.sent("GET")
        self.assertEqual({"all_tenants": ["True"], "project_id": ["p2"]}, request.query)

    def test_show_server_by_id(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/" + payloads.SERVER_ID,
                       {"server": payloads.server()})
        columns, values = views.server_show(self.client, payloads.SERVER_ID)
        shown = dict(zip(columns, values, strict=True))
        self.assertEqual("web-1", shown["name"])
        self.assertEqual(PROJECT_ID, shown["project_id"])
        self.assertEqual("", shown["key_name"])

    def test_show_server_by_name(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/db-1", payloads.NOT_FOUND, status=404)
        self.cloud.add("GET", PREFIX + "/servers/detail", payloads.SERVERS_DETAIL)
        self.assertEqual("db-1", self.client.get_server("db-1")["name"])
        listing = self.cloud.sent("GET", PREFIX + "/servers/detail")[0]
        self.assertEqual(["^db\\-1$"], listing.query["name"])

    def test_unknown_server(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/detail", payloads.SERVERS_DETAIL)
        with self.assertRaises(compute_client.ComputeNotFound) as ctx:
            self.client.get_server("nope")
        self.assertIn("server list", str(ctx.exception))

    def test_ambiguous_server_name(self) -> None:
        twins = {"servers": [payloads.server("a", "twin"), payloads.server("b", "twin")]}
        self.cloud.add("GET", PREFIX + "/servers/detail", twins)
        with self.assertRaises(compute_client.ComputeError) as ctx:
            self.client.get_server("twin")
        self.assertIn("2 servers are named 'twin'", str(ctx.exception))

    def test_flavors(self) -> None:
        self.cloud.add("GET", PREFIX + "/flavors/detail", payloads.FLAVORS_DETAIL)
        columns, rows = views.flavor_list(self.client)
        self.assertEqual(views.FLAVOR_COLUMNS, columns)
        self.assertEqual([("1", "m1.tiny", 512, 1, 0, 1, True),
                          ("2", "m1.small", 2048, 20, 0, 1, True)], rows)

    def test_keypair_and_server_group_cycles(self) -> None:
        self.cloud.add("POST", PREFIX + "/os-keypairs", payloads.KEYPAIR_CREATED)
        self.cloud.add("GET", PREFIX + "/os-keypairs", payloads.KEYPAIRS)
        self.cloud.add("DELETE", PREFIX + "/os-keypairs/laptop", None, status=202)
        self.cloud.add("POST", PREFIX + "/os-server-groups", payloads.SERVER_GROUP)
        group_id = str(payloads.SERVER_GROUP["server_group"]["id"])
        self.cloud.add("DELETE", PREFIX + "/os-server-groups/" + group_id, None, status=204)

        created = self.client.create_keypair("laptop", payloads.PUBLIC_KEY)
        self.assertEqual("laptop", created["name"])
        self.assertEqual(["laptop"], [k["name"] for k in self.client.list_keypairs()])
        self.client.delete_keypair("laptop")
        group = self.client.create_server_group("spread")
        self.client.delete_server_group(group["id"])

        posts = self.cloud.sent("POST")
        self.assertEqual({"keypair": {"name": "laptop", "public_key": payloads.PUBLIC_KEY}},
                         posts[0].body)
        self.assertEqual({"server_group": {"name": "spread", "policies": ["anti-affinity"]}},
                         posts[1].body)
        self.assertEqual(2, len(self.cloud.sent("DELETE")))

    def test_quota_usage_from_the_detail_quota_set(self) -> None:
        self.cloud.add("GET", PREFIX + "/os-quota-sets/%s/detail" % PROJECT_ID,
                       payloads.QUOTA_DETAIL)
        names = [r.name for r in quota.RESOURCES]
        self.assertEqual(
            {"instances": 2, "cores": 3, "ram": 2560, "key_pairs": 1,
             "server_groups": 1, "server_group_members": 0, "metadata_items": 0},
            dict(quota.usage(self.client, PROJECT_ID, names)),
        )
        self.assertEqual({"ram": 2560}, dict(quota.usage(self.client, PROJECT_ID, ["ram", "gpus"])))

    def test_api_error_is_reported_clearly(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/detail", payloads.FAULT, status=500)
        with self.assertRaises(compute_client.ComputeError) as ctx:
            self.client.list_servers()
        self.assertEqual(500, getattr(ctx.exception, "status_code", None))
        self.assertIn("HTTP 500 (Unexpected API Error.)", str(ctx.exception))

    def test_answer_without_expected_member(self) -> None:
        self.cloud.add("GET", PREFIX + "/servers/detail", {"unexpected": []})
        with self.assertRaises(compute_client.ComputeError) as ctx:
            self.client.list_servers()
        self.assertIn("no 'servers' member", str(ctx.exception))
