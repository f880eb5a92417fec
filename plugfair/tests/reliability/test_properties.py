"""Property-based tests: any input gives success or a PlugfairError.

Never a traceback, and never a partial write.  The dashboard's JSON API
and forms are fuzzed in ``plugfair/tests/dashboard/test_fuzz.py``.
"""

from __future__ import annotations

import io
import os
import string

import fixtures
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plugfair.api import (
    API_VERSION,
    IncompatiblePlugin,
    PlugfairError,
    Plugin,
    PluginValidationError,
    QuotaError,
    QuotaResource,
    make_registry,
)
from plugfair.interface.errors import ConfigError
from plugfair.interface.plugin import check_api_version, validate_plugin_name
from plugfair.interface.quota import MAX_LIMIT, validate_limit
from plugfair.tests import base
from plugfair.tests.reliability import figures

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

_EXAMPLES = {"count": 0}


def _count() -> None:
    _EXAMPLES["count"] += 1


class PropertyCase(base.TestCase):
    """Counts the examples tried, for the reliability figures."""

    def tearDown(self) -> None:
        super().tearDown()
        figures.record("properties", examples=_EXAMPLES["count"])
        _EXAMPLES["count"] = 0


anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=80), st.binary(max_size=20), st.lists(st.integers(), max_size=3),
)


class TestNames(PropertyCase):
    @FAST
    @given(st.one_of(st.text(max_size=60), anything))
    def test_plugin_names(self, name):
        _count()
        try:
            got = validate_plugin_name(name)
        except PluginValidationError as exc:
            self.assertTrue(str(exc))
            self.assertFalse(
                isinstance(name, str) and 0 < len(name) <= 40 and name[0] in string.ascii_lowercase
                and all(c in string.ascii_lowercase + string.digits + "_" for c in name),
                name,
            )
        else:
            self.assertEqual(name, got)
            self.assertRegex(got, r"\A[a-z][a-z0-9_]{0,39}\Z")

    @FAST
    @given(st.one_of(
        st.from_regex(r"\A[0-9]{1,6}\.[0-9]{1,6}\Z"),
        st.text(alphabet="0123456789.-+ \n\u0663", max_size=12),
        anything,
    ))
    def test_api_versions(self, wanted):
        _count()
        try:
            check_api_version("p", wanted)
        except IncompatiblePlugin as exc:
            self.assertIn(str(wanted), str(exc))
        except PluginValidationError as exc:
            self.assertTrue(str(exc))
        else:
            major, minor = wanted.split(".")
            h_major, h_minor = API_VERSION.split(".")
            self.assertEqual(int(h_major), int(major))
            self.assertLessEqual(int(minor), int(h_minor))


class TestQuotaValues(PropertyCase):
    @FAST
    @given(st.one_of(
        st.integers(min_value=-2**70, max_value=2**70),
        st.from_regex(r"\A[ +-]?[0-9]{0,40}[ \t]?\Z"),
        anything,
    ))
    def test_validate_limit(self, value):
        _count()
        try:
            got = validate_limit(value)
        except QuotaError as exc:
            self.assertTrue(str(exc))
        else:
            self.assertIsInstance(got, int)
            self.assertTrue(got == -1 or 0 <= got <= MAX_LIMIT, got)
            self.assertEqual(got, int(value.strip() if isinstance(value, str) else value))


class _Quota(Plugin):
    name = "propq"

    def quota_resources(self):
        return [QuotaResource("alpha", 5), QuotaResource("beta", -1), QuotaResource("gamma", 0)]


KEYS = ["propq.alpha", "propq.beta", "propq.gamma"]


class TestQuotaServiceSet(PropertyCase):
    def setUp(self) -> None:
        super().setUp()
        from plugfair.config.loader import build_conf
        from plugfair.quota.service import QuotaService

        work = self.useFixture(fixtures.TempDir()).path
        self.db = os.path.join(work, "q.sqlite")
        path = os.path.join(work, "plugfair.conf")
        with open(path, "w") as f:
            f.write("[quota]\nconnection = sqlite:///%s\n" % self.db)
        conf = build_conf([path])
        self.service = QuotaService(make_registry(_Quota, conf=conf), conf)
        self.service.upgrade()
        self.service.set("seed", {"propq.alpha": 3})
        self.engine = sa.create_engine("sqlite:///%s" % self.db)
        self.addCleanup(self.engine.dispose)

    def stored(self):
        from plugfair.quota import schema

        with self.engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(
                sa.select(schema.limits.c.project_id, schema.limits.c.resource,
                          schema.limits.c.hard_limit)))

    @SLOW
    @given(
        st.one_of(st.sampled_from(["seed", "p1"]), st.text(max_size=70), st.none(), st.integers()),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS + ["propq.delta", "other.alpha", "", "propq."]),
                      st.text(max_size=20)),
            st.one_of(st.integers(min_value=-5, max_value=2**32), st.sampled_from(["7", " 8 ", "-1",
                      "x", "1e3", "", "9" * 30]), anything),
            max_size=4,
        ),
    )
    def test_all_or_nothing(self, project, values):
        _count()
        before = self.stored()
        try:
            self.service.set(project, values)
        except PlugfairError as exc:
            self.assertTrue(str(exc))
            self.assertEqual(before, self.stored())  # nothing written
        else:
            after = dict(((p, k), v) for p, k, v in self.stored())
            for key, value in values.items():
                self.assertEqual(validate_limit(value), after[(project, key)])
            others = [r for r in before if r[0] != project or r[1] not in values]
            self.assertEqual(others, [r for r in self.stored() if r[0] != project or r[1] not in values])


_CONF_LINES = st.sampled_from([
    "[plugfair]", "[quota]", "[DEFAULT]", "[rgood]", "[", "]", "hook_timeout = 1",
    "hook_timeout = -3", "hook_timeout = soon", "manifest_cache = maybe", "manifest_cache = false",
    "enabled_plugins = plugfair,", "disabled_plugins = \u00fcber", "usage_timeout = 0",
    "connection = ::nope::", "=", "key", "  indented = yes", "x = %(y)s", "\x00", "\ufeff",
    "[plugfair]\nhook_timeout = 1e309",
])


class TestConfigFiles(PropertyCase):
    @SLOW
    @given(st.lists(st.one_of(_CONF_LINES, st.text(max_size=30)), max_size=8))
    def test_random_files(self, lines):
        _count()
        from plugfair.cli import fastconf
        from plugfair.config.loader import build_conf

        work = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(work, "plugfair.conf")
        with open(path, "w", encoding="utf-8", errors="surrogatepass") as f:
            f.write("\n".join(lines) + "\n")
        try:
            conf = build_conf([path])
        except ConfigError as exc:
            self.assertTrue(str(exc))
        else:
            self.assertGreater(conf.plugfair.hook_timeout, 0)
        # the fast path either reads the file or leaves it to oslo.config
        fast = fastconf.read([path], [])
        self.assertTrue(fast is None or isinstance(fast, fastconf.FastConf))


_WORDS = st.sampled_from([
    "plugin", "list", "show", "doctor", "quota", "set", "delete", "defaults", "config",
    "list-tests", "help", "--project", "p1", "-f", "json", "yaml", "value", "csv", "-c",
    "--strict", "--no-cache", "--debug", "--config-file", "--config-dir", "/nonexistent",
    "compute.cores=3", "compute.cores=-2", "compute.cores=x", "=", "--plugin", "nope",
    "--workspace", ".", "-h", "--version", "--", "\u00e9", "-q", "-v", "--regex", "(",
])


class TestCommandLine(PropertyCase):
    @SLOW
    @given(st.lists(st.one_of(_WORDS, st.text(max_size=12)), min_size=0, max_size=6))
    def test_random_argv(self, argv):
        _count()
        from plugfair.cli.main import main

        if argv and argv[0] in ("dashboard", "run", "workspace", "plugin new"):
            return
        work = self.useFixture(fixtures.TempDir()).path
        self.useFixture(fixtures.EnvironmentVariable(
            "XDG_DATA_HOME", os.path.join(work, "data")))
        out, err = io.StringIO(), io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stdout", out))
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", err))
        cwd = os.getcwd()
        os.chdir(work)
        try:
            try:
                rc = main(list(argv))
            except SystemExit as exc:  # argparse exits on --help / errors
                rc = exc.code if isinstance(exc.code, int) else 2
        finally:
            os.chdir(cwd)
        text = err.getvalue()
        self.assertIn(rc, (0, 1, 2), repr((argv, text[-2000:])))
        if "--debug" not in argv:
            self.assertNotIn("Traceback", text, argv)
        if rc:
            self.assertTrue(text.strip(), "exit %d without a message: %r" % (rc, argv))

