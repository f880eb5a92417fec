"""Unified limits: registered limit and project limit round trip."""

from __future__ import annotations

from plugfair.api import idempotent_id
from plugfair_plugins.identity import client as identity_client
from plugfair_plugins.identity.tests import base


class UnifiedLimitsTest(base.IdentityTestCase):
    def setUp(self) -> None:
        super().setUp()
        try:
            self.system = self.system_client()
            self.system.issue_token()
        except identity_client.IdentityError as exc:
            self.skipTest(
                "unified-limits admin calls need a system-scoped token, and the "
                "configured credentials cannot get one: %s" % exc
            )

    @idempotent_id("61913be8-9699-442a-9e1f-ad12e4022c70")
    def test_registered_and_project_limit_round_trip(self) -> None:
        service = self.system.create_service(
            base.unique_name("plugfair-test"), base.unique_name("plugfair-svc")
        )
        self.addCleanup(self.ignore_missing, self.system.delete_service, service["id"])
        project = self.identity.create_project(base.unique_name("plugfair-limits"))
        self.addCleanup(self.ignore_missing, self.identity.delete_project, project["id"])

        registered = self.system.create_registered_limit(
            service["id"], "widgets", 10, description="plugfair test"
        )
        self.addCleanup(
            self.ignore_missing, self.system.delete_registered_limit, registered["id"]
        )
        self.assertEqual(10, registered["default_limit"])
        listed = self.system.list_registered_limits(service_id=service["id"])
        self.assertEqual([registered["id"]], [x["id"] for x in listed])
        # Keystone refuses to change a registered limit once project limits
        # refer to it, so change it first.
        changed = self.system.update_registered_limit(registered["id"], default_limit=3)
        self.assertEqual(3, changed["default_limit"])

        limit = self.system.create_limit(project["id"], service["id"], "widgets", 25)
        self.addCleanup(self.ignore_missing, self.system.delete_limit, limit["id"])
        self.assertEqual(25, self.system.get_limit(limit["id"])["resource_limit"])
        found = self.system.list_limits(project_id=project["id"], service_id=service["id"])
        self.assertEqual([limit["id"]], [x["id"] for x in found])

        updated = self.system.update_limit(limit["id"], resource_limit=-1)
        self.assertEqual(-1, updated["resource_limit"])
        with self.assertRaises(identity_client.IdentityError) as ctx:
            self.system.update_registered_limit(registered["id"], default_limit=4)
        self.assertEqual(403, getattr(ctx.exception, "status_code", None))

        self.system.delete_limit(limit["id"])
        with self.assertRaises(identity_client.IdentityNotFound):
            self.system.get_limit(limit["id"])
        self.system.delete_registered_limit(registered["id"])
        self.assertEqual([], self.system.list_registered_limits(service_id=service["id"]))

    @idempotent_id("00b4cddc-dab5-4a67-8761-8c0865b240e3")
    def test_project_limit_needs_registered_limit(self) -> None:
        service = self.system.create_service(
            base.unique_name("plugfair-test"), base.unique_name("plugfair-svc")
        )
        self.addCleanup(self.ignore_missing, self.system.delete_service, service["id"])
        project = self.identity.create_project(base.unique_name("plugfair-limits"))
        self.addCleanup(self.ignore_missing, self.identity.delete_project, project["id"])
        with self.assertRaises(identity_client.IdentityError) as ctx:
            self.system.create_limit(project["id"], service["id"], "gadgets", 5)
        self.assertEqual(403, getattr(ctx.exception, "status_code", None))

    @idempotent_id("d3928947-4d44-4700-8a47-7bca33ec9e14")
    def test_limits_model(self) -> None:
        self.assertIn(self.system.limits_model()["name"], ("flat", "strict_two_level"))
