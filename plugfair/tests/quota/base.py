"""Base of the quota tests: real plugin distributions, a real SQLite file."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import fixtures

from plugfair.config.loader import build_conf
from plugfair.quota import store
from plugfair.quota.service import QuotaService
from plugfair.registry.core import Registry
from plugfair.tests import base
from plugfair.tests.quota import fixtures as qf

_SHARED: list[str] = []


def _shared_dir() -> str:
    """A directory kept for the whole test process (removed at exit)."""
    if not _SHARED:
        path = tempfile.mkdtemp(prefix="plugfair-quota-tests-")
        os.makedirs(os.path.join(path, "dists"))
        atexit.register(shutil.rmtree, path, True)
        _SHARED.append(path)
    return _SHARED[0]


class QuotaTestCase(base.TestCase):
    """Installs the plugins of :attr:`plugins` and configures a SQLite store."""

    plugins: tuple[str, ...] = ("alpha", "beta")
    #: ``None`` uses the embedded default (in the test's own data dir).
    explicit_url = True
    extra_conf = ""
    #: Share one directory holding every test plugin per process and
    #: select :attr:`plugins` with ``[plugfair] enabled_plugins`` (fast: the
    #: manifest is built once); ``False`` installs only :attr:`plugins`,
    #: each with a fresh :class:`plugfair.api.PluginDistribution`.
    shared_plugins = True
    #: Use only :attr:`plugins`, not the other installed plugins.
    select_plugins = True

    def setUp(self) -> None:
        super().setUp()
        # every test has its own database: forget the engines of the others
        self.addCleanup(store.reset)
        if self.shared_plugins:
            shared = _shared_dir()
            cache = os.path.join(shared, "cache")
            self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", cache))
            self.useFixture(qf.QuotaPlugins(*qf.ALL, directory=os.path.join(shared, "dists")))
        else:
            self.useFixture(qf.QuotaPlugins(*self.plugins))
        selection = ""
        if self.select_plugins:
            # Only the test's plugins (and plugfair's own commands), whatever
            # else is installed in this environment.
            selection = "[plugfair]\nenabled_plugins = %s\n" % ",".join(
                ("plugfair",) + tuple(self.plugins)
            )
        self.work = self.useFixture(fixtures.TempDir()).path
        self.db_path = os.path.join(self.work, "quota.sqlite")
        self.url = self.database_url()
        self.selection = selection
        self.rewrite_conf(self.extra_conf)
        if self.url:
            # An explicit database is upgraded explicitly, as in production.
            self.service().upgrade()

    def database_url(self) -> str | None:
        """The ``[quota] connection`` of the test (a fresh SQLite file)."""
        return "sqlite:///%s" % self.db_path if self.explicit_url else None

    def rewrite_conf(self, extra: str) -> None:
        """(Re)write the config file with ``extra`` appended."""
        self.conf_file = qf.write_conf(self.work, url=self.url, extra=self.selection + extra)

    def registry(self) -> Registry:
        conf = build_conf([self.conf_file])
        return Registry.discover(conf)

    def service(self) -> QuotaService:
        registry = self.registry()
        return QuotaService(registry, registry.conf)

    def cli(self, *argv: str) -> tuple[int, str, str]:
        return self.run_cli(["--config-file", self.conf_file, *argv])
