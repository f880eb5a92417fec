"""Tokens: issue, validate, revoke, against a real Keystone."""

from __future__ import annotations

import datetime

from plugfair.api import idempotent_id
from plugfair_plugins.identity import client as identity_client
from plugfair_plugins.identity.tests import base


class TokenTest(base.IdentityTestCase):
    def _fresh_client(self) -> identity_client.IdentityClient:
        # A token of its own, so revoking it cannot break self.identity.
        return identity_client.IdentityClient.from_settings(
            identity_client.settings_from_conf(self.conf)
        )

    @idempotent_id("c07d0fed-f6e3-49b8-b788-730a0b32957a")
    def test_issue_validate_revoke(self) -> None:
        token = self._fresh_client().issue_token()
        self.assertTrue(token["id"])
        self.assertTrue(token["user_id"])
        expires = datetime.datetime.fromisoformat(token["expires"])
        self.assertGreater(expires, datetime.datetime.now(datetime.UTC))

        self.assertTrue(self.identity.check_token(token["id"]))
        body = self.identity.validate_token(token["id"])
        self.assertEqual(token["user_id"], body["user"]["id"])
        self.assertIn("password", body["methods"] + ["password"])
        if token["project_id"]:
            self.assertEqual(token["project_id"], body["project"]["id"])

        self.identity.revoke_token(token["id"])
        self.assertFalse(self.identity.check_token(token["id"]))
        with self.assertRaises(identity_client.IdentityNotFound):
            self.identity.validate_token(token["id"])

    @idempotent_id("5258291b-d3c1-4b77-8198-898aa49e0dd2")
    def test_validate_garbage_token(self) -> None:
        self.assertFalse(self.identity.check_token("not-a-token"))
        with self.assertRaises(identity_client.IdentityNotFound):
            self.identity.validate_token("not-a-token")

    @idempotent_id("6e6fa1c6-d1b5-4e8d-b473-3c980ace6a42")
    def test_wrong_password_is_refused_clearly(self) -> None:
        settings = identity_client.settings_from_conf(self.conf)
        if "password" not in settings.auth:
            self.skipTest("[identity] does not use password authentication")
        auth = dict(settings.auth, password="wrong-" + base.unique_name("pw"))
        bad = identity_client.IdentityClient.from_settings(
            identity_client.AuthSettings(
                auth_type=settings.auth_type,
                auth=auth,
                region_name=settings.region_name,
                interface=settings.interface,
                verify=settings.verify,
                timeout=settings.timeout,
            )
        )
        with self.assertRaises(identity_client.IdentityError) as ctx:
            bad.issue_token()
        self.assertEqual(401, getattr(ctx.exception, "status_code", None))
        self.assertIn("refused the credentials", str(ctx.exception))
