"""Base of the dashboard tests: real plugins, a real SQLite store, Flask."""

from __future__ import annotations

import re
from typing import Any

import fixtures

from plugfair.config.loader import build_conf
from plugfair.dashboard.app import create_app
from plugfair.quota.service import QuotaService
from plugfair.registry.core import Registry
from plugfair.tests import base
from plugfair.tests.dashboard import fixtures as df

PROJECT = "proj-1"

_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


class DashboardTestCase(base.TestCase):
    """A dashboard app over the plugins of :attr:`plugins`.

    The quota store is a SQLite file of the test's own; the app is
    exercised through Flask's test client.
    """

    plugins: tuple[str, ...] = df.DEFAULT
    token: str | None = df.TOKEN
    #: Restrict discovery to :attr:`plugins` (and ``plugfair``).
    only_these = True
    extra_conf = ""

    def setUp(self) -> None:
        super().setUp()
        self.dists = self.useFixture(df.SharedPlugins(*self.plugins))
        self.work = self.useFixture(fixtures.TempDir()).path
        self.conf_file = df.write_conf(
            self.work,
            token=self.token,
            enabled=self.plugins if self.only_these else None,
            extra=self.extra_conf,
        )
        self.service = self.make_service()
        self.service.upgrade()
        self.app = create_app(self.service, self.service.conf)
        self.app.testing = True
        self.client = self.app.test_client()

    def make_service(self) -> QuotaService:
        conf = build_conf([self.conf_file])
        return QuotaService(Registry.discover(conf), conf)

    # -- helpers -------------------------------------------------------

    def limits(self, project: str = PROJECT, *, fresh: bool = False) -> dict[str, tuple[int, bool]]:
        """key -> (limit, overridden), from the store.

        :param fresh: read through a new service (new registry, new
            database connection) rather than the app's.
        """
        service = self.make_service() if fresh else self.service
        rows = service.show(project)
        return {r.key: (r.limit, r.overridden) for r in rows}

    def bearer(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": "Bearer %s" % (token or df.TOKEN)}

    def csrf_from(self, html: str) -> str:
        match = _CSRF_FIELD.search(html) or _CSRF_META.search(html)
        self.assertIsNotNone(match, "no CSRF token in the page")
        assert match is not None
        return match.group(1)

    def login(self, client: Any = None, token: str = df.TOKEN) -> str:
        """Log ``client`` in; return the session's CSRF token."""
        client = client or self.client
        page = client.get("/login")
        self.assertEqual(200, page.status_code)
        csrf = self.csrf_from(page.get_data(as_text=True))
        resp = client.post("/login", data={"token": token, "csrf_token": csrf, "next": "/"})
        self.assertEqual(303, resp.status_code, resp.get_data(as_text=True))
        home = client.get("/plugins/dash_intree?project=%s" % PROJECT)
        return self.csrf_from(home.get_data(as_text=True))
