"""Projects: create, read, update, delete, with cleanup."""

from __future__ import annotations

from typing import Any

from plugfair.api import idempotent_id
from plugfair_plugins.identity import client as identity_client
from plugfair_plugins.identity.tests import base


class ProjectTest(base.IdentityTestCase):
    def _create(self, **kwargs: object) -> dict[str, Any]:
        name = base.unique_name("plugfair-test")
        project: dict[str, Any] = self.identity.create_project(name, **kwargs)
        # Registered before any assertion: runs even if the test fails.
        self.addCleanup(self.ignore_missing, self.identity.delete_project, project["id"])
        return project

    @idempotent_id("9cc71772-623f-4c41-8a64-4bbce045ac0d")
    def test_crud(self) -> None:
        project = self._create(description="made by plugfair", tags=["plugfair"])
        self.assertTrue(project["enabled"])
        self.assertEqual("made by plugfair", project["description"])

        by_id = self.identity.get_project(project["id"])
        by_name = self.identity.get_project(project["name"])
        self.assertEqual(project["id"], by_id["id"])
        self.assertEqual(project["id"], by_name["id"])
        self.assertEqual(["plugfair"], by_id["tags"])
        self.assertIn(project["id"], [p["id"] for p in self.identity.list_projects()])

        updated = self.identity.update_project(
            project["id"], description="changed", enabled=False
        )
        self.assertEqual("changed", updated["description"])
        self.assertFalse(updated["enabled"])
        self.assertFalse(self.identity.get_project(project["id"])["enabled"])

        self.identity.delete_project(project["id"])
        with self.assertRaises(identity_client.IdentityNotFound):
            self.identity.get_project(project["id"])
        with self.assertRaises(identity_client.IdentityNotFound):
            self.identity.delete_project(project["id"])

    @idempotent_id("37b3bd2c-b975-47b0-b055-4d5d23e437d6")
    def test_list_filters_by_domain(self) -> None:
        project = self._create()
        listed = self.identity.list_projects(domain_id=project["domain_id"])
        self.assertIn(project["id"], [p["id"] for p in listed])
        self.assertEqual(
            [], self.identity.list_projects(domain_id=base.unique_name("nodomain"))
        )

    @idempotent_id("650106f1-51e1-4fc2-a70f-40e245db2bbe")
    def test_duplicate_name_is_refused(self) -> None:
        project = self._create()
        with self.assertRaises(identity_client.IdentityError) as ctx:
            self.identity.create_project(project["name"])
        self.assertEqual(409, getattr(ctx.exception, "status_code", None))

    @idempotent_id("e536f1db-6c41-4fdf-a445-ec73233234a7")
    def test_unknown_project(self) -> None:
        with self.assertRaises(identity_client.IdentityNotFound) as ctx:
            self.identity.get_project(base.unique_name("no-such-project"))
        self.assertIn("project list", str(ctx.exception))
