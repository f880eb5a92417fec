"""Issue 14: usage callbacks that attack the host at run time.

Every attack of :data:`plugfair.tests.reliability.zoo.RUNTIME` (and the
older usage attacks of the zoo) is tried on each host that calls usage
callbacks while serving: ``plugfair quota show`` (a subprocess, as a
user runs it) and the dashboard (its JSON API and its pages, in this
process, and a real waitress server for the worker threads).  An attack
is *held* on a host when the host answers (exit status 0, HTTP 200), the
good plugin's usage is still counted (2: no neighbour rewrote it), and
the attacking plugin's row shows what it should: the plain value read
without running the value's own methods, or no usage with the reason.

:data:`LATE` plugins turn bad at import once the manifest is warm: the
host never imports them itself, so each costs at most the deadline.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import re
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import fixtures

from plugfair.interface.testing import _forget_modules, _invalidate
from plugfair.tests import base
from plugfair.tests.reliability import figures, zoo
from plugfair.tests.reliability.test_hostile import _ENVS, _Env, _root, zoo_env

#: plugin -> (expected usage of its resource, or None; text in the reason).
EXPECT: dict[str, tuple[int | None, str]] = {
    "rz_osexit_usage": (None, "ended (exit status 9) before answering"),
    "rz_kbint_usage": (None, "raised KeyboardInterrupt: plugin ^C"),
    "rz_base_usage": (None, "raised Doom: the end"),
    "rz_exit_usage": (None, "raised SystemExit: 5"),
    "rz_raise_usage": (None, "raised RuntimeError"),
    "rz_raise_int": (3, ""),
    "rz_exit_int": (3, ""),
    "rz_hang_int": (3, ""),
    "rz_kbint_int": (3, ""),
    "rz_exit_key": (None, "ended (exit status 11) before answering"),
    "rz_exit_dict": (1, ""),
    "rz_hang_mapping": (None, "did not return within 3 s"),
    "rz_hang_usage": (None, "did not return within 3 s"),
    "rz_huge_usage": (None, "an integer of 16610 bits"),
    "rz_wrong_usage": (None, "it must be an integer >= 0"),
    "rz_bad_str_error": (None, "ended (exit status 12) before answering"),
    "rz_tamper": (None, "not a usage report"),
    "rz_orphans": (None, "ended (exit status 0) before answering"),
}

#: The attack classes of issue 14 (point 1), and the plugins that try each.
CLASSES: dict[str, list[str]] = {
    "exit": ["rz_osexit_usage", "rz_exit_int", "rz_exit_key", "rz_exit_dict",
             "rz_bad_str_error", "rz_orphans"],
    "base_exception": ["rz_kbint_usage", "rz_base_usage", "rz_exit_usage", "rz_kbint_int"],
    "hostile_values": ["rz_raise_int", "rz_exit_int", "rz_hang_int", "rz_kbint_int",
                       "rz_exit_key", "rz_exit_dict", "rz_hang_mapping", "rz_bad_str_error"],
    "absurd_values": ["rz_huge_usage", "rz_wrong_usage"],
    "hang": ["rz_hang_usage", "rz_hang_mapping", "rz_hang_int"],
    "rewrite": ["rz_tamper"],
}

#: Seconds a host may take beyond the deadline (slow shared CI).
SLACK = 12.0

DEADLINE = zoo.USAGE_TIMEOUT


def _held(rows: dict[str, dict[str, Any]], name: str) -> tuple[bool, str]:
    """Whether plugin ``name``'s row is what it should be; why not."""
    row = rows.get(name)
    if row is None:
        return False, "no row"
    value, needle = EXPECT[name]
    if row["in_use"] != value:
        return False, "in_use %r, expected %r" % (row["in_use"], value)
    if needle and needle not in row["reason"]:
        return False, "reason %r lacks %r" % (row["reason"], needle)
    if value is not None and row["reason"]:
        return False, "unexpected reason %r" % row["reason"]
    return True, ""


def _tally(host: str, rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Judge every attack; record the figures; return the broken ones."""
    broken = {}
    for name in EXPECT:
        ok, why = _held(rows, name)
        if not ok:
            broken[name] = why
    for cls, names in CLASSES.items():
        held = sum(1 for n in names if n not in broken)
        figures.record("runtime", **{"%s_%s_attacks" % (host, cls): len(names),
                                     "%s_%s_held" % (host, cls): held})
    return broken


def _orphans(dists: str) -> list[str]:
    """Command lines of leftover ``time.sleep(300)`` grandchildren of the
    zoo in ``dists`` (``rz_orphans`` names its directory in them)."""
    time.sleep(0.2)  # a killed process leaves /proc a moment later
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "time.sleep(300)" in cmd and dists in cmd:
            found.append(cmd)
    return found


class TestQuotaShow(base.TestCase):
    """``plugfair quota show`` with the whole zoo installed."""

    def setUp(self) -> None:
        super().setUp()
        self.env = zoo_env()

    def test_every_runtime_attack_is_held(self):
        start = time.monotonic()
        rc, out, err = self.env.cli("quota", "show", "--project", "p1", "-f", "json")
        elapsed = time.monotonic() - start
        self.assertEqual(0, rc, err[-3000:])
        rows = {r["Plugin"]: {"in_use": r["In Use"], "reason": r["Usage Reason"]}
                for r in json.loads(out)}
        self.assertEqual(2, rows["rgood"]["in_use"])  # counted, not rewritten
        self.assertEqual({}, _tally("cli", rows))
        self.assertLess(elapsed, DEADLINE + SLACK)
        self.assertNotIn("Traceback", err)
        self.assertEqual([], _orphans(self.env.dists))

    def test_plugin_output_is_forwarded_cut_and_neutralised(self):
        rc, out, err = self.env.cli("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, rc)
        rows = {r["Plugin"]: r for r in json.loads(out)}  # stdout is clean JSON
        # rz_loud prints 3 MiB: 64 KiB of it reaches standard error
        self.assertIn("x" * 1024, err)
        self.assertLessEqual(err.count("x"), 64 * 1024 + 100)
        if rows["rz_loud"]["In Use"] == 1:  # it finished: the rest was counted
            self.assertIn("more bytes printed by plugins' usage callbacks were dropped", err)

    def test_table_notes_each_reason(self):
        rc, out, err = self.env.cli("quota", "show", "--project", "p1")
        self.assertEqual(0, rc, err[-2000:])
        notes = out.split("Usage unknown:", 1)[1]
        for name, (value, needle) in EXPECT.items():
            if value is None:
                self.assertRegex(notes, r"\] %s: .*%s" % (name, re.escape(needle)))


class TestDashboard(base.TestCase):
    """The dashboard app (JSON API and pages) with the whole zoo."""

    def setUp(self) -> None:
        super().setUp()
        self.env = zoo_env()
        sys.path.insert(0, self.env.dists)
        self.addCleanup(sys.path.remove, self.env.dists)
        self.addCleanup(_forget_modules, self.env.dists)
        _invalidate()
        self.addCleanup(_invalidate)
        # what the plugins print is forwarded here, cut (not attached to
        # the test's result: the loud plugin prints megabytes)
        self.err = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch("sys.stderr", self.err))
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", self.env.cache))
        from plugfair.config.loader import build_conf
        from plugfair.dashboard.app import create_app
        from plugfair.quota.service import QuotaService
        from plugfair.registry.core import Registry

        conf = build_conf([self.env.conf])
        self.service = QuotaService(Registry.discover(conf), conf)
        app = create_app(self.service, conf)
        self.client = app.test_client()

    def test_every_runtime_attack_is_held_in_the_api(self):
        answer = self.client.get("/api/v1/quotas?project=p1")
        self.assertEqual(200, answer.status_code)
        rows = {}
        for panel in answer.get_json()["plugins"]:
            res = panel["resources"][0]
            rows[panel["name"]] = {"in_use": res["in_use"], "reason": res["usage_reason"]}
        self.assertEqual(2, rows["rgood"]["in_use"])
        self.assertEqual({}, _tally("dashboard", rows))
        self.assertEqual([], _orphans(self.env.dists))
        forwarded = self.err.getvalue()
        self.assertIn("x" * 1000, forwarded)  # the loud plugin's output, cut
        self.assertLess(len(forwarded), 1024 * 1024)

    def test_pages_show_the_reasons_and_never_fail(self):
        page = self.client.get("/?project=p1")
        self.assertEqual(200, page.status_code)
        text = page.get_data(as_text=True)
        for name, (value, needle) in EXPECT.items():
            if value is None:
                self.assertIn(html.escape(needle, quote=True), text, name)
        # one page per plugin, and the API per plugin: never a 5xx; the
        # plugins hung before are not called again, so this is quick
        start = time.monotonic()
        for name in sorted(EXPECT):
            for url in ("/plugins/%s?project=p1" % name, "/api/v1/quotas?project=p1&plugin=" + name):
                self.assertEqual(200, self.client.get(url).status_code, url)
        self.assertLess(time.monotonic() - start, DEADLINE + SLACK)


class TestWorkerThreads(base.TestCase):
    """A real waitress server (4 threads): a hung plugin holds at most 3."""

    def setUp(self) -> None:
        super().setUp()
        if "threads" not in _ENVS:
            env = _Env(_root("plugfair-rz-threads-"),
                       "usage_retry_after = 600\n[dashboard]\nthreads = 4\n")
            # a longer deadline than the zoo's, so the test sees who waits
            with open(env.conf) as f:
                text = f.read().replace("usage_timeout = %s" % zoo.USAGE_TIMEOUT, "usage_timeout = 4")
            with open(env.conf, "w") as f:
                f.write(text)
            zoo.write_zoo(env.dists, ["rz_hang_usage"])
            rc, out, err = env.cli("quota", "db", "upgrade")
            self.assertEqual(0, rc, err)
            _ENVS["threads"] = env
        self.env = _ENVS["threads"]
        sys.path.insert(0, self.env.dists)
        self.addCleanup(sys.path.remove, self.env.dists)
        self.addCleanup(_forget_modules, self.env.dists)
        _invalidate()
        self.addCleanup(_invalidate)
        self.useFixture(fixtures.EnvironmentVariable("PLUGFAIR_CACHE_DIR", self.env.cache))
        from plugfair.config.loader import build_conf
        from plugfair.dashboard.app import create_app
        from plugfair.dashboard.serve import BackgroundServer
        from plugfair.quota.service import QuotaService
        from plugfair.registry.core import Registry

        conf = build_conf([self.env.conf])
        service = QuotaService(Registry.discover(conf), conf)
        self.server = BackgroundServer(create_app(service, conf)).start()
        self.addCleanup(self.server.stop)

    def _get(self, path: str, out: list[tuple[float, int, str]]) -> None:
        start = time.monotonic()
        with urllib.request.urlopen(self.server.url + path, timeout=60) as resp:
            body = resp.read().decode("utf-8")
            out.append((time.monotonic() - start, resp.status, body))

    def test_a_hung_plugin_never_holds_every_thread(self):
        waits: list[tuple[float, int, str]] = []
        crowd = [threading.Thread(target=self._get, args=("/?project=p1", waits)) for _ in range(8)]
        for thread in crowd:
            thread.start()
        time.sleep(0.5)
        # a free thread answers a page that does not need the hung plugin
        quick: list[tuple[float, int, str]] = []
        self._get("/plugins/rgood?project=p1", quick)
        for thread in crowd:
            thread.join(60)
        self.assertEqual(200, quick[0][1])
        self.assertLess(quick[0][0], 2.5, "every worker thread was held by the hung plugin")
        self.assertEqual([200] * 8, [w[1] for w in waits])
        held = [w for w in waits if w[0] >= 3.5]
        self.assertLessEqual(len(held), 3, [round(w[0], 2) for w in waits])
        busy = [w for w in waits if "already running for" in w[2]]
        self.assertTrue(busy, "no request found the plugin busy")
        # then it is not called again for a while: every page is quick
        after: list[tuple[float, int, str]] = []
        self._get("/?project=p1", after)
        self.assertLess(after[0][0], 2.5)
        self.assertIn("not called again before", after[0][2])
        figures.record("runtime", dashboard_threads_attacks=1, dashboard_threads_held=1)


class TestLateImport(base.TestCase):
    """Plugins whose import hangs, slows or exits once the manifest is warm."""

    def setUp(self) -> None:
        super().setUp()
        if "late" not in _ENVS:
            env = _Env(_root("plugfair-rz-late-"))
            zoo.write_late(env.dists)
            # warm the manifest while the plugins are healthy
            rc, out, err = env.cli("quota", "db", "upgrade")
            self.assertEqual(0, rc, err)
            rc, out, err = env.cli("plugin", "list", "-f", "json")
            self.assertEqual(0, rc, err)
            self.assertEqual({"ok"}, {r["Status"] for r in json.loads(out)
                                      if r["Name"].startswith("rz_late")})
            # ... and the manifest of this process's own sys.path
            self.env = env
            with self._on_path():
                from plugfair.config.loader import build_conf
                from plugfair.registry.core import Registry

                registry = Registry.discover(build_conf([env.conf]))
                self.assertEqual({"ok"}, {r.status for r in registry.records()
                                          if r.name.startswith("rz_late")})
            with open(os.path.join(env.dists, zoo.LATE_MARKER), "w") as f:
                f.write("now\n")
            _ENVS["late"] = env
        self.env = _ENVS["late"]

    @contextlib.contextmanager
    def _on_path(self) -> Iterator[None]:
        """The zoo on ``sys.path`` and its cache, as the dashboard test has them."""
        sys.path.insert(0, self.env.dists)
        _invalidate()
        old = os.environ.get("PLUGFAIR_CACHE_DIR")
        os.environ["PLUGFAIR_CACHE_DIR"] = self.env.cache
        try:
            yield
        finally:
            sys.path.remove(self.env.dists)
            _forget_modules(self.env.dists)
            _invalidate()
            if old is None:
                os.environ.pop("PLUGFAIR_CACHE_DIR", None)
            else:
                os.environ["PLUGFAIR_CACHE_DIR"] = old

    def _check(self, host: str, rows: dict[str, dict[str, Any]]) -> None:
        self.assertEqual(2, rows["rgood"]["in_use"])
        expect = {
            "rz_late_hang": "loading the plugin did not finish within 3 s",
            "rz_late_slow": "loading the plugin did not finish within 3 s",
            "rz_late_exit": "ended (exit status 13) before answering",
        }
        for name, needle in expect.items():
            self.assertIsNone(rows[name]["in_use"], name)
            self.assertIn(needle, rows[name]["reason"], name)
        figures.record("runtime", **{"%s_import_attacks" % host: len(expect),
                                     "%s_import_held" % host: len(expect)})

    def test_quota_show(self):
        start = time.monotonic()
        rc, out, err = self.env.cli("quota", "show", "--project", "p1", "-f", "json")
        self.assertEqual(0, rc, err[-2000:])
        self.assertLess(time.monotonic() - start, DEADLINE + SLACK)
        self._check("cli", {r["Plugin"]: {"in_use": r["In Use"], "reason": r["Usage Reason"]}
                            for r in json.loads(out)})
        # another plugin's command imports only its own plugin
        rc, out, err = self.env.cli("rgood", "hello", timeout=30)
        self.assertEqual((0, "Hello from rgood\n"), (rc, out), err)

    def test_dashboard(self):
        from plugfair.config.loader import build_conf
        from plugfair.dashboard.app import create_app
        from plugfair.quota.service import QuotaService
        from plugfair.registry.core import Registry

        with self._on_path():
            conf = build_conf([self.env.conf])
            client = create_app(QuotaService(Registry.discover(conf), conf), conf).test_client()
            start = time.monotonic()
            answer = client.get("/api/v1/quotas?project=p1")
            self.assertEqual(200, answer.status_code)
            self.assertLess(time.monotonic() - start, DEADLINE + SLACK)
            # the host itself never imported them
            self.assertFalse([m for m in sys.modules if m.startswith("rz_late")])
        rows = {p["name"]: {"in_use": p["resources"][0]["in_use"],
                            "reason": p["resources"][0]["usage_reason"]}
                for p in answer.get_json()["plugins"]}
        self._check("dashboard", rows)
